package app

// The Connect step's first real call: listMethods for the shown
// subsystem to its own server's client side, through the SSH connection
// (or on this computer), as the information system would make it. A
// subsystem whose information system connects over HTTPS is called on the
// HTTPS port, pinned to the server's internal TLS certificate (read
// through the admin API in the same session); with client
// authentication (HTTPS) the call carries the information system's key
// and certificate, chosen as files and read only for the call.

import (
	"context"
	"crypto/tls"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/metaservice"
)

// envClientSide and envClientSideHTTPS point the first call at another
// client side than the server's own http://127.0.0.1:8080 and
// https://127.0.0.1:8443 (as the server sees them; the real-window
// walk's stand-in).
const (
	envClientSide      = "TUNDUK_ONBOARD_CLIENT_SIDE"
	envClientSideHTTPS = "TUNDUK_ONBOARD_CLIENT_SIDE_HTTPS"
)

// overHTTPS: the information system of a subsystem with this connection
// type calls the client side over HTTPS (X-Road refuses its plain HTTP:
// IsAuthentication.verifyClientAuthentication).
func overHTTPS(conn string) bool { return conn == xroad.ConnHTTPS || conn == xroad.ConnHTTPSNoAuth }

// clientSide is the client side a subsystem with connection type conn is
// called on, as the server sees it.
func clientSide(conn string) string {
	env, url := envClientSide, "http://127.0.0.1:"+metaservice.DefaultHTTPPort
	if overHTTPS(conn) {
		env, url = envClientSideHTTPS, "https://127.0.0.1:"+metaservice.DefaultHTTPSPort
	}
	if v := strings.TrimSpace(os.Getenv(env)); v != "" {
		return v
	}
	return url
}

// callForm is the information system's certificate and key for a call
// with client authentication: each a path with its chooser.
func (cs *connectStep) callForm() *fyne.Container {
	v := cs.v
	file := func(placeholder string, field func(*onboarding.ConnectSubsystem) *string) (*widget.Entry, fyne.CanvasObject) {
		e := widget.NewEntry()
		e.SetPlaceHolder(placeholder)
		e.OnChanged = func(p string) {
			if s := cs.cur(); s != nil && *field(s) != strings.TrimSpace(p) {
				*field(s) = strings.TrimSpace(p)
				cs.save()
			}
		}
		browse := widget.NewButtonWithIcon("", theme.FolderOpenIcon(), func() {
			chooseFile(cs.wz.win, e.SetText) // OnChanged keeps it
		})
		return e, container.NewBorder(nil, nil, nil, browse, e)
	}
	var certRow, keyRow fyne.CanvasObject
	v.callCert, certRow = file("is-client.crt", func(s *onboarding.ConnectSubsystem) *string { return &s.CallCertFile })
	v.callKey, keyRow = file("is-client.key", func(s *onboarding.ConnectSubsystem) *string { return &s.CallKeyFile })
	f := widget.NewForm(
		&widget.FormItem{Text: T("connect.call_cert"), Widget: certRow},
		&widget.FormItem{Text: T("connect.call_key"), Widget: keyRow})
	f.Orientation = widget.Vertical
	return container.NewVBox(f, wrappedLow(T("connect.call_key.hint")))
}

// renderCallForm shows the certificate and key of the shown subsystem,
// for a subsystem with client authentication only.
func (cs *connectStep) renderCallForm() {
	v, s := cs.v, cs.cur()
	showIf(v.callFiles, s != nil && s.Connection == xroad.ConnHTTPS)
	if s == nil {
		return
	}
	for e, p := range map[*widget.Entry]string{v.callCert: s.CallCertFile, v.callKey: s.CallKeyFile} {
		if strings.TrimSpace(e.Text) != p {
			e.SetText(p) // another subsystem shown
		}
	}
	about := T("connect.call.about")
	if overHTTPS(s.Connection) {
		about = T("connect.call.about_https", map[string]any{"URL": i18n.Line(clientSide(s.Connection), 200)})
	}
	v.callAbout.SetText(about)
}

