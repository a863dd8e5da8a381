package renew_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure/renew"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

const softPIN = "Tunduk-soft-token-PIN-2026" // Operate's

// env is a server in service whose certificates end in 10 days (the
// profile renews at 30), a session on it, and a store for submissions.
type env struct {
	f       *xroadtest.Server
	s       *configure.Session
	o       renew.Options
	backups int
}

func start(t *testing.T) *env {
	t.Helper()
	e := &env{f: xroadtest.Start(t)}
	e.f.Operate(t, 10)
	s, err := configure.Open(context.Background(), &remote.Local{}, e.f.AdminAPI(), configure.Credentials{User: xroadtest.AdminUser, Password: xroadtest.AdminPassword})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	e.s = s
	prof, err := profile.Default()
	if err != nil {
		t.Fatal(err)
	}
	store, err := enroll.OpenStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e.o = renew.Options{
		Params: configure.Params{Instance: xroadtest.Instance, MemberClass: "COM", MemberCode: "60000001", ServerCode: "SS1",
			OrgName: "Test Agency", CAName: xroadtest.CAName},
		ExpiryDays: prof.Health.CertExpiryDays[0], SigningKey: prof.SigningKey, Store: store,
		Wait: time.Minute, Poll: time.Millisecond,
		BeforeChange: func(context.Context) error { e.backups++; return nil },
	}
	return e
}

func stepStates(pl *renew.Plan) string {
	var s []string
	for _, st := range pl.Steps {
		s = append(s, st.ID+":"+st.State)
	}
	return strings.Join(s, " ")
}

// submit sends the plan's new CSRs to the CA by folder, as submit --via
// folder does: the store records them sent.
func (e *env) submit(t *testing.T, pl *renew.Plan) [][]byte {
	t.Helper()
	in := enroll.Input{Participant: enroll.Participant{Instance: xroadtest.Instance, MemberClass: "COM", MemberCode: "60000001",
		Name: "Test Agency", ServerCode: "SS1", ServerAddress: "203.0.113.10"}, Lang: "en"}
	var csrs [][]byte
	for _, r := range pl.Renewals() {
		u := enroll.UsageAuth
		if r.Usage == renew.Sign {
			u = enroll.UsageSign
		}
		in.CSRs = append(in.CSRs, enroll.CSR{Usage: u, DER: r.CSR, Source: "security server"})
		csrs = append(csrs, r.CSR)
	}
	if _, err := enroll.Deliver(context.Background(), e.o.Store, enroll.Request{Via: enroll.ViaFolder, Input: &in, Folder: t.TempDir(), FolderIsSent: true}); err != nil {
		t.Fatal(err)
	}
	return csrs
}

// answered sends pl's CSRs and gives the run the CA's certificates.
func (e *env) answered(t *testing.T, pl *renew.Plan) {
	t.Helper()
	for _, c := range e.submit(t, pl) {
		e.o.Certs = append(e.o.Certs, e.f.Issue(t, c))
	}
}

