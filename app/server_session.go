package app

// How the Configure and Register steps reach the security server's admin
// API: the Server step's SSH settings (host keys checked as everywhere
// else) and a tunnel to the API, or on this computer the API directly;
// then an API key made with the X-Road admin user's password. Every piece
// of work opens its own session and closes it (revoking the API key) when
// done, cancelled or left, so no key outlives the work it was made for.

import (
	"context"
	"errors"
	"os"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
)

// serverSession is an open admin API session and the connection under
// it (SSH, or this computer).
type serverSession struct {
	*configure.Session
	client remote.Host
}

// close revokes the API key and hangs up. It has its own deadline: a
// cancelled run must still revoke its key.
func (s *serverSession) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.Session.Close(ctx); err != nil {
		log.WithError(errors.New(i18n.Line(err.Error(), 600))).Warn("admin API key not revoked")
	}
	_ = s.client.Close()
}

// adminCredentials is the X-Road admin login: the Install step's when its
// form holds a confirmed password (typed this run), else the Configure
// step's. fromInstall tells which.
func (wz *wizard) adminCredentials() (cr configure.Credentials, fromInstall, ok bool) {
	if f := wz.install.form; f.AdminPassword != "" && f.AdminPassword == f.AdminPassword2 && installer.ValidUserName(strings.TrimSpace(f.AdminUser)) {
		return configure.Credentials{User: strings.TrimSpace(f.AdminUser), Password: f.AdminPassword}, true, true
	}
	f := wz.configure.form
	cr = configure.Credentials{User: strings.TrimSpace(f.AdminUser), Password: f.AdminPassword}
	return cr, false, cr.User != "" && cr.Password != ""
}

// sudoPassword is the login user's sudo password for reading the admin
// API's certificate on the server (X-Road keeps it from users other than
// root and xroad): the one typed on the Install step this run, else the
// one typed on Configure or Register; "" when none (root, or
// passwordless sudo, need none). In memory only.
func (wz *wizard) sudoPassword() (pw string, fromInstall bool) {
	if pw := wz.install.form.SudoPassword; pw != "" {
		return pw, true
	}
	return wz.configure.form.SudoPassword, false
}

// askSudo: Configure and Register offer a sudo password field. They do
// for a login that is not root (the Server step's SSH user, or the user
// the wizard runs as on this computer) unless the Install step holds one
// this run: then it is used without asking. The field is optional (a
// user with passwordless sudo leaves it empty) and shown from the start,
// not after a failure: the status is read as soon as Configure opens, and
// on Ubuntu's default sudo a login that is not root needs it there.
func (wz *wizard) askSudo() bool {
	if _, fromInstall := wz.sudoPassword(); fromInstall {
		return false
	}
	if srv := wz.state.Server; srv.Remote {
		return strings.TrimSpace(srv.User) != "root"
	}
	return !wz.install.machine().Root
}

// sudoItem is the sudo password field of Configure and Register, bound
// to val (the Configure form's, in memory only).
func sudoItem(val *string, changed func()) (*widget.Entry, *widget.FormItem) {
	e := entryFor(val, T("configure.sudo_placeholder"), true, changed)
	return e, &widget.FormItem{Text: T("configure.sudo_password"), Widget: e, HintText: T("configure.sudo_hint")}
}

// loginItems are the form items a step with server work asks for: the
// X-Road admin login unless Install or Configure holds it this run (the
// Configure form's in-memory fields, never saved: a later step often
// runs days later, in a new run of the wizard), and the sudo password
// when askSudo. changed runs after each edit. user, pw and sudo are nil
// when not asked.
func (wz *wizard) loginItems(changed func()) (items []*widget.FormItem, user, pw, sudo *widget.Entry) {
	if _, _, ok := wz.adminCredentials(); !ok {
		cf := &wz.configure.form
		user = entryFor(&cf.AdminUser, "xrdadmin", false, func() { wz.configure.saveForm(); changed() })
		pw = entryFor(&cf.AdminPassword, "", true, changed)
		items = append(items, widget.NewFormItem(T("configure.admin_user"), user),
			&widget.FormItem{Text: T("configure.admin_password"), Widget: pw, HintText: T("configure.secret_hint")})
	}
	if wz.askSudo() {
		var item *widget.FormItem
		sudo, item = sudoItem(&wz.configure.form.SudoPassword, changed)
		items = append(items, item)
	}
	return items, user, pw, sudo
}

// params is what the server is initialised with, from the Organisation
// step and the operator profile.
func (wz *wizard) params() configure.Params {
	o := wz.state.Org
	return configure.Params{Instance: wz.profile.XRoad.Instance, MemberClass: o.MemberClass,
		MemberCode: strings.TrimSpace(o.MemberCode), ServerCode: strings.TrimSpace(o.ServerCode),
		OrgName: strings.TrimSpace(o.Name), CAName: wz.profile.CA.Name, PINMin: wz.profile.Identifiers.SoftwareTokenPINMin,
		ProfileClass: wz.profile.Install.ProfileClass}
}

// sessionRunner runs one piece of server work at a time in a goroutine:
// open a session, work, close it, report back on the UI goroutine.
type sessionRunner struct {
	wz       *wizard
	api      xroad.AdminAPI // where the admin API listens on the server
	busy     string         // what runs now ("" idle)
	cancelFn context.CancelFunc

	roles    []string     // the API key's roles; nil: the configure flow's
	uiDo     func(func()) // fyne.Do; tests route it through a pump
	afterRun func()       // tests: called on the UI goroutine when work ends
}

// sessionInput is what a run needs from the UI, copied on the UI
// goroutine before the work starts.
type sessionInput struct {
	srv Server
	cr  configure.Credentials
	p   configure.Params
}

