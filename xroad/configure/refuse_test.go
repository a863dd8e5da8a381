package configure_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// onlyKeyCalls fails unless the fake saw nothing but the API key's
// creation (Open) since it started.
func onlyKeyCalls(t *testing.T, f *xroadtest.Server) {
	t.Helper()
	for _, c := range f.Calls() {
		if !strings.HasPrefix(c.Path, "/api-keys") {
			t.Fatalf("the server was asked %s %s", c.Method, c.Path)
		}
	}
}

// uploads counts POST /system/anchor (previews apart).
func uploads(f *xroadtest.Server) int {
	n := 0
	for _, c := range f.Calls() {
		if c.Method == "POST" && c.Path == "/system/anchor" {
			n++
		}
	}
	return n
}

// TestShortPINRefused: a PIN shorter than the profile's minimum is
// refused before anything reaches the server.
func TestShortPINRefused(t *testing.T) {
	e := start(t, xroadtest.Options{})
	short := "Short-PIN-1234" // 14 characters, accepted by X-Road's own policy
	err := e.s.Initialize(context.Background(), params, e.f.Anchor(xroadtest.Instance), short, e.progress)
	e.seen(err)
	data := wantKey(t, err, "configure.err.pin_short")
	if data["Min"] != 15 || data["Got"] != 14 {
		t.Fatalf("data %v", data)
	}
	onlyKeyCalls(t, e.f)
	if len(e.took()) != 0 {
		t.Fatal("progress reported a step for a refused PIN")
	}
	e.noSecrets(t, short)
	if strings.Contains(strings.Join(e.errs, " "), short) {
		t.Fatal("the short PIN is in the error")
	}
}

// TestWrongInstanceAnchor: an anchor of another instance is refused with
// both names, and nothing is uploaded.
func TestWrongInstanceAnchor(t *testing.T) {
	e := start(t, xroadtest.Options{})
	ctx := context.Background()
	err := e.s.Initialize(ctx, params, e.f.Anchor("other-instance"), softPIN, e.progress)
	data := wantKey(t, err, "configure.err.anchor_instance")
	if data["Got"] != "other-instance" || data["Want"] != xroadtest.Instance {
		t.Fatalf("data %v", data)
	}
	if e.f.AnchorImported() || uploads(e.f) != 0 {
		t.Fatalf("something was uploaded: %v", e.f.Calls())
	}
	if _, err := e.s.PreviewAnchor(ctx, params, e.f.Anchor("other-instance")); err == nil {
		t.Fatal("PreviewAnchor accepted another instance")
	}
	if _, err := configure.ReadAnchor([]byte("<html>not an anchor</html>")); err == nil {
		t.Fatal("ReadAnchor accepted a file without an instance")
	} else {
		wantKey(t, err, "configure.err.anchor_bad")
	}
}