// TestRenewal (the Guard fails it at its end should the server lose its
// pair at any request or poll): a server whose pair ends in 10 days
// renewed from start to end, leaving at each wait and coming back: new keys and CSRs, the
// submission found in the store, the CA's certificates imported, the
// registration approved, both active with good OCSP, only then the old
// ones disabled and the old authentication certificate unregistered; a
// backup before the first change of each run that changes something; a
// second run changes nothing.
func TestRenewal(t *testing.T) {
	e := start(t)
	g := e.f.Guard(t)
	ctx := context.Background()
	pl, err := renew.Read(ctx, e.s, e.o)
	if err != nil {
		t.Fatal(err)
	}
	if pl.Auth == nil || pl.Sign == nil || pl.Auth.Why != renew.WhyExpiry || pl.Auth.DaysLeft != 9 || pl.Sign.Token != xroad.SoftwareTokenID {
		t.Fatalf("plan %+v %+v %+v", pl.Auth, pl.Sign, pl.Notes)
	}
	if got := stepStates(pl); !strings.HasPrefix(got, "auth_key:todo sign_key:todo submit:wait import:wait register:todo approve:wait") {
		t.Fatalf("steps %s", got)
	}
	if n := e.f.Changes(); n != 0 {
		t.Fatalf("Read changed the server: %d calls", n)
	}

	// The keys and CSRs, then a wait for the submission.
	res, err := renew.Apply(ctx, e.s, e.o)
	if err != nil || res.Waiting != renew.StepSubmit || !res.Changed || e.backups != 1 || e.f.KeyCount() != 4 {
		t.Fatalf("first run: %+v %v, %d backups, %d keys", res, err, e.backups, e.f.KeyCount())
	}
	if res.Plan.Auth.Why != renew.WhyResumed || !strings.HasPrefix(res.Plan.Auth.New.Label, renew.LabelPrefix(renew.Auth)+res.Plan.Auth.Old.Cert.Hash[:16]) {
		t.Fatalf("the new key's label %q does not name %s", res.Plan.Auth.New.Label, res.Plan.Auth.Old.Cert.Hash)
	}
	// Again before the CA answered: nothing changes, no backup.
	before := e.f.Changes()
	if res, err := renew.Apply(ctx, e.s, e.o); err != nil || res.Waiting != renew.StepSubmit || res.Changed || e.f.Changes() != before || e.backups != 1 {
		t.Fatalf("waiting run: %+v %v", res, err)
	}
	csrs := e.submit(t, res.Plan)
	res, err = renew.Apply(ctx, e.s, e.o)
	if err != nil || res.Waiting != renew.StepImport || res.Plan.Submission == nil || res.Plan.Submission.Stage != enroll.StageSent {
		t.Fatalf("after the submission: %+v %v", res, err)
	}
	subID := res.Plan.Submission.ID

	// The CA's certificates; the central server approves after a few
	// polls, the OCSP responder answers after one.
	for _, c := range csrs {
		e.o.Certs = append(e.o.Certs, e.f.Issue(t, c))
	}
	e.f.ApproveAfter(3)
	e.f.OCSPGoodAfter(1)
	res, err = renew.Apply(ctx, e.s, e.o)
	if err != nil || res.Waiting != "" || e.backups != 2 {
		t.Fatalf("the rest: %+v %v, %d backups", res, err, e.backups)
	}
	if rec, err := e.o.Store.Get(subID); err != nil || rec.Stage != enroll.StageImported {
		t.Fatalf("the submission after the import: %+v %v", rec, err)
	}
	old := map[string]bool{pl.Auth.Old.Cert.Hash: true, pl.Sign.Old.Cert.Hash: true}
	for _, c := range e.f.Certs() {
		switch {
		case old[c.Hash] && c.Usage == xroad.UsageAuthentication && (c.Active || c.Status != xroad.CertDeletionInProgress):
			t.Errorf("old authentication certificate %+v", c)
		case old[c.Hash] && c.Active:
			t.Errorf("old signing certificate %+v", c)
		case !old[c.Hash] && (!c.Active || c.Status != xroad.CertRegistered || c.OCSP != xroad.OCSPGood):
			t.Errorf("new certificate %+v", c)
		}
	}
	reqs := e.f.ManagementRequests()
	if len(reqs) != 2 || reqs[0].Kind != xroadtest.RequestAuthCertRegistration || reqs[1] != (xroadtest.ManagementRequest{Kind: xroadtest.RequestAuthCertDeletion, Hash: pl.Auth.Old.Cert.Hash}) {
		t.Fatalf("management requests %+v", reqs)
	}
	if srv, _ := e.s.API().CurrentServer(ctx); e.f.RegisteredAddress() != xroadtest.OperatedAddress || srv.Address != xroadtest.OperatedAddress {
		t.Fatalf("registered at %q", e.f.RegisteredAddress())
	}

	// A second run: nothing to do, nothing changed, no backup.
	before = e.f.Changes()
	res, err = renew.Apply(ctx, e.s, e.o)
	if err != nil || res.Waiting != "" || res.Changed || e.f.Changes() != before || e.backups != 2 || res.Plan.Auth != nil || res.Plan.Sign != nil {
		t.Fatalf("second run: %+v %v", res, err)
	}
	for _, n := range res.Plan.Notes {
		if n.Why != renew.WhyFresh || n.DaysLeft < 360 {
			t.Errorf("note %+v", n)
		}
	}
	if g.Seen() < 50 {
		t.Fatalf("the watch saw only %d moments", g.Seen())
	}
}

