package main

// `server`: configure an installed security server through its admin API
// over SSH, or with --local on the server itself (xroad/configure): init,
// csr, import, register, status.

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
)

// serverOpts are the flags every `server` subcommand shares.
type serverOpts struct {
	ssh                sshFlags
	local              bool
	adminUser          string
	adminPasswordStdin bool
	sudoPasswordStdin  bool
	memberClass        string
	memberCode         string
	serverCode         string
	name               string
	profile            string
	format             string
	lang               string
	adminAPI           string
	adminAPICert       string
	proxyJar           string
	timeout            time.Duration
	verbose            bool

	stderr        io.Writer
	fs            *flag.FlagSet // the verb's flags, to see which were given
	in            *bufio.Reader // standard input, secrets one per line
	adminPassword string
	sudoPassword  string
	prof          *profile.Profile
	roles         []string    // the API key's roles; nil: configure's own
	h             remote.Host // the server, once open dialled it

	// A backup before the change (backup_cli.go): skipped with
	// --no-backup, kept in --backup-dir.
	noBackup  bool
	backupDir string
	// backedUp: firstChange took (or skipped) this run's backup.
	backedUp bool
}

func (o *serverOpts) register(fs *flag.FlagSet) {
	o.registerAPI(fs)
	fs.StringVar(&o.serverCode, "server-code", "", "the security server's `CODE` (Latin letters, digits)")
	fs.StringVar(&o.name, "name", "", "the organisation's `NAME` for the certificate requests")
}

// registerAPI adds the flags of every verb that works through the admin
// API: the connection, the admin user, the owner member, output.
func (o *serverOpts) registerAPI(fs *flag.FlagSet) {
	o.registerSession(fs)
	fs.StringVar(&o.memberClass, "member-class", "", "the organisation's member `CLASS` (e.g. GOV or COM)")
	fs.StringVar(&o.memberCode, "member-code", "", "the organisation's member `CODE` (8 digits)")
	fs.StringVar(&o.proxyJar, "proxy-jar", xroad.DefaultAdminAPI.ProxyJar, "advanced: `PATH` of X-Road's proxy-1.0.jar on the server, where the operator's certificate profile class is looked for")
	o.registerRun(fs)
}

// registerRun adds the flags of how a verb runs and speaks: profile,
// output, language, logging, its bound.
func (o *serverOpts) registerRun(fs *flag.FlagSet) {
	fs.StringVar(&o.profile, "profile", "", "operator profile `FILE` (default: the embedded Tunduk profile)")
	fs.StringVar(&o.format, "format", "text", "output format: text or json")
	fs.StringVar(&o.lang, "lang", defaultLang(), "language of the help, prompts, messages and text output: en, ru or ky")
	fs.BoolVar(&o.verbose, "verbose", false, "log debug details to standard error too")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Minute, "give up after `DURATION` (waiting for approval: see register --wait-timeout)")
}

// registerSession adds the flags that open an admin API session: the
// connection, the admin user, sudo, where the API listens. A verb with
// flags of its own for the rest (client notify, service export) takes
// only these.
func (o *serverOpts) registerSession(fs *flag.FlagSet) {
	o.ssh.register(fs, "the security server `USER@HOST[:PORT]`, reached over SSH")
	fs.BoolVar(&o.local, "local", false, "work on this computer, the security server itself, without SSH")
	fs.StringVar(&o.adminUser, "admin-user", "xrdadmin", "`NAME` of the X-Road admin user made at install")
	fs.BoolVar(&o.adminPasswordStdin, "admin-password-stdin", false, "read the admin user's password from standard input (else asked on the terminal)")
	fs.BoolVar(&o.sudoPasswordStdin, "sudo-password-stdin", false, "read the sudo password from standard input (else asked on the terminal when sudo needs one)")
	fs.StringVar(&o.adminAPI, "admin-api", xroad.DefaultAdminAPI.Addr, "advanced: `ADDR` of the admin API as seen on the server")
	fs.StringVar(&o.adminAPICert, "admin-api-cert", xroad.DefaultAdminAPI.CertPath, "advanced: `PATH` of the admin API's TLS certificate on the server")
}