// callPair reads the information system's key and certificate for a call
// with client authentication; nil for a subsystem that needs none. The
// key's bytes live only until the pair is made. Errors: *fileError (a
// file not read), *pairError (none given, or not a pair).
func callPair(s onboarding.ConnectSubsystem) (*tls.Certificate, error) {
	if s.Connection != xroad.ConnHTTPS {
		return nil, nil
	}
	if s.CallCertFile == "" || s.CallKeyFile == "" {
		return nil, &pairError{key: "connect.call.pair_needed"}
	}
	certPEM, err := readcap.ReadFile(s.CallCertFile, readcap.Certificate)
	if err != nil {
		return nil, &fileError{path: s.CallCertFile, key: "connect.call.cert_unreadable", err: err}
	}
	keyPEM, err := readcap.ReadFile(s.CallKeyFile, readcap.Key)
	if err != nil {
		return nil, &fileError{path: s.CallKeyFile, key: "connect.call.key_unreadable", err: err}
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	clear(keyPEM)
	if err != nil {
		// crypto/tls's words name a PEM block, never the key's bytes;
		// the user's words say what to give instead.
		return nil, &pairError{key: "connect.call.pair_bad", cert: s.CallCertFile, keyFile: s.CallKeyFile}
	}
	return &pair, nil
}

// pairError: no key and certificate given, or the key is not the
// certificate's (or no unencrypted key at all).
type pairError struct{ key, cert, keyFile string }

func (e *pairError) Error() string { return e.key + ": " + e.cert + ", " + e.keyFile }

// text is the problem in the user's words: the files' names, escaped.
func (e *pairError) text() string {
	return T(e.key, map[string]any{"Cert": i18n.Line(filepath.Base(e.cert), 200), "Key": i18n.Line(filepath.Base(e.keyFile), 200)})
}

// firstCall sends listMethods for the shown subsystem to its own server's
// client side, through the SSH connection (or on this computer), as the
// information system would.
func (cs *connectStep) firstCall() {
	s := cs.cur()
	if s == nil {
		return
	}
	cs.outcome, cs.callErr, cs.callRes, cs.callPre = nil, nil, nil, ""
	pair, err := callPair(*s)
	if err != nil {
		cs.callPre = callPairText(err)
		cs.refresh()
		return
	}
	p := cs.params()
	id := metaservice.ID{Instance: p.Instance, MemberClass: p.MemberClass, MemberCode: p.MemberCode, Subsystem: s.Code}
	url := clientSide(s.Connection)
	var res metaservice.Result
	var callErr error
	cs.start("call", func(ctx context.Context, ss *serverSession, in sessionInput) error {
		tg := metaservice.Target{URL: url, Via: ss.client, ClientCert: pair}
		if strings.HasPrefix(url, "https:") {
			var err error
			if tg.ServerCertPEM, err = internalTLS(ctx, ss.API()); err != nil {
				return err
			}
		}
		res, callErr = metaservice.Call(ctx, tg, metaservice.Request{Client: id, Provider: id, Method: metaservice.ListMethods})
		return nil // the call's failure is the answer shown, not the session's
	}, func(err error) {
		if err != nil {
			cs.fail(err)
			return
		}
		fc := &onboarding.FirstCall{At: time.Now().UTC(), Client: id.String(), OK: callErr == nil, Services: len(res.Services), URL: url}
		if callErr != nil {
			fc.Reason, _ = metaservice.Explain(callErr)
		}
		cs.call, cs.callRes, cs.callErr = fc, res.Services, callErr
		cs.save()
	}, cs.refresh)
}

// callPairText is a key or certificate not read or not a pair, in the
// user's words (the files' names, never their bytes).
func callPairText(err error) string {
	var pe *pairError
	var fe *fileError
	switch {
	case errors.As(err, &pe):
		return pe.text()
	case errors.As(err, &fe):
		return fe.text()
	}
	return i18n.Line(err.Error(), i18n.MaxLine)
}

// callText is a failed first call in the user's words, the server's own
// words escaped (metaservice.Explain cleans them).
func callText(err error, url string) string {
	key, data := metaservice.Explain(err)
	full := callData(url)
	for k, v := range data {
		full[k] = v
	}
	return i18n.T(CurrentLanguage(), key, full)
}

// callData are the keys the call.err.* texts share, so a reason kept in
// the record (without its details) shows no "<no value>".
func callData(url string) map[string]any {
	return map[string]any{"Message": "-", "Type": "-", "URL": i18n.Line(url, 200), "Reason": "-", "Status": "-",
		"Limit": 4, "Error": "-", "ID": "-", "Method": "-"}
}