// TestGuardSeesAPairLost: the watch the renewal tests rely on sees the
// server lose its pair when the old signing certificate is disabled
// before its successor serves (the order a careless renewal would take).
func TestGuardSeesAPairLost(t *testing.T) {
	e := start(t)
	g := e.f.Guard(t)
	pl, err := renew.Read(context.Background(), e.s, e.o)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.s.API().DisableCertificate(context.Background(), pl.Sign.Old.Cert.Hash); err != nil {
		t.Fatal(err)
	}
	g.Stop()
	if lost := g.TakeLost(); len(lost) == 0 || !strings.Contains(lost[0], "sign in service false") {
		t.Fatalf("the watch missed it: %v", lost)
	}
}

// TestRenewalResumesAfterACut: a run cut at any change (the server's
// answer lost) leaves nothing half done that the next run does not
// finish, none done twice (one key of each, one registration), and the
// pair in service throughout. Old keys go only when asked.
func TestRenewalResumesAfterACut(t *testing.T) {
	for _, cut := range []struct{ method, step string }{
		{"PUT", "register"}, {"PUT", "activate"}, {"PUT", "disable"}, {"PUT", "unregister"}, {"DELETE", "key"},
	} {
		t.Run(cut.step, func(t *testing.T) {
			e := start(t)
			g := e.f.Guard(t)
			ctx := context.Background()
			res, err := renew.Apply(ctx, e.s, e.o)
			if err != nil {
				t.Fatal(err)
			}
			e.answered(t, res.Plan)
			e.f.ApproveAfter(0)
			e.f.OCSPGoodAfter(0)
			e.o.DeleteOld = true
			path := cutPath(t, e, res.Plan, cut.method, cut.step)
			e.f.FailNext(cut.method, path)
			_, err = renew.Apply(ctx, e.s, e.o)
			var se *renew.StepError
			if !errors.As(err, &se) {
				t.Fatalf("want the run cut at %s %s, got %v", cut.method, path, err)
			}
			if key, _, step := renew.Explain(err); key != "configure.err.api" || step != se.Step {
				t.Fatalf("explained as %s at %s", key, step)
			}
			res, err = renew.Apply(ctx, e.s, e.o)
			if err != nil || res.Waiting != "" {
				t.Fatalf("resumed: %+v %v", res, err)
			}
			if e.f.KeyCount() != 2 || e.f.Count("PUT", "/token-certificates/") == 0 || len(e.f.ManagementRequests()) != 2 {
				t.Fatalf("%d keys, management requests %+v", e.f.KeyCount(), e.f.ManagementRequests())
			}
			if g.Seen() == 0 {
				t.Fatal("the watch saw nothing")
			}
		})
	}
}

// TestRetireWaitsForTheSuccessor: the check before each step that takes
// an old certificate out of service refuses while the new one is not in
// service on the server (imported, its registration not yet approved,
// no OCSP response), whatever the plan says.
func TestRetireWaitsForTheSuccessor(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	res, err := renew.Apply(ctx, e.s, e.o)
	if err != nil {
		t.Fatal(err)
	}
	if err := renew.Retire(ctx, e.s, e.o, res.Plan, renew.Auth); !hasKey(err, "configure.renew.err.successor") {
		t.Fatalf("no new certificate yet: %v", err)
	}
	e.answered(t, res.Plan)
	e.o.Wait = 0
	if res, err = renew.Apply(ctx, e.s, e.o); err != nil || res.Waiting != renew.StepApprove {
		t.Fatalf("%+v %v", res, err)
	}
	for _, u := range []string{renew.Auth, renew.Sign} {
		if err := renew.Retire(ctx, e.s, e.o, res.Plan, u); !hasKey(err, "configure.renew.err.successor") {
			t.Errorf("%s imported, not in service: %v", u, err)
		}
	}
	if auth, sign := e.f.InService(); !auth || !sign {
		t.Fatal("the old pair was touched")
	}
}

func hasKey(err error, key string) bool {
	k, _, _ := renew.Explain(err)
	return err != nil && k == key
}