var serverVerbs = map[string]func([]string, io.Reader, io.Writer, io.Writer) error{
	"init": runServerInit, "csr": runServerCSR, "import": runServerImport,
	"register": runServerRegister, "status": runServerStatus,
}

func runServer(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return dispatchGroup("server", serverVerbs, serverUsage, args, stdin, stdout, stderr)
}

// dispatchGroup runs the verb of group args[0] names, or prints the
// group's help (usage): on stdout for -h, --help or help (exit 0), else
// on stderr (exit 2); a word that is none of its verbs is told with
// "did you mean".
func dispatchGroup(group string, verbs map[string]func([]string, io.Reader, io.Writer, io.Writer) error, usage func(io.Writer, string),
	args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	w, code := stderr, errUsage
	if len(args) > 0 {
		if f, ok := verbs[args[0]]; ok {
			return f(args[1:], stdin, stdout, stderr)
		}
		if oneOf(args[0], "-h", "--help", "help") {
			w, code = stdout, nil
		} else if !strings.HasPrefix(args[0], "-") {
			lang := langOf(args)
			return unknownVerb(stderr, lang, group, args[0], func(w io.Writer) { usage(w, lang) })
		}
	}
	usage(w, langOf(args))
	return code
}

// serverUsage is the help of server, in lang.
func serverUsage(w io.Writer, lang string) {
	printUsage(w, lang, "tunduk-onboard-cli server init|csr|import|register|status --ssh USER@HOST[:PORT] | --local [FLAGS]", "cli.help.server")
}

