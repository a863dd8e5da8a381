package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"io"
	"io/fs"
	"strings"
	"syscall"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

func TestCertificatesStepMakesCSR(t *testing.T) {
	h := newTokenHarness(t)
	tok := findToken(t, h.mod, testTokenA)
	key, err := h.mod.GenerateSigningKey(context.Background(), tok, testUserPIN, 2048, "SS1 sign")
	if err != nil {
		t.Fatal(err)
	}
	wz := h.wz
	wz.token.key = key
	org := validOrg() // a Cyrillic name
	wz.state.Org = org
	if !wz.goTo(wz.stepIndex(stepCertificates)) {
		t.Fatalf("at %s", wz.stepID())
	}
	cs := wz.certs
	v := cs.v
	if !strings.Contains(v.key.Text, key.IDHex()) || !strings.Contains(v.key.Text, tok.Serial) {
		t.Errorf("key shown as %q", v.key.Text)
	}
	if !strings.Contains(v.org.Text, org.Name) || !strings.Contains(v.org.Text, org.MemberCode) {
		t.Errorf("organisation shown as %q", v.org.Text)
	}
	if v.preview.Visible() {
		t.Error("preview before a CSR")
	}
	// The handover is there as soon as the key is known.
	if !strings.Contains(v.devices.Text, "library = /usr/lib/librtpkcs11ecp.so") || !strings.Contains(v.devices.Text, tok.Serial) {
		t.Errorf("devices.ini %q", v.devices.Text)
	}
	v.devices.SetText("edited")
	if !strings.Contains(v.devices.Text, "[rutoken]") {
		t.Error("devices.ini entry is editable")
	}
	if len(v.steps.Objects) < 5 {
		t.Errorf("%d handover steps", len(v.steps.Objects))
	}

	made := make(chan struct{}, 2)
	cs.made = func() { made <- struct{}{} }

	// A wrong PIN: the translated PIN message, no CSR.
	test.Type(v.pin, "wrong-pin-1")
	test.Tap(v.make)
	h.pump.wait(t, made, "an answer")
	if cs.csr != nil || !strings.Contains(v.err.Text, T("token.pinerr.no_retry")) {
		t.Errorf("wrong PIN: csr %v, error %q", cs.csr, v.err.Text)
	}

	test.Type(v.pin, testUserPIN)
	test.Tap(v.make)
	if v.pin.Text != "" {
		t.Error("PIN entry not cleared")
	}
	h.pump.wait(t, made, "the CSR")
	if cs.err != nil || cs.csr == nil {
		t.Fatalf("CSR: %v", cs.err)
	}
	if !v.preview.Visible() || v.savePEM.Disabled() || v.saveDER.Disabled() {
		t.Error("preview or save buttons not shown")
	}
	if !strings.Contains(v.subject.Text, org.MemberCode) || !strings.Contains(v.subject.Text, org.Name) {
		t.Errorf("subject %q", v.subject.Text)
	}
	der, _ := x509.MarshalPKIXPublicKey(key.Public)
	sum := sha256.Sum256(der)
	if v.sha.Text != groupFingerprint(hex.EncodeToString(sum[:])) { // in blocks, wrapping between them
		t.Errorf("SHA-256 shown %q, want %x", v.sha.Text, sum)
	}
	if v.bits.Text != T("cert.bits", map[string]any{"Bits": 2048}) {
		t.Errorf("bits %q", v.bits.Text)
	}
	block, _ := pem.Decode(cs.csr.PEM())
	req, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil || req.CheckSignature() != nil {
		t.Fatalf("PEM CSR: %v", err)
	}
	if req.Subject.CommonName != org.Name || req.Subject.SerialNumber != org.MemberCode || req.Subject.Country[0] != "KG" {
		t.Errorf("subject %+v", req.Subject)
	}
	if got := cs.csrFileName(true); got != "sign-csr-70000001-SS1.pem" {
		t.Errorf("file name %q", got)
	}
	// The handover follows the language.
	wz.langSelect.SetSelected("Кыргызча")
	if wz.certs.v.preview.Visible() != true || !strings.Contains(wz.certs.v.subject.Text, org.Name) {
		t.Error("CSR lost on a language switch")
	}
	_ = SetLanguage("en")
}

func TestCertificatesStepWithoutKey(t *testing.T) {
	wz, _ := newTestWizard(t, nil)
	wz.state.Org = validOrg()
	wz.goTo(wz.stepIndex(stepCertificates))
	v := wz.certs.v
	if v.key.Text != T("cert.no_key") || !v.make.Disabled() || v.handover.Visible() || !v.toToken.Visible() {
		t.Errorf("no key: %q make disabled %v", v.key.Text, v.make.Disabled())
	}
	test.Tap(v.toToken)
	if wz.stepID() != stepToken {
		t.Errorf("at %s", wz.stepID())
	}
	wz.token.stop()
}

// csrFile is the file the save dialog hands over: a buffer that can fail
// part way through a write or on close.
type csrFile struct {
	bytes.Buffer
	uri       fyne.URI
	failAfter int   // with writeErr: bytes written before the error
	writeErr  error // returned by Write
	short     bool  // Write takes half and says nothing (a broken writer)
	closeErr  error
	closed    bool
}

