package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// renewRig is a server in service whose pair ends in 10 days, reached
// through a real sshd, and the command lines of renew against it.
type renewRig struct {
	f          *xroadtest.Server
	h          *testhost.Host
	out, store string
	backups    string // --backup-dir of the verbs that change the server
	base       []string
	printed    []string
}

func newRenewRig(t *testing.T) *renewRig {
	t.Helper()
	r := &renewRig{f: xroadtest.Start(t), h: testhost.StartSSHD(t, testhost.Options{}), out: t.TempDir(), store: t.TempDir(), backups: t.TempDir()}
	r.f.Operate(t, 10)
	r.f.TickBackupClock()
	api := r.f.AdminAPI()
	r.base = []string{"--ssh", r.h.Target().String(), "--identity", r.h.ClientKeyPath, "--known-hosts", testhost.WriteKnownHosts(t, r.h.KnownHostsLine()),
		"--admin-user", xroadtest.AdminUser, "--admin-password-stdin", "--admin-api", api.Addr, "--admin-api-cert", api.CertPath,
		"--proxy-jar", api.ProxyJar, "--member-class", "COM", "--member-code", "60000001", "--server-code", "SS1", "--name", "Test Agency",
		"--store", r.store, "--out", r.out, "--poll", "20ms", "--lang", "en"}
	return r
}

// run is renew verb with the rig's flags and extra, the admin password
// (and stdin's rest) on standard input.
func (r *renewRig) run(t *testing.T, stdin, verb string, extra ...string) (int, string, string) {
	t.Helper()
	args := append(append([]string{"renew", verb}, r.base...), extra...)
	if verb == "apply" || verb == "resume" {
		args = append(args, "--backup-dir", r.backups)
	}
	code, out, errOut := cli(t, xroadtest.AdminPassword+"\n"+stdin, args...)
	r.printed = append(r.printed, out, errOut)
	if os.Getenv("RENEW_SHOW") != "" {
		t.Logf("renew %s: exit %d\n%s%s", verb, code, out, errOut)
	}
	return code, out, errOut
}

// cutWhen cuts the SSH connection once seen says so of the fake's calls.
func (r *renewRig) cutWhen(ctx context.Context, seen func([]xroadtest.Call) bool) <-chan testhost.CutResult {
	return r.h.CutWhen(ctx, func() bool { return seen(r.f.Calls()) })
}