// errNoAdmin: the admin user or password is missing.
var errNoAdmin = errors.New("the X-Road admin user and password are needed")

// start runs work in a session. done runs on the UI goroutine with the
// outcome; refresh redraws the page after each change of state.
func (r *sessionRunner) start(what string, work func(ctx context.Context, s *serverSession, in sessionInput) error,
	done func(error), refresh func()) {
	if r.busy != "" {
		return
	}
	wz := r.wz
	cr, _, ok := wz.adminCredentials()
	if !ok {
		done(errNoAdmin)
		refresh()
		return
	}
	cr.SudoPassword, _ = wz.sudoPassword()
	in := sessionInput{srv: wz.state.Server, cr: cr, p: wz.params()} // copies, with the in-memory secrets
	ctx, cancel := context.WithCancel(context.Background())
	r.busy, r.cancelFn = what, cancel
	refresh()
	api := r.api
	go func() {
		err := func() error {
			s, err := wz.openSession(ctx, in, api, r.roles)
			if err != nil {
				return err
			}
			defer s.close()
			return work(ctx, s, in)
		}()
		cancel()
		in.cr.Password, in.cr.SudoPassword = "", ""
		if err != nil && !in.srv.Remote {
			err = localError{err}
		}
		if err != nil {
			log.WithField("work", what).WithError(errors.New(i18n.Line(err.Error(), 600))).Warn("server work stopped")
		} else {
			log.WithField("work", what).Info("server work done")
		}
		r.uiDo(func() {
			r.busy, r.cancelFn = "", nil
			done(err)
			refresh()
			if r.afterRun != nil {
				r.afterRun()
			}
		})
	}()
}

// cancel stops the work under way (its session is closed on the way out).
func (r *sessionRunner) cancel() {
	if r.cancelFn != nil {
		r.cancelFn()
	}
}

// adminAPI is where the admin API listens on the server: X-Road's own
// place, or the one TUNDUK_ONBOARD_ADMIN_API, _CERT and
// TUNDUK_ONBOARD_PROXY_JAR name (the CLI's --admin-api, --admin-api-cert
// and --proxy-jar, for experts; the real-window walk, build/window, points
// the wizard at the admin API fake with them).
func adminAPI() xroad.AdminAPI {
	api := xroad.DefaultAdminAPI
	if v := strings.TrimSpace(os.Getenv(envAdminAPI)); v != "" {
		api.Addr = v
	}
	if v := strings.TrimSpace(os.Getenv(envAdminAPICert)); v != "" {
		api.CertPath = v
	}
	if v := strings.TrimSpace(os.Getenv(envProxyJar)); v != "" {
		api.ProxyJar = v
	}
	return api
}

// openSession dials the server with the Server step's settings (or takes
// this computer) and makes an API key.
func (wz *wizard) openSession(ctx context.Context, in sessionInput, api xroad.AdminAPI, roles []string) (*serverSession, error) {
	c, err := wz.dial(ctx, in.srv)
	if err != nil {
		return nil, err
	}
	open := configure.Open
	if roles != nil {
		open = func(ctx context.Context, h remote.Host, a xroad.AdminAPI, cr configure.Credentials) (*configure.Session, error) {
			return configure.OpenWith(ctx, h, a, cr, roles)
		}
	}
	s, err := open(ctx, c, api, in.cr)
	if err != nil {
		_ = c.Close()
		return nil, err
	}
	return &serverSession{Session: s, client: c}, nil
}

// dial reaches the server of srv over SSH (its host key checked as
// everywhere else), or takes this computer when the wizard runs on it.
func (wz *wizard) dial(ctx context.Context, srv Server) (remote.Host, error) {
	if !srv.Remote {
		return &remote.Local{}, nil
	}
	cfg, err := srv.SSHConfig(func(host, fp, keyType string) bool { return wz.askHostKey(ctx, host, fp, keyType) })
	if err != nil {
		return nil, err
	}
	c, err := remote.Dial(ctx, cfg)
	if err != nil {
		return nil, err // not a nil *Client in a Host
	}
	return c, nil
}

// sessionErrorCard tells why server work stopped, in the user's words:
// the configure package's own message when it has one, else the SSH
// layer's explanation.
func sessionErrorCard(err error) fyne.CanvasObject {
	if c := backupErrorCard(err); c != nil {
		return c
	}
	switch {
	case errors.Is(err, context.Canceled):
		return card(theme.NewDisabledResource(theme.InfoIcon()), T("configure.cancelled"), T("configure.cancelled.todo"))
	case errors.Is(err, errNoAdmin):
		return messageCard(T("configure.no_admin"), T("configure.no_admin.todo"), "")
	}
	var ce *configure.Error
	var le localError // no SSH here: the flow's own words
	if errors.As(err, &ce) || errors.As(err, &le) || !isConnError(err) {
		detail := "" // the message says it all; a cause is shown when there is one
		if ce == nil {
			detail = i18n.Line(err.Error(), 600)
		} else if ce.Err != nil {
			detail = i18n.Line(ce.Err.Error(), 600)
		}
		return messageCard(sessionErrorText(err), T("configure.error_todo"), detail)
	}
	e := explain(err)
	return messageCard(T(e.What, e.Data), T(e.Todo, e.Data), e.Detail)
}

// isConnError: the SSH layer knows this error (connection, login, host key).
func isConnError(err error) bool {
	kind, _ := remote.Classify(err)
	return kind != "" && kind != remote.KindOther
}

// sessionErrorText is the configure package's message for err.
func sessionErrorText(err error) string {
	key, data := configure.Explain(err)
	return i18n.T(CurrentLanguage(), key, data)
}

// configureErrKey is a key of the configure package's own messages
// (assets/translations/report), read with i18n.T, never with T.
func configureErrKey(name string) string { return "configure.err." + name }