func (f *csrFile) Write(p []byte) (int, error) {
	switch {
	case f.writeErr != nil:
		n := min(f.failAfter, len(p))
		f.Buffer.Write(p[:n])
		return n, f.writeErr
	case f.short:
		return f.Buffer.Write(p[:len(p)/2])
	}
	return f.Buffer.Write(p)
}

func (f *csrFile) Close() error  { f.closed = true; return f.closeErr }
func (f *csrFile) URI() fyne.URI { return f.uri }

// overlayTexts are the texts of the dialogs shown over w, which are then closed.
func overlayTexts(w fyne.Window) string {
	var out []string
	ov := w.Canvas().Overlays()
	for _, o := range ov.List() {
		walk(o, func(c fyne.CanvasObject) {
			switch x := c.(type) {
			case *widget.Label:
				out = append(out, x.Text)
			case *widget.RichText:
				out = append(out, x.String())
			}
		})
	}
	for _, o := range ov.List() {
		ov.Remove(o)
	}
	return strings.Join(out, "\n")
}

func TestCertificatesSaveWritesExactBytes(t *testing.T) {
	h := newTokenHarness(t)
	tok := findToken(t, h.mod, testTokenA)
	key, err := h.mod.GenerateSigningKey(context.Background(), tok, testUserPIN, 2048, "save sign")
	if err != nil {
		t.Fatal(err)
	}
	wz := h.wz
	cs := wz.certs
	if cs.csrBytes(true) != nil || cs.csrBytes(false) != nil {
		t.Error("bytes to save without a CSR")
	}
	csr, err := signCSR(h.mod, nil, "", tok.Serial, key.ID, testUserPIN, wz.profile, wz.participant())
	if err != nil {
		t.Fatal(err)
	}
	cs.csr = csr
	overlayTexts(h.w)

	for _, pemForm := range []bool{true, false} {
		want := csr.DER
		if pemForm {
			want = csr.PEM()
		}
		f := &csrFile{uri: storage.NewFileURI("/tmp/out/" + cs.csrFileName(pemForm))}
		if err := cs.writeCSR(f, cs.csrBytes(pemForm)); err != nil {
			t.Fatalf("pem=%v: %v", pemForm, err)
		}
		if !bytes.Equal(f.Bytes(), want) || !f.closed {
			t.Errorf("pem=%v: %d bytes written (closed %v), want exactly the %d of the CSR", pemForm, f.Len(), f.closed, len(want))
		}
		saved := T("cert.saved", map[string]any{"File": f.uri.Path()})
		if got := overlayTexts(h.w); !strings.Contains(got, saved) {
			t.Errorf("pem=%v: shown %q, want %q", pemForm, got, saved)
		}
	}
	if block, _ := pem.Decode(cs.csrBytes(true)); block == nil || block.Type != "CERTIFICATE REQUEST" || !bytes.Equal(block.Bytes, cs.csrBytes(false)) {
		t.Error("the PEM does not hold the DER")
	}

	// Failures: the user is told, in the UI language, and nothing is claimed saved.
	// The OS's English stays out: the reason is told in the language.
	diskFull := &fs.PathError{Op: "write", Path: "/tmp/out/.csr-tmp", Err: syscall.ENOSPC}
	failures := []struct {
		name string
		f    *csrFile
		want error
	}{
		{"write", &csrFile{failAfter: 100, writeErr: diskFull}, diskFull},
		{"close", &csrFile{closeErr: diskFull}, diskFull},
		{"short", &csrFile{short: true}, io.ErrShortWrite},
	}
	for _, lang := range []string{"en", "ru"} {
		if err := SetLanguage(lang); err != nil {
			t.Fatal(err)
		}
		for _, c := range failures {
			f := *c.f
			f.uri = storage.NewFileURI("/tmp/out/" + c.name + ".pem")
			if err := cs.writeCSR(&f, cs.csrBytes(true)); err == nil {
				t.Errorf("%s %s: no error", lang, c.name)
			}
			if !f.closed {
				t.Errorf("%s %s: file left open", lang, c.name)
			}
			got := overlayTexts(h.w)
			if want := T("cert.save_failed", map[string]any{"Reason": i18n.FileReason(lang, c.want)}); !strings.Contains(got, want) {
				t.Errorf("%s %s: shown %q, want %q", lang, c.name, got, want)
			}
			if strings.Contains(got, ".csr-tmp") || strings.Contains(got, "no space left") || strings.Contains(got, "short write") {
				t.Errorf("%s %s: the OS error is shown: %q", lang, c.name, got)
			}
			if strings.Contains(got, T("cert.saved.title")) || strings.Contains(got, f.uri.Path()) {
				t.Errorf("%s %s: claimed saved: %q", lang, c.name, got)
			}
		}
	}
	if T("cert.save_failed", map[string]any{"Reason": "x"}) == "The CSR could not be saved: x." {
		t.Error("the failure is not translated")
	}
	_ = SetLanguage("en")
}
