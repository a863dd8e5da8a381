package app

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
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
	if v.sha.Text != hex.EncodeToString(sum[:]) {
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
