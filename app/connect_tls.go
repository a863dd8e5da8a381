package app

// The information system's TLS certificate for a subsystem with client
// authentication: from a file, or read from the information system's
// HTTPS address through the SSH connection (connect.FetchCert: the
// certificate the security server will meet), shown with its fingerprint
// and added only once the user confirms it. A confirmed certificate is
// kept as a file beside the onboarding record and joins the subsystem's
// certificate files, so the plan trusts it on the server as any other.

import (
	"context"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/connect"
)

// chooseTLS adds a certificate file the user chooses.
func (cs *connectStep) chooseTLS() {
	chooseFile(cs.wz.win, func(path string) {
		cs.outcome = nil
		if err := cs.addTLSFile(path); err != nil {
			cs.fail(err)
		}
		cs.refresh()
	})
}

// peerURL is what the user typed as an HTTPS address: host:port or a
// bare host is taken as https://.
func peerURL(typed string) string {
	t := strings.TrimSpace(typed)
	if t != "" && !strings.Contains(t, "://") {
		t = "https://" + t
	}
	return t
}

// fetchTLS reads the certificate the information system presents at the
// address typed and asks the user whether to trust it.
func (cs *connectStep) fetchTLS() {
	s := cs.cur()
	if s == nil || cs.v == nil {
		return
	}
	raw, code := peerURL(cs.v.tlsURL.Text), s.Code
	var pc *connect.PeerCert
	cs.outcome = nil
	cs.start("tls_fetch", func(ctx context.Context, ss *serverSession, in sessionInput) error {
		var err error
		pc, err = connect.FetchCert(ctx, ss.client.DialTCP, raw)
		return err
	}, func(err error) {
		if err != nil {
			cs.fail(err)
			return
		}
		cs.confirmPeer(code, pc)
	}, cs.refresh)
}

// confirmPeer shows what the information system presented; only Trust
// adds it (to subsystem code, the one shown when it was read).
func (cs *connectStep) confirmPeer(code string, pc *connect.PeerCert) {
	trust := T("connect.tls_fetch.untrusted")
	if pc.Trusted {
		trust = T("connect.tls_fetch.trusted")
	}
	mono := func(s string) *widget.Label {
		l := widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
		l.Wrapping, l.Selectable = fyne.TextWrapWord, true
		return l
	}
	// PeerCert's subject and issuer are clean lines already; escaped
	// again here, as every text from a host where it is shown.
	form := widget.NewForm(
		widget.NewFormItem(T("connect.tls_fetch.subject"), mono(subjectText(i18n.Line(pc.Subject, i18n.MaxLine)))),
		widget.NewFormItem(T("connect.tls_fetch.issuer"), mono(subjectText(i18n.Line(pc.Issuer, i18n.MaxLine)))),
		widget.NewFormItem(T("connect.tls_fetch.valid"), mono(T("connect.tls_fetch.valid_range",
			map[string]any{"From": pc.NotBefore.Format("2006-01-02"), "To": pc.NotAfter.Format("2006-01-02")}))),
		widget.NewFormItem("SHA-256", fingerprintLabel(pc.SHA256)),
	)
	content := container.NewVBox(
		wrapped(T("connect.tls_fetch.intro", map[string]any{"Addr": i18n.Line(pc.Addr, 200), "Subsystem": i18n.Line(code, 100)})),
		form, wrapped(trust), wrappedLow(T("connect.tls_fetch.compare")))
	d := dialog.NewCustomConfirm(T("connect.tls_fetch.title"), T("connect.tls_fetch.trust"), T("connect.tls_fetch.refuse"), content,
		func(ok bool) {
			if ok {
				cs.acceptPeer(code, pc)
			}
		}, cs.wz.win)
	showSized(d, cs.wz.win, 700)
}

// acceptPeer keeps the confirmed certificate as a file and adds it to
// subsystem code's certificates.
func (cs *connectStep) acceptPeer(code string, pc *connect.PeerCert) {
	cs.outcome = nil
	defer cs.refresh()
	i := index(cs.codes(), code)
	if i < 0 {
		return // removed meanwhile
	}
	path, err := cs.keepPeerCert(code, pc)
	if err != nil {
		cs.fileFailed(err)
		return
	}
	cs.sel = i
	if err := cs.addTLSFile(path); err != nil {
		cs.fail(err)
		return
	}
	cs.outcome = func() fyne.CanvasObject {
		return successCard(T("connect.tls_fetch.added", map[string]any{"Subsystem": i18n.Line(code, 100)}), T("connect.tls_fetch.added.todo"))
	}
}

// codes are the wanted subsystems' codes, in order.
func (cs *connectStep) codes() []string {
	out := make([]string, len(cs.subs))
	for i, s := range cs.subs {
		out[i] = s.Code
	}
	return out
}

// keepPeerCert writes pc as PEM into the certificates' folder, named by
// the subsystem and the fingerprint (the same certificate again is the
// same file).
func (cs *connectStep) keepPeerCert(code string, pc *connect.PeerCert) (string, error) {
	dir, err := cs.peerCertDir()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	blk, _ := pem.Decode(pc.PEM)
	if blk == nil {
		return "", os.ErrInvalid // FetchCert always gives one block
	}
	fp := strings.ReplaceAll(pc.SHA256, ":", "")
	path := filepath.Join(dir, fileCode(code)+"-"+strings.ToLower(fp[:min(16, len(fp))])+".pem")
	return path, os.WriteFile(path, pem.EncodeToMemory(blk), 0o600)
}

// peerCertDir is the folder the confirmed certificates are kept in:
// is-certs beside the onboarding record, unless a test chose another.
func (cs *connectStep) peerCertDir() (string, error) {
	if cs.certDir != "" {
		return cs.certDir, nil
	}
	rp, err := recordPath()
	if err != nil {
		return "", err
	}
	return filepath.Join(filepath.Dir(rp), "is-certs"), nil
}

// pruneCerts removes from the certificates' folder each certificate
// file (*.pem, written by keepPeerCert) that no subsystem of the
// record names any more: its subsystem removed, or the file taken off
// its list. Only the record refers to them, so they would pile up. A
// file the record still names is never removed, nor anything else in
// the folder, nor a file the user chose elsewhere.
func (cs *connectStep) pruneCerts(subs []onboarding.ConnectSubsystem) {
	dir, err := cs.peerCertDir()
	if err != nil {
		return
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return // none kept yet
	}
	named := map[string]bool{}
	for _, s := range subs {
		for _, f := range s.TLSFiles {
			named[absPath(f)] = true
		}
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), ".pem") || named[absPath(p)] {
			continue
		}
		if err := os.Remove(p); err != nil {
			log.WithError(errors.New(i18n.Line(err.Error(), 300))).Warn("connect: a certificate no longer named not removed")
			continue
		}
		log.WithField("file", p).Info("connect: a certificate no longer named removed")
	}
}

// absPath is p made absolute and clean, to compare paths by.
func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}