// TestRenewCLI renews a server's pair from the CLI over a real sshd while
// the fake is watched at every request and, besides, by a polling
// goroutine (the Guard: any moment without an authentication and a
// signing certificate in service fails the test). The software token is
// logged out (its PIN on standard input). status and plan change nothing;
// apply makes the keys and CSRs and waits for their submission (exit 4,
// the submit command line printed), which submit sends as the first time;
// with the CA's certificates it imports and registers, and the SSH
// connection is cut while it follows the operator's approval, then again
// while it follows the OCSP responses; each run after a cut goes on where
// the last one stopped, and the last retires the old pair. A run after
// that changes nothing. No secret appears in anything printed.
func TestRenewCLI(t *testing.T) {
	r := newRenewRig(t)
	g := r.f.Guard(t)
	r.f.LogOutToken(xroad.SoftwareTokenID)
	const pin = "Tunduk-soft-token-PIN-2026" // Operate's

	code, out, errOut := r.run(t, "", "status")
	if code != exitOK || !strings.Contains(out, "The authentication certificate") || !strings.Contains(out, "ends in 9 days") ||
		!strings.Contains(out, "Next: New authentication key and CSR (to do).") {
		t.Fatalf("status: %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = r.run(t, "", "plan", "--format", "json")
	var doc struct {
		Schema string `json:"schema"`
		State  string `json:"state"`
		Plan   struct {
			Steps     []struct{ ID, State string } `json:"steps"`
			LoggedOut []string                     `json:"logged_out"`
		} `json:"plan"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != exitOK || doc.Schema != "tunduk-onboard.renew/v1" || doc.State != "pending" ||
		len(doc.Plan.Steps) != 11 || doc.Plan.Steps[0].State != "todo" || len(doc.Plan.LoggedOut) != 1 {
		t.Fatalf("plan: %d %v\n%s\n%s", code, err, out, errOut)
	}
	if n := r.f.Changes(); n != 0 {
		t.Fatalf("status and plan made %d changing calls", n)
	}

	start := len(r.f.Calls())
	code, out, errOut = r.run(t, pin+"\n", "apply", "--pin-stdin")
	authCSR, signCSR := filepath.Join(r.out, "renew-auth.csr.der"), filepath.Join(r.out, "renew-sign.csr.der")
	if code != exitWaiting || !strings.Contains(out, "[done] New authentication key and CSR") || !strings.Contains(out, "[waiting] New CSRs sent") ||
		!strings.Contains(out, "tunduk-onboard-cli submit --via email") || !strings.Contains(out, "--auth-csr "+authCSR) {
		t.Fatalf("apply, first: %d\n%s\n%s", code, out, errOut)
	}
	// A backup on the server and here, before the first change (the
	// token's login, no change to the configuration, comes before it).
	calls := slices.DeleteFunc(r.f.Calls()[start:], func(c xroadtest.Call) bool { return strings.HasSuffix(c.Path, "/login") })
	local, _ := filepath.Glob(filepath.Join(r.backups, "*", "conf_backup_*.gpg"))
	if b, c := tookBackup(calls), changed(calls); b < 0 || c < b || len(local) != 1 || !strings.Contains(out, "Backup conf_backup_") {
		t.Fatalf("apply, first: backup at %d, first change at %d, here %v\n%s", b, c, local, out)
	}
	folder := t.TempDir()
	code, out, errOut = cli(t, "", "submit", "--via", "folder", "--out", folder, "--store", r.store, "--auth-csr", authCSR, "--sign-csr", signCSR,
		"--member-class", "COM", "--member-code", "60000001", "--name", "Test Agency", "--server-code", "SS1",
		"--server-address", xroadtest.OperatedAddress, "--lang", "en")
	if code != exitOK {
		t.Fatalf("submit: %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = r.run(t, "", "apply")
	if code != exitWaiting || !strings.Contains(out, "[already done] New CSRs sent") || !strings.Contains(out, "[waiting] New certificates imported") ||
		!strings.Contains(out, ": sent.") {
		t.Fatalf("apply, submitted: %d\n%s\n%s", code, out, errOut)
	}

	// The CA's certificates; the connection cut while the approval is
	// followed (the operator has not approved yet).
	var certs []string
	for i, csr := range []string{authCSR, signCSR} {
		der, err := os.ReadFile(csr)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(t.TempDir(), []string{"auth.cer", "sign.cer"}[i])
		os.WriteFile(p, r.f.Issue(t, der), 0o644)
		certs = append(certs, "--cert", p)
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	cut := r.cutWhen(ctx, func(calls []xroadtest.Call) bool {
		reg := -1
		for i, c := range calls {
			if strings.HasSuffix(c.Path, "/register") {
				reg = i
			}
		}
		return reg >= 0 && len(calls) > reg+2 // polling the approval
	})
	code, out, errOut = r.run(t, "", "apply", append(certs, "--wait", "1m")...)
	stop()
	if c := <-cut; c.N == 0 || c.Err != nil {
		t.Fatalf("the connection was never cut: %+v", c)
	}
	if code != exitFailed || !strings.Contains(out, "[done] Registration request") || !strings.Contains(out, "[failed] Approval") ||
		!strings.Contains(out, "Run renew apply again") || !strings.Contains(errOut, "connection") {
		t.Fatalf("apply, cut during the approval: %d\n%s\n%s", code, out, errOut)
	}

	// Approved now; cut again while the OCSP responses are followed.
	r.f.ApproveAfter(1)
	ctx, stop = context.WithCancel(context.Background())
	defer stop()
	cut = r.cutWhen(ctx, func(calls []xroadtest.Call) bool {
		act := -1
		for i, c := range calls {
			if strings.HasSuffix(c.Path, "/activate") {
				act = i
			}
		}
		return act >= 0 && len(calls) > act+3
	})
	code, out, errOut = r.run(t, "", "resume", append(certs, "--wait", "1m")...)
	stop()
	if c := <-cut; c.N == 0 || c.Err != nil {
		t.Fatalf("the connection was never cut the second time: %+v", c)
	}
	if code != exitFailed || !strings.Contains(out, "[done] Approval") || !strings.Contains(out, "[done] New certificates activated") ||
		!strings.Contains(out, "[failed] Good OCSP responses") {
		t.Fatalf("resume, cut during OCSP: %d\n%s\n%s", code, out, errOut)
	}
	if auth, sign := r.f.InService(); !auth || !sign {
		t.Fatal("the old pair is out of service before the new one serves")
	}

	// The OCSP responder answers; the rest done.
	r.f.OCSPGoodAfter(1)
	code, out, errOut = r.run(t, "", "apply", certs...)
	if code != exitOK || !strings.Contains(out, "[done] Old authentication certificate unregistered") || !strings.Contains(out, "Renewed:") {
		t.Fatalf("apply, the rest: %d\n%s\n%s", code, out, errOut)
	}
	newCerts := 0
	for _, c := range r.f.Certs() {
		switch {
		case c.Usage == xroad.UsageAuthentication && c.Status == xroad.CertDeletionInProgress && !c.Active:
		case c.Usage == xroad.UsageSigning && !c.Active:
		case c.Active && c.Status == xroad.CertRegistered && c.OCSP == xroad.OCSPGood:
			newCerts++
		default:
			t.Errorf("certificate %+v", c)
		}
	}
	if newCerts != 2 {
		t.Fatalf("%d new certificates in service", newCerts)
	}

	// Again: nothing to renew, nothing changed.
	before := r.f.Changes()
	code, out, errOut = r.run(t, "", "apply", certs...)
	if code != exitOK || !strings.Contains(out, "Nothing to renew.") || r.f.Changes() != before || !strings.Contains(out, "nothing to renew yet") {
		t.Fatalf("apply, again: %d, %d changes\n%s\n%s", code, r.f.Changes()-before, out, errOut)
	}
	if g.Seen() < 100 {
		t.Fatalf("the watch saw only %d moments", g.Seen())
	}
	t.Logf("the watch saw %d moments, %d requests", g.Seen(), len(r.f.Calls()))
	for _, p := range r.printed {
		for _, s := range append([]string{pin, xroadtest.AdminPassword}, r.f.IssuedKeys()...) {
			if strings.Contains(p, s) {
				t.Fatal("a secret appears in the output")
			}
		}
	}
}

// TestRenewCLIRefuses: flags that make no sense are refused before
// anything is asked or dialled, translated, with the exit code of bad
// input; resume begins no renewal; a run that waits exits 4 in JSON too.
func TestRenewCLIRefuses(t *testing.T) {
	r := newRenewRig(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--force", "both"}, "--force takes auth, sign or both"},
		{[]string{"--only", "auth,sign"}, "--only takes auth, sign or both"},
		{[]string{"--sign-on", "usb"}, "usb"},
		{[]string{"--cert", filepath.Join(t.TempDir(), "none.cer")}, "none.cer"},
	} {
		if code, _, errOut := r.run(t, "", "apply", c.args...); code != exitCannot || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: %d %s", c.args, code, errOut)
		}
	}
	if code, _, errOut := r.run(t, "", "apply", "--force", "sign", "--lang", "ru", "--only", "x"); code != exitCannot || !strings.Contains(errOut, "принимает auth, sign") {
		t.Errorf("ru: %d %s", code, errOut)
	}
	if n := len(r.f.Calls()); n != 0 {
		t.Fatalf("refused input reached the server: %d calls", n)
	}
	code, out, errOut := r.run(t, "", "resume")
	if code != exitOK || !strings.Contains(out, "No renewal has begun") || r.f.Changes() != 0 {
		t.Fatalf("resume with nothing begun: %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = r.run(t, "", "apply", "--only", "auth", "--format", "json", "--no-backup")
	var doc struct {
		State    string `json:"state"`
		Waiting  string `json:"waiting"`
		ExitCode int    `json:"exit_code"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != exitWaiting || doc.ExitCode != exitWaiting || doc.Waiting != "submit" || r.f.KeyCount() != 3 ||
		r.f.Count("POST", "/backups") != 0 {
		t.Fatalf("apply --only auth: %d %+v %v\n%s\n%s", code, doc, err, out, errOut)
	}
}
