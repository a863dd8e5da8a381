package main

// The last mile's front-end verbs that need no admin API session:
// "call test" (the first real call through the security server, as the
// information system makes it), "client notify" (the letter to the
// operator, connect_call_notify.go) and "service export" (the
// subsystems and services for the operator's Catalogue).

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/metaservice"
)

// runCall is "call": its one sub-command, test.
func runCall(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "test" {
		return runCallTest(args[1:], stdin, stdout, stderr)
	}
	return subUsage(stderr, langOf(args), "call", args, []string{
		"tunduk-onboard-cli call test --client ID [--client-side-url URL | --ssh USER@HOST] [FLAGS]"})
}

// "client notify" and "service export" join the connect flow's groups
// (apiverb.go's runGroup finds them there).
func init() {
	for group, verbs := range map[string]map[string]func([]string, io.Reader, io.Writer, io.Writer) error{
		"client":  {"notify": runClientNotify},
		"service": {"export": runServiceExport},
	} {
		if groupExtras[group] == nil {
			groupExtras[group] = map[string]func([]string, io.Reader, io.Writer, io.Writer) error{}
		}
		for name, f := range verbs {
			groupExtras[group][name] = f
		}
	}
}

// subUsage is a group called without (or with an unknown) sub-command.
func subUsage(w io.Writer, lang, group string, args []string, lines []string) error {
	help := func(w io.Writer) {
		fmt.Fprintf(w, "%s\n", i18n.T(lang, "cli.help.usage", nil))
		for _, l := range lines {
			fmt.Fprintln(w, "  "+l)
		}
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		help(w)
		return errUsage
	}
	return unknownVerb(w, lang, group, args[0], help)
}

// callOpts are the flags of "call test".
type callOpts struct {
	url, client, provider, method string
	serverCert, isCert, isKey     string
	queryID, userID               string
	common                        submitCommon // format, lang, verbose
	ssh                           sshFlags
	lang                          string
	// Over SSH with https and no --server-cert: the internal TLS
	// certificate read on the server (connect_call_cert.go).
	serverCertPath    string
	sudoPasswordStdin bool
	in                *bufio.Reader // standard input: SSH, then sudo password
}

// callOut is the JSON answer of "call test".
type callOut struct {
	URL      string                `json:"url"`
	Client   string                `json:"client"`
	Provider string                `json:"service_provider"`
	Method   string                `json:"method"`
	OK       bool                  `json:"ok"`
	Services []metaservice.Service `json:"services"`
	QueryID  string                `json:"query_id,omitempty"`
	Elapsed  int64                 `json:"elapsed_ms"`
	Error    *submitErrJSON        `json:"error,omitempty"`
}

// flags is the flag set of "call test", its help written to w.
func (o *callOpts) flags(w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("call test", flag.ContinueOnError)
	fs.SetOutput(w)
	fs.StringVar(&o.url, "client-side-url", "", "the security server's client side: http://HOST:8080 or https://HOST:8443 (with --ssh: as the server sees it, default http://127.0.0.1:8080)")
	fs.StringVar(&o.client, "client", "", "the calling subsystem `ID`: INSTANCE/CLASS/MEMBER/SUBSYSTEM")
	fs.StringVar(&o.provider, "service-provider", "", "the subsystem `ID` asked about (default: --client, the subsystem asks about itself)")
	fs.StringVar(&o.method, "method", metaservice.ListMethods, "listMethods (every REST service) or allowedMethods (those open to --client)")
	fs.StringVar(&o.serverCert, "server-cert", "", "https: the security server's internal TLS certificate `FILE` (PEM), the only one trusted (with --ssh: read on the server when not given)")
	fs.StringVar(&o.isCert, "is-cert", "", "https with client authentication: the information system's certificate `FILE` (PEM)")
	fs.StringVar(&o.isKey, "is-key", "", "the information system's private key `FILE` (PEM) for --is-cert")
	fs.StringVar(&o.queryID, "query-id", "", "X-Road-Id of the call (default: the server makes one)")
	fs.StringVar(&o.userID, "user-id", "", "X-Road-UserId of the call, e.g. KG12345678901234")
	fs.StringVar(&o.common.format, "format", "text", "output format: text or json")
	fs.StringVar(&o.common.lang, "lang", defaultLang(), "language of the help, prompts, messages and text output: en, ru or ky")
	fs.BoolVar(&o.common.verbose, "verbose", false, "log debug details to standard error too")
	o.ssh.register(fs, "reach the client side through an SSH connection to the security server `USER@HOST[:PORT]`")
	fs.BoolVar(&o.sudoPasswordStdin, "sudo-password-stdin", false, "read the sudo password from standard input (else asked on the terminal when sudo needs one)")
	fs.StringVar(&o.serverCertPath, "server-cert-path", configure.InternalCertPath, "advanced: with --ssh and https, `PATH` of the internal TLS certificate on the server, read there when --server-cert is not given")
	fs.Usage = verbHelp(w, fs, "tunduk-onboard-cli call test --client ID [--service-provider ID] [--client-side-url URL | --ssh USER@HOST] [FLAGS]")
	return fs
}