// cutPath is the path of the call to fail for a step.
func cutPath(t *testing.T, e *env, pl *renew.Plan, method, step string) string {
	t.Helper()
	switch step {
	case "register":
		return "/token-certificates/" + issuedAuthHash(t, e) + "/register"
	case "activate":
		return "/token-certificates/" + issuedAuthHash(t, e) + "/activate"
	case "disable", "unregister":
		return "/token-certificates/" + pl.Auth.Old.Cert.Hash + "/" + step
	}
	return "/keys/" + pl.Auth.Old.ID
}

// issuedAuthHash is the hash of the certificate issued for the new
// authentication key (the certificates given, the one X-Road takes for
// authentication).
func issuedAuthHash(t *testing.T, e *env) string {
	t.Helper()
	for _, c := range e.o.Certs {
		if xroadtest.IsAuthCert(c) {
			return xroadtest.CertHash(c)
		}
	}
	t.Fatal("no authentication certificate issued")
	return ""
}

// TestRenewalChooses: what a renewal takes on, read without a change:
// nothing while the certificates end later than the threshold unless
// forced; the signing key where the old one is (a hardware token too)
// when the profile allows that place on the server, left to the user
// when it allows none there; a usage left out; none in service.
func TestRenewalChooses(t *testing.T) {
	ctx := context.Background()
	read := func(t *testing.T, e *env) *renew.Plan {
		t.Helper()
		before := e.f.Changes()
		pl, err := renew.Read(ctx, e.s, e.o)
		if err != nil {
			t.Fatal(err)
		}
		if n := e.f.Changes() - before; n != 0 {
			t.Fatalf("Read made %d changing calls", n)
		}
		return pl
	}
	note := func(pl *renew.Plan, usage string) renew.Note {
		for _, n := range pl.Notes {
			if n.Usage == usage {
				return n
			}
		}
		return renew.Note{}
	}
	t.Run("fresh, then forced", func(t *testing.T) {
		e := start(t)
		e.f.Operate(t, 200) // a second pair, ending later: the one in service that counts
		pl := read(t, e)
		if pl.Auth != nil || pl.Sign != nil || len(pl.Steps) != 0 || note(pl, renew.Auth).Why != renew.WhyFresh || note(pl, renew.Sign).DaysLeft != 199 {
			t.Fatalf("%+v", pl)
		}
		e.o.Force = []string{renew.Sign}
		if pl = read(t, e); pl.Auth != nil || pl.Sign == nil || pl.Sign.Why != renew.WhyForced || pl.Sign.DaysLeft != 199 {
			t.Fatalf("forced: %+v", pl)
		}
	})
	t.Run("hardware token", func(t *testing.T) {
		e := start(t)
		e.f.MoveSigningKeyToHW()
		if pl := read(t, e); pl.Sign == nil || pl.Sign.Token != xroadtest.HWTokenID || pl.Auth.Token != xroad.SoftwareTokenID {
			t.Fatalf("%+v %+v", pl.Auth, pl.Sign)
		}
	})
	t.Run("no place on the server", func(t *testing.T) {
		e := start(t)
		e.o.SigningKey = profile.SigningKey{Placements: []string{profile.PlacementUSBToken}, Default: profile.PlacementUSBToken}
		pl := read(t, e)
		if n := note(pl, renew.Sign); pl.Sign != nil || pl.Auth == nil || n.Why != renew.WhyManual || n.Place != profile.PlacementServerSoftToken {
			t.Fatalf("%+v %+v", pl.Sign, pl.Notes)
		}
		e.o.SignOn = profile.PlacementServerSoftToken
		if _, err := renew.Read(ctx, e.s, e.o); !hasKey(err, "configure.err.sign_not_allowed") {
			t.Fatalf("a place the profile refuses: %v", err)
		}
	})
	t.Run("one usage, none in service", func(t *testing.T) {
		e := start(t)
		e.o.Usages = []string{renew.Auth}
		pl := read(t, e)
		if pl.Sign != nil || note(pl, renew.Sign).Why != renew.WhySkipped || pl.Auth == nil {
			t.Fatalf("%+v", pl)
		}
		if err := e.s.API().DisableCertificate(ctx, pl.Auth.Old.Cert.Hash); err != nil {
			t.Fatal(err)
		}
		e.o.Usages = nil
		if pl = read(t, e); pl.Auth != nil || note(pl, renew.Auth).Why != renew.WhyNone || pl.Sign == nil {
			t.Fatalf("%+v", pl)
		}
	})
}