// TestResumeAfterAnchor: a run cut right after the anchor upload is
// resumed by the next one, which skips the upload.
func TestResumeAfterAnchor(t *testing.T) {
	e := start(t, xroadtest.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	anchor := e.f.Anchor(xroadtest.Instance)
	err := e.s.Initialize(ctx, params, anchor, softPIN, func(st configure.Progress) {
		e.progress(st)
		if st.ID == "anchor" && st.State == configure.StateDone {
			cancel() // the link drops here
		}
	})
	if key, _ := configure.Explain(err); key != "configure.err.cancelled" || !e.f.AnchorImported() || e.f.InitRequest() != nil {
		t.Fatalf("cut run: %v (%s), anchor %v, init %v", err, key, e.f.AnchorImported(), e.f.InitRequest())
	}
	e.took()
	if err := e.s.Initialize(context.Background(), params, anchor, softPIN, e.progress); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(e.took(), " ")
	if !strings.HasPrefix(got, "anchor:skipped init:running init:done") || uploads(e.f) != 1 {
		t.Fatalf("resumed steps %q, %d uploads", got, uploads(e.f))
	}
	if e.f.InitRequest()["ignore_warnings"] != false {
		t.Fatal("a fresh initialisation was sent with ignore_warnings")
	}
}

// TestForeignCertRefused: a certificate for a key that none of our CSRs
// holds is refused before the server sees it.
func TestForeignCertRefused(t *testing.T) {
	e := start(t, xroadtest.Options{})
	ctx := context.Background()
	if err := e.s.Initialize(ctx, params, e.f.Anchor(xroadtest.Instance), softPIN, nil); err != nil {
		t.Fatal(err)
	}
	csrs, err := e.s.MakeCSRs(ctx, params, configure.CSROptions{SoftPIN: softPIN}, nil)
	if err != nil || csrs.Sign != nil {
		t.Fatal(csrs, err)
	}
	before := len(e.f.Calls())
	_, err = e.s.Import(ctx, e.f.IssueFor(t, "someone else"), [][]byte{csrs.Auth.CSR})
	data := wantKey(t, err, "configure.err.cert_no_csr")
	if !strings.Contains(fmt.Sprint(data["Subject"]), "someone else") {
		t.Fatalf("data %v", data)
	}
	if n := len(e.f.Calls()); n != before || e.f.Count("POST", "/token-certificates") != 0 {
		t.Fatalf("the server was asked %d times: %v", n-before, e.f.Calls()[before:])
	}
	_, err = e.s.Import(ctx, []byte("not a certificate"), [][]byte{csrs.Auth.CSR})
	wantKey(t, err, "configure.err.cert_bad")
}

// TestWrongAdminPassword: Open with a wrong password says so, without the
// password anywhere.
func TestWrongAdminPassword(t *testing.T) {
	f := xroadtest.Start(t)
	c := dial(t)
	bad := "wrong-" + xroadtest.AdminPassword
	_, err := configure.Open(context.Background(), c, f.AdminAPI(), configure.Credentials{User: xroadtest.AdminUser, Password: bad})
	data := wantKey(t, err, "configure.err.admin_login")
	if data["User"] != xroadtest.AdminUser || strings.Contains(err.Error(), bad) || strings.Contains(fmt.Sprint(data), bad) {
		t.Fatalf("error %v data %v", err, data)
	}
	if len(f.LiveKeys()) != 0 {
		t.Fatal("a key was made")
	}
	// A certificate path that is not there: a clear error, not a hang.
	api := f.AdminAPI()
	api.CertPath += ".missing"
	_, err = configure.Open(context.Background(), c, api, admin(f))
	wantKey(t, err, "configure.err.api_cert")
}

// TestCAChoice: with two approved CAs the profile's name picks one; an
// unknown name is refused with the names there are.
func TestCAChoice(t *testing.T) {
	e := start(t, xroadtest.Options{ExtraCA: "Other CA"})
	ctx := context.Background()
	if err := e.s.Initialize(ctx, params, e.f.Anchor(xroadtest.Instance), softPIN, nil); err != nil {
		t.Fatal(err)
	}
	_, err := e.s.MakeCSRs(ctx, params, configure.CSROptions{}, nil)
	data := wantKey(t, err, "configure.err.ca_choice")
	if data["Names"] != xroadtest.CAName+", Other CA" || data["Want"] != "GU Kyzmat" || e.f.KeyCount() != 0 {
		t.Fatalf("data %v, %d keys", data, e.f.KeyCount())
	}
	p := params
	p.CAName = strings.ToLower(xroadtest.CAName)
	if _, err := e.s.MakeCSRs(ctx, p, configure.CSROptions{}, nil); err != nil || e.f.KeyCount() != 1 {
		t.Fatalf("%v, %d keys", err, e.f.KeyCount())
	}
}

// TestMissingSubjectField: a required field the user must give (the
// organisation name) is named when missing; no key is made.
func TestMissingSubjectField(t *testing.T) {
	e := start(t, xroadtest.Options{})
	ctx := context.Background()
	if err := e.s.Initialize(ctx, params, e.f.Anchor(xroadtest.Instance), softPIN, nil); err != nil {
		t.Fatal(err)
	}
	p := params
	p.OrgName = " "
	_, err := e.s.MakeCSRs(ctx, p, configure.CSROptions{}, nil)
	data := wantKey(t, err, "configure.err.csr_fields")
	if data["Fields"] != "Organization Name (O)" || e.f.KeyCount() != 0 {
		t.Fatalf("data %v, %d keys", data, e.f.KeyCount())
	}
	// A sign key on the hardware token needs its PIN.
	_, err = e.s.MakeCSRs(ctx, params, configure.CSROptions{SignOnServer: true, HWTokenID: "9"}, nil)
	wantKey(t, err, "configure.err.token_missing")
}

// TestTSAWaitBounded: no approved TSA within TSAWait is a clear error.
func TestTSAWaitBounded(t *testing.T) {
	e := start(t, xroadtest.Options{TSAAfterPolls: 1 << 30})
	// Long enough for two polls on a loaded machine under -race (one
	// request took 600 ms there), short enough for a test.
	e.s.TSAWait, e.s.TSAPoll = 2*time.Second, 50*time.Millisecond
	start := time.Now()
	err := e.s.Initialize(context.Background(), params, e.f.Anchor(xroadtest.Instance), softPIN, e.progress)
	wantKey(t, err, "configure.err.tsa_none")
	if time.Since(start) > 10*time.Second || e.f.Count("GET", "/timestamping-services") < 2 {
		t.Fatalf("waited %v, %d polls", time.Since(start), e.f.Count("GET", "/timestamping-services"))
	}
	got := strings.Join(e.took(), " ")
	if !strings.HasSuffix(got, "tsa:running tsa:failed") {
		t.Fatalf("steps %q", got)
	}
}

// TestExplain maps the API's and the tunnel's errors to keys.
func TestExplain(t *testing.T) {
	api := func(status int, code string, meta ...string) error {
		return fmt.Errorf("wrapped: %w", &xroad.Error{Method: "POST", Path: "/x", Status: status, Detail: xroad.Detail{Code: code, Metadata: meta}})
	}
	for _, tc := range []struct {
		err  error
		key  string
		data string
	}{
		{api(400, "core.weak_pin", "pin_min_length", "10", "pin_min_char_classes_count", "3"), "configure.err.weak_pin", "10"},
		{api(400, "invalid_init_params", "owner_member_code"), "configure.err.init_params", "owner_member_code"},
		{api(400, xroad.CodeAnchorWrongInstance, "EE"), "configure.err.anchor_instance", "EE"},
		{&xroad.Error{Status: 400, Detail: xroad.Detail{Code: "validation_failure", ValidationErrors: map[string][]string{"address": {"x"}}}}, "configure.err.validation", "address"},
		{api(401, ""), "configure.err.unauthorized", "401"},
		{api(403, ""), "configure.err.forbidden", "403"},
		{api(409, "anchor_already_exists"), "configure.err.conflict", "anchor_already_exists"},
		{api(429, ""), "configure.err.rate_limited", "429"},
		{api(500, "core.internal"), "configure.err.api", "500"},
		{api(400, "pin_incorrect"), "configure.err.pin_wrong", ""},
		{api(500, "core.Signer.LoginFailed", "Login failed: CKR_PIN_LOCKED"), "configure.err.pin_locked", ""},
		{api(409, "server_already_fully_initialized"), "configure.err.conflict", "server_already_fully_initialized"},
		{context.DeadlineExceeded, "configure.err.cancelled", ""},
		{errors.New("ssh: rejected: connect failed (Connection refused)"), "configure.err.tunnel", "refused"},
		{fmt.Errorf("Get x: %w", errors.New("tls: failed to verify certificate: x509: certificate signed by unknown authority")), "configure.err.tls", "unknown authority"},
		{&configure.Error{Key: "configure.err.pin_short", Data: map[string]any{"Min": 15}}, "configure.err.pin_short", "15"},
		{errors.New("something else"), "configure.err.unknown", "something else"},
	} {
		key, data := configure.Explain(tc.err)
		if key != tc.key || !strings.Contains(fmt.Sprint(data), tc.data) {
			t.Errorf("%v: %s %v, want %s with %q", tc.err, key, data, tc.key, tc.data)
		}
	}
	if key, _ := configure.Explain(fmt.Errorf("x: %w", http.ErrHandlerTimeout)); key != "configure.err.unknown" {
		t.Errorf("plain error: %s", key)
	}
}

// TestInitPINOnlyWhenNeeded: a fresh server needs a new PIN (refused
// without one, before the initialisation is sent); a configured and
// logged-in one needs none, so a re-run asks nothing.
func TestInitPINOnlyWhenNeeded(t *testing.T) {
	e := start(t, xroadtest.Options{HardwareToken: true})
	ctx := context.Background()
	anchor := e.f.Anchor(xroadtest.Instance)
	err := e.s.Initialize(ctx, params, anchor, "", e.progress)
	if data := wantKey(t, err, "configure.err.pin_new_needed"); data["Min"] != 15 {
		t.Fatalf("data %v", data)
	}
	if e.f.InitRequest() != nil {
		t.Fatal("initialisation sent without a PIN")
	}
	if err := e.s.Initialize(ctx, params, anchor, softPIN, e.progress); err != nil {
		t.Fatal(err)
	}
	e.took()
	if err := e.s.Initialize(ctx, params, anchor, "", e.progress); err != nil {
		t.Fatalf("re-run without a PIN on a configured server: %v", err)
	}
	if got := strings.Join(e.took(), " "); got != "anchor:skipped init:skipped tsa:skipped login:skipped" {
		t.Fatalf("re-run steps %q", got)
	}
	st, err := e.s.Status(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	if !st.LoggedIn(xroad.SoftwareTokenID) || len(st.Tokens) < 2 || st.Tokens[0].ID != xroad.SoftwareTokenID {
		t.Fatalf("tokens %+v", st.Tokens)
	}
	if st.LoggedIn(xroadtest.HWTokenID) || st.LoggedIn("no-such-token") {
		t.Fatal("a logged-out or unknown token reads as logged in")
	}
}