func runCallTest(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var o callOpts
	r, ctx, done, err := startSubmitRun(o.flags(stderr), args, &o.common, stdout, stderr)
	if err != nil {
		return err
	}
	defer done()
	o.lang, o.ssh.lang = r.lang, r.lang
	return o.run(ctx, stdin, stdout, stderr)
}

func (o *callOpts) run(ctx context.Context, stdin io.Reader, stdout, stderr io.Writer) error {
	req, tg, err := o.request()
	if err != nil {
		return cannot(o.lang, err).saying(o.tell(err))
	}
	if len(o.ssh.targets) > 0 || o.ssh.hostsFile != "" {
		h, err := o.dial(ctx, stdin, stderr)
		if err != nil {
			return err
		}
		defer h.Close()
		tg.Via = h
		if tg.URL == "" {
			tg.URL = "http://127.0.0.1:" + metaservice.DefaultHTTPPort
		}
		if strings.HasPrefix(strings.ToLower(tg.URL), "https:") && len(tg.ServerCertPEM) == 0 {
			if tg.ServerCertPEM, err = o.internalCert(ctx, h); err != nil {
				return err
			}
		}
	}
	out := callOut{URL: tg.URL, Client: req.Client.String(), Provider: req.Provider.String(), Method: req.Method, Services: []metaservice.Service{}}
	res, err := metaservice.Call(ctx, tg, req)
	if err != nil {
		key, _ := metaservice.Explain(err)
		msg := o.tell(err)
		out.Error = &submitErrJSON{Key: key, Message: msg}
		o.print(stdout, out)
		code := exitFailed // the server answered: the path has a fault to mend
		var me *metaservice.Error
		if errors.As(err, &me) && me.Type == "" {
			code = exitCannot // nothing answered as a security server
		}
		return &userError{code: code, lang: o.lang, text: msg, err: err}
	}
	out.OK, out.Services, out.QueryID, out.Elapsed = true, res.Services, res.QueryID, res.Elapsed.Milliseconds()
	o.print(stdout, out)
	return nil
}