// newServerFlags is the flag set of one subcommand with the shared flags;
// its description is cli.help.server.<name>.
func newServerFlags(name string, o *serverOpts, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("server "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	o.stderr, o.fs = stderr, fs
	o.register(fs)
	if name != "status" { // every other server verb changes the server
		o.registerBackup(fs)
	}
	fs.Usage = verbHelp(stderr, fs, "tunduk-onboard-cli server "+name+" --ssh USER@HOST[:PORT] | --local [FLAGS]")
	return fs
}

// parse parses a server verb's flags (no stray argument: secrets never
// come from the command line), then checks them.
func (o *serverOpts) parse(fs *flag.FlagSet, args []string) error {
	if err := parseFlags(fs, args, "secrets"); err != nil {
		return err
	}
	return o.check()
}

// check validates the shared flags and loads the profile.
func (o *serverOpts) check() error {
	if !oneOf(o.format, "text", "json") {
		return badFormat(o.format, "text", "json")
	}
	if err := checkLang(o.lang); err != nil {
		return err
	}
	if o.local && o.fs != nil {
		if err := localConflict(o.fs); err != nil {
			return err
		}
	}
	o.ssh.lang = o.lang
	var err error
	o.prof, err = loadProfile(o.profile)
	return err
}

// needIDs checks the identifiers with the profile's rules.
func (o *serverOpts) needIDs() error {
	p := o.prof
	data := map[string]any{"Classes": strings.Join(p.Identifiers.MemberClasses, ", ")}
	switch {
	case !p.ValidMemberClass(o.memberClass):
		return errors.New(i18n.T(o.lang, "cli.server.bad_class", data))
	case !p.ValidMemberCode(o.memberCode):
		return errors.New(i18n.T(o.lang, "cli.server.bad_member_code", map[string]any{"Pattern": p.Identifiers.MemberCodePattern}))
	case !p.ValidServerCode(o.serverCode):
		return errors.New(i18n.T(o.lang, "cli.server.bad_server_code", map[string]any{"Pattern": p.Identifiers.ServerCodePattern}))
	}
	return nil
}

func (o *serverOpts) params() configure.Params {
	return configure.Params{Instance: o.prof.XRoad.Instance, MemberClass: o.memberClass, MemberCode: o.memberCode,
		ServerCode: o.serverCode, OrgName: strings.TrimSpace(o.name), CAName: o.prof.CA.Name,
		PINMin: o.prof.Identifiers.SoftwareTokenPINMin, ProfileClass: o.prof.Install.ProfileClass}
}

// readFirstSecrets reads, in this order, the SSH password, the sudo
// password and the admin password from standard input when their
// --*-stdin flags ask for them: install's order. Later secrets (PINs)
// follow on the next lines.
func (o *serverOpts) readFirstSecrets(stdin io.Reader) error {
	o.in = bufio.NewReaderSize(stdin, 4096)
	if err := o.ssh.readSecrets(o.in); err != nil {
		return err
	}
	if o.sudoPasswordStdin {
		pw, err := stdinLine(o.in, "--sudo-password-stdin", secretSudo)
		if err != nil {
			return err
		}
		o.sudoPassword = pw
	}
	if o.adminPasswordStdin {
		pw, err := stdinLine(o.in, "--admin-password-stdin", secretAdmin)
		if err != nil {
			return err
		}
		o.adminPassword = pw
	}
	return nil
}

// askAdmin asks the admin password on the terminal when it was not on
// standard input.
func (o *serverOpts) askAdmin() error {
	if o.adminPassword != "" {
		return nil
	}
	data := map[string]any{"User": o.adminUser}
	pw, err := promptTTY(i18n.T(o.lang, "cli.server.admin_prompt", data))
	if errors.Is(err, errNoTTY) {
		return errors.New(i18n.T(o.lang, "cli.server.admin_needed", data))
	}
	if err != nil {
		return err
	}
	if pw == "" {
		return errors.New(i18n.T(o.lang, "cli.server.admin_needed", data))
	}
	o.adminPassword = pw
	return nil
}

// askPIN reads a PIN from standard input (fromStdin) or the terminal,
// twice when twice (a new PIN). what names it in prompts: "soft" or "hw".
func (o *serverOpts) askPIN(fromStdin, twice bool, flagName, what string) (string, error) {
	if fromStdin {
		return stdinLine(o.in, flagName, secretPIN)
	}
	key := "cli.server." + what + "_pin_prompt"
	data := map[string]any{"Flag": flagName}
	for {
		pin, err := promptTTY(i18n.T(o.lang, key, data))
		if errors.Is(err, errNoTTY) {
			return "", errors.New(i18n.T(o.lang, "cli.server.pin_needed", data))
		}
		if err != nil {
			return "", err
		}
		if !twice {
			return pin, nil
		}
		again, err := promptTTY(i18n.T(o.lang, "cli.server.pin_again", nil))
		if err != nil {
			return "", err
		}
		if pin != "" && pin == again {
			return pin, nil
		}
		fmt.Fprintln(o.stderr, i18n.T(o.lang, "cli.server.pin_differ", nil))
	}
}

// loginSession asks the admin password when standard input did not give
// it, then opens the session under --timeout (see session).
func (o *serverOpts) loginSession(stderr io.Writer) (context.Context, *configure.Session, func(), error) {
	if err := o.askAdmin(); err != nil {
		return nil, nil, nil, err
	}
	return o.session(stderr, o.timeout)
}

// session is connect under a deadline of timeout; done closes the
// session (revoking its API key) and then ends the deadline.
func (o *serverOpts) session(stderr io.Writer, timeout time.Duration) (context.Context, *configure.Session, func(), error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	s, closeSession, err := o.connect(ctx, stderr)
	if err != nil {
		cancel()
		return nil, nil, nil, err
	}
	return ctx, s, func() { closeSession(); cancel() }, nil
}

// connect dials the one target and opens a session on its admin API,
// with a log file of this run (calls, status codes and times; never a
// header or a body). The returned close revokes the API key, hangs up and
// closes the log.
func (o *serverOpts) connect(ctx context.Context, stderr io.Writer) (*configure.Session, func(), error) {
	_, closeLog := setupLog(o.verbose, o.lang, stderr)
	s, hangUp, err := o.open(ctx, stderr)
	if err != nil {
		closeLog()
		return nil, nil, err
	}
	s.SetLog(logrus.StandardLogger())
	logrus.WithFields(logrus.Fields{"ssh": strings.Join(o.ssh.targets, ","), "local": o.local, "admin_user": o.adminUser}).Info("admin API session opened")
	return s, func() {
		hangUp()
		logrus.Info("admin API session closed")
		closeLog()
	}, nil
}

func (o *serverOpts) open(ctx context.Context, stderr io.Writer) (*configure.Session, func(), error) {
	c, err := o.host(ctx, stderr)
	if err != nil {
		return nil, nil, err
	}
	o.h = c
	api := xroad.AdminAPI{Addr: o.adminAPI, CertPath: o.adminAPICert, ProxyJar: o.proxyJar}
	cr := configure.Credentials{User: o.adminUser, Password: o.adminPassword, SudoPassword: o.sudoPassword}
	open := configure.Open
	if o.roles != nil {
		open = func(ctx context.Context, h remote.Host, a xroad.AdminAPI, cr configure.Credentials) (*configure.Session, error) {
			return configure.OpenWith(ctx, h, a, cr, o.roles)
		}
	}
	s, err := open(ctx, c, api, cr)
	if pw := o.askSudo(err); pw != "" {
		// sudo wants a password none was given for: asked on the
		// terminal, as install does, and the opening tried once more.
		cr.SudoPassword = pw
		s, err = open(ctx, c, api, cr)
	}
	cr.SudoPassword = ""
	if err != nil {
		c.Close()
		return nil, nil, cannot(o.lang, err).saying(o.explain(err))
	}
	return s, func() {
		cctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := s.Close(cctx); err != nil {
			fmt.Fprintln(stderr, i18n.T(o.lang, "cli.server.revoke_failed", map[string]any{"Detail": o.explain(err)}))
		}
		c.Close()
	}, nil
}

// askSudo asks the sudo password on the terminal when err says sudo needs
// one that was not given; "" when there is no terminal, nothing typed, or
// another error. A refused password is never asked again.
func (o *serverOpts) askSudo(err error) string {
	var ce *configure.Error
	if o.sudoPasswordStdin || !errors.As(err, &ce) || ce.Key != configure.KeySudoPassword {
		return ""
	}
	prompt := i18n.T(o.lang, "cli.install.sudo_prompt_local", map[string]any{"User": currentUser()})
	if targets, _ := o.ssh.allTargets(); !o.local && len(targets) == 1 {
		prompt = i18n.T(o.lang, "cli.install.sudo_prompt", map[string]any{"Host": targets[0].String()})
	}
	pw, perr := promptTTY(prompt)
	if perr != nil {
		return ""
	}
	return pw
}

// host is the server: this computer with --local (which must be one the
// security server can run on), else the one --ssh target, dialled.
func (o *serverOpts) host(ctx context.Context, stderr io.Writer) (remote.Host, error) {
	if o.local {
		if err := installer.ThisMachine().Check(false); err != nil {
			return nil, cannot(o.lang, err).saying(explainInstall(o.lang, err).text())
		}
		return &remote.Local{}, nil
	}
	targets, err := o.ssh.allTargets()
	if err != nil {
		return nil, err
	}
	if len(targets) != 1 {
		return nil, errKey("cli.err.one_target", map[string]any{"Verb": "server", "Got": len(targets)})
	}
	cfg, err := o.ssh.config(targets[0], stderr)
	if err != nil {
		return nil, err
	}
	c, err := remote.Dial(ctx, cfg)
	if err != nil {
		return nil, cannot(o.lang, err).saying(explain(err, o.lang))
	}
	return c, nil
}

// usageName is a key usage ("auth", "sign", or the API's AUTHENTICATION,
// SIGNING) in the user's language, worded to fit the cli.server.* lines.
func (o *serverOpts) usageName(u string) string {
	switch strings.ToLower(u) {
	case "auth", "authentication":
		return i18n.T(o.lang, "cli.server.usage.auth", nil)
	case "sign", "signing":
		return i18n.T(o.lang, "cli.server.usage.sign", nil)
	}
	return u
}

// backupOnChange has the session take the backup (beforeChange) just
// before its first change, and none when everything is done already: a
// re-run changes nothing, so it leaves no backup either (nor prunes an
// older one away). --no-backup is said at once (nothing is asked of
// the server for it).
func (o *serverOpts) backupOnChange(s *configure.Session, out *serverOut) {
	if o.noBackup {
		o.beforeChange(context.Background(), s.API(), out)
		return
	}
	s.BeforeChange = func(ctx context.Context) error { return o.beforeChange(ctx, s.API(), out) }
}

// explain is a configure error in the user's language.
func (o *serverOpts) explain(err error) string {
	key, data := configure.Explain(err)
	return told(o.lang, key, data)
}