// request reads the flags into the call and its target, files included.
func (o *callOpts) request() (metaservice.Request, metaservice.Target, error) {
	req := metaservice.Request{Method: o.method, QueryID: o.queryID, UserID: o.userID}
	tg := metaservice.Target{URL: o.url}
	if o.client == "" {
		return req, tg, errKey("cli.call.err_no_client", nil)
	}
	var err error
	if req.Client, err = metaservice.ParseID(o.client); err != nil {
		return req, tg, err
	}
	req.Provider = req.Client
	if o.provider != "" {
		if req.Provider, err = metaservice.ParseID(o.provider); err != nil {
			return req, tg, err
		}
	}
	if len(o.ssh.targets) == 0 && o.ssh.hostsFile == "" && o.url == "" {
		return req, tg, errKey("cli.call.err_no_url", nil)
	}
	if o.serverCert != "" {
		if tg.ServerCertPEM, err = readcap.ReadFile(o.serverCert, readcap.Certificate); err != nil {
			return req, tg, &fileErr{op: "read", path: o.serverCert, err: err}
		}
	}
	if (o.isCert == "") != (o.isKey == "") {
		return req, tg, errKey("cli.call.err_is_pair", nil)
	}
	if o.isCert != "" {
		certPEM, err := readcap.ReadFile(o.isCert, readcap.Certificate)
		if err != nil {
			return req, tg, &fileErr{op: "read", path: o.isCert, err: err}
		}
		keyPEM, err := readcap.ReadFile(o.isKey, readcap.Key)
		if err != nil {
			return req, tg, &fileErr{op: "read", path: o.isKey, err: err}
		}
		pair, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return req, tg, errKey("cli.call.err_is_pair_bad", map[string]any{"Cert": o.isCert, "Key": o.isKey})
		}
		tg.ClientCert = &pair
	}
	return req, tg, nil
}

// dial connects to the one --ssh target.
func (o *callOpts) dial(ctx context.Context, stdin io.Reader, stderr io.Writer) (remote.Host, error) {
	if err := o.ssh.checkFiles(); err != nil {
		return nil, cannot(o.lang, err)
	}
	o.in = bufio.NewReaderSize(stdin, 4096) // one reader: the sudo password follows
	if err := o.ssh.readSecrets(o.in); err != nil {
		return nil, cannot(o.lang, err)
	}
	targets, err := o.ssh.allTargets()
	if err != nil {
		return nil, cannot(o.lang, err)
	}
	if len(targets) != 1 {
		return nil, cannot(o.lang, errKey("cli.err.one_target", map[string]any{"Verb": "call test", "Got": len(targets)}))
	}
	cfg, err := o.ssh.config(targets[0], stderr)
	if err != nil {
		return nil, cannot(o.lang, err)
	}
	c, err := remote.Dial(ctx, cfg)
	if err != nil {
		return nil, cannot(o.lang, err).saying(explain(err, o.lang))
	}
	return c, nil
}

// tell is err in the user's language: a call's explanation (with the
// CLI's hint), a file's or a flag's.
func (o *callOpts) tell(err error) string {
	var me *metaservice.Error
	if errors.As(err, &me) {
		key, data := metaservice.Explain(err)
		return told(o.lang, key, data)
	}
	var te interface{ In(string) string }
	if errors.As(err, &te) {
		return te.In(o.lang)
	}
	return i18n.Line(err.Error(), i18n.MaxLine)
}

// print writes the result: one JSON object, or lines for people with
// every text from the server escaped.
func (o *callOpts) print(w io.Writer, out callOut) {
	if o.common.format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(out)
		return
	}
	if !out.OK {
		return // the error is told on stderr
	}
	fmt.Fprintln(w, i18n.T(o.lang, "cli.call.ok", map[string]any{"Provider": out.Provider, "Count": len(out.Services),
		"URL": i18n.Line(out.URL, 200), "Elapsed": (time.Duration(out.Elapsed) * time.Millisecond).String()}))
	for _, s := range out.Services {
		var eps []string
		for _, e := range s.Endpoints {
			eps = append(eps, i18n.Line(e.Method+" "+e.Path, 200))
		}
		fmt.Fprintf(w, "  %s (%s)", i18n.Line(s.Code, 200), i18n.Line(s.Type, 40))
		if len(eps) > 0 {
			fmt.Fprintf(w, ": %s", strings.Join(eps, ", "))
		}
		fmt.Fprintln(w)
	}
	if len(out.Services) == 0 {
		fmt.Fprintln(w, i18n.T(o.lang, "cli.call.no_services", nil))
	}
	if out.QueryID != "" {
		fmt.Fprintln(w, i18n.T(o.lang, "cli.call.query_id", map[string]any{"ID": i18n.Line(out.QueryID, 200)}))
	}
}

// exportOpts are the flags of "service export".
type exportOpts struct {
	inv, format, out, name, serverCode, lang, profile string
	verbose                                           bool
	live                                              liveOpts
}

// flags is the flag set of "service export", its help written to w.
func (o *exportOpts) flags(w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("service export", flag.ContinueOnError)
	fs.SetOutput(w)
	fs.StringVar(&o.inv, "inventory", "", "the subsystems and services, a JSON `FILE` (an array of {Instance, MemberClass, MemberCode, Code, Name, Status, Services})")
	fs.StringVar(&o.format, "format", "csv", "export format: csv or json")
	fs.StringVar(&o.out, "out", "", "write the export to `FILE` (- or none: standard output)")
	fs.StringVar(&o.name, "name", "", "the organisation's name, for the export's organisation field")
	fs.StringVar(&o.serverCode, "server-code", "", "the security server's `CODE` (Latin letters, digits)")
	fs.StringVar(&o.lang, "lang", defaultLang(), "language of the help, prompts, messages and text output: en, ru or ky")
	fs.StringVar(&o.profile, "profile", "", "operator profile `FILE` (default: the embedded Tunduk profile)")
	fs.BoolVar(&o.verbose, "verbose", false, "log debug details to standard error too")
	o.live.register(fs)
	fs.Usage = verbHelp(w, fs, `tunduk-onboard-cli service export --inventory FILE [--format csv|json] [--out FILE] [FLAGS]
       tunduk-onboard-cli service export --ssh USER@HOST[:PORT] | --local [--format csv|json] [--out FILE] [FLAGS]`)
	return fs
}

// runServiceExport is "service export": the Catalogue's rows from an
// inventory, written whole to --out (or standard output).
func runServiceExport(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var o exportOpts
	fs := o.flags(stderr)
	if err := parseFlags(fs, args, "secrets"); err != nil {
		return flagErr(err, func(err error) error { return cannot(o.lang, err) })
	}
	if err := checkLang(o.lang); err != nil {
		return cannot(defaultLang(), err)
	}
	if (o.inv == "") == !o.live.given() {
		return cannot(o.lang, errKey("cli.export.err_no_inventory", nil))
	}
	if o.live.given() {
		if err := o.live.check(o.lang); err != nil {
			return cannot(o.lang, err)
		}
	}
	_, closeLog := setupLog(o.verbose, o.lang, stderr)
	defer closeLog()
	p, err := loadProfile(o.profile)
	if err != nil {
		return cannot(o.lang, err)
	}
	var subs []enroll.CatalogueSubsystem
	if o.inv != "" {
		subs, err = readInventory(o.inv)
	} else {
		subs, _, err = o.live.read(stdin, stderr)
	}
	var ue *userError
	if err != nil && !errors.As(err, &ue) {
		return cannot(o.lang, err)
	} else if err != nil {
		return err // told already, with its exit code
	}
	owner := enroll.CatalogueOwner{Name: o.name, ServerCode: o.serverCode}
	if o.out == "" || o.out == "-" {
		var data []byte
		switch o.format {
		case "csv":
			data, err = enroll.CatalogueCSV(p.Catalogue.Fields, owner, subs)
		case "json":
			data, err = enroll.CatalogueJSON(p.Catalogue, owner, subs)
		default:
			err = &enroll.Error{Key: "enroll.err.catalogue_format", Data: map[string]any{"Format": o.format}}
		}
		if err == nil {
			_, err = stdout.Write(data)
		}
	} else if err = enroll.WriteCatalogue(o.out, o.format, p.Catalogue, owner, subs); err == nil {
		fmt.Fprintln(stdout, i18n.T(o.lang, "cli.export.written", map[string]any{"File": o.out, "Rows": len(enroll.CatalogueRows(p.Catalogue.Fields, owner, subs)), "URL": p.Catalogue.URL}))
	}
	if err != nil {
		key, data := enroll.Explain(err)
		return cannot(o.lang, err).saying(told(o.lang, key, data))
	}
	return nil
}
