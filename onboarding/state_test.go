package onboarding

import (
	"path/filepath"
	"testing"
	"time"
)

func TestStepStates(t *testing.T) {
	org := &Organisation{MemberClass: "GOV", MemberCode: "70000001", Name: "A", ServerCode: "SS1"}
	authCSR := CSR{Usage: UsageAuth, SHA256: "a", MadeAt: t0}
	signCSR := CSR{Usage: UsageSign, SHA256: "b", MadeAt: t0}
	for _, c := range []struct {
		name string
		r    Record
		step string
		want State
	}{
		{"nothing yet", Record{}, StepWelcome, NotStarted},
		{"welcome seen", Record{LastStep: StepWelcome}, StepWelcome, Done},
		{"organisation half filled", Record{Organisation: &Organisation{MemberClass: "GOV"}}, StepOrganisation, NotStarted},
		{"organisation", Record{Organisation: org}, StepOrganisation, Done},
		{"server this computer", Record{Server: &Server{Local: true}}, StepServer, Done},
		{"server without host", Record{Server: &Server{Port: 22}}, StepServer, NotStarted},
		{"readiness never ran", Record{}, StepReadiness, NotStarted},
		{"readiness with two fails", Record{Readiness: &Readiness{Pass: 10, Fail: 2}}, StepReadiness, Failed},
		{"readiness fails overridden", Record{Readiness: &Readiness{Pass: 10, Fail: 2, FailsOverridden: true}}, StepReadiness, Attention},
		{"readiness warnings only", Record{Readiness: &Readiness{Pass: 10, Warn: 3}}, StepReadiness, Done},
		{"install never ran", Record{Readiness: &Readiness{Pass: 10}}, StepInstall, NotStarted},
		{"install cut off", Record{Install: &Install{Started: t0}}, StepInstall, Attention},
		{"install stopped", Record{Install: &Install{Started: t0, Outcome: OutcomeStopped}}, StepInstall, Attention},
		{"install failed", Record{Install: &Install{Started: t0, Outcome: OutcomeFailed}}, StepInstall, Failed},
		{"install ok", Record{Install: &Install{Started: t0, Outcome: OutcomeOK}}, StepInstall, Done},
		{"configure never ran", Record{}, StepConfigure, NotStarted},
		{"configure failed", Record{Init: &Init{Outcome: OutcomeFailed}}, StepConfigure, Failed},
		{"initialised, no CSR", Record{Init: &Init{At: t0, TimeStamping: true, Outcome: OutcomeOK}}, StepConfigure, Attention},
		{"initialised, no TSA", Record{Init: &Init{At: t0, Outcome: OutcomeOK}, CSRs: []CSR{authCSR}}, StepConfigure, Attention},
		{"configured", Record{Init: &Init{At: t0, TimeStamping: true, Outcome: OutcomeOK}, CSRs: []CSR{authCSR}}, StepConfigure, Done},
		{"initialised, a later run failed", Record{Init: &Init{At: t0, TimeStamping: true, Outcome: OutcomeFailed}, CSRs: []CSR{authCSR}}, StepConfigure, Done},
		{"token key made", Record{SignKey: &Key{Place: PlaceRutoken}}, StepToken, Done},
		{"token nothing", Record{CSRs: []CSR{authCSR}}, StepToken, NotStarted},
		{"certificates: auth CSR only", Record{CSRs: []CSR{authCSR}}, StepCertificates, NotStarted},
		{"certificates: sign CSR", Record{CSRs: []CSR{signCSR}}, StepCertificates, Done},
		{"submit prepared", Record{Submission: &Submission{ID: "x", Stage: "prepared"}}, StepSubmit, Attention},
		{"submit sent", Record{Submission: &Submission{ID: "x", Stage: "sent"}}, StepSubmit, Done},
		{"submit: the signing CSR went, the rest awaited", Record{Submission: &Submission{ID: "x", Stage: "sent", Awaiting: []string{UsageAuth}}}, StepSubmit, Attention},
		{"submit: the rest prepared, not sent", Record{Submission: &Submission{ID: "x", Stage: "prepared", Awaiting: []string{UsageAuth}}}, StepSubmit, Attention},
		{"submit later stage", Record{Submission: &Submission{ID: "x", Stage: "registered"}}, StepSubmit, Done},
		{"register waiting for the CA", Record{Submission: &Submission{ID: "x", Stage: "sent"}}, StepRegister, NotStarted},
		{"register certificates back", Record{Submission: &Submission{ID: "x", Stage: "certificates_received"}}, StepRegister, Attention},
		{"register imported", Record{Certificates: []Certificate{{Usage: UsageAuth, ImportedAt: t0}}}, StepRegister, Attention},
		{"register active", Record{Certificates: []Certificate{{Usage: UsageAuth, ImportedAt: t0, ActivatedAt: t0}}}, StepRegister, Done},
		{"connect nothing yet", Record{}, StepConnect, NotStarted},
		{"connect subsystem waits", Record{Connect: &Connect{Subsystems: []ConnectSubsystem{{Code: "crm", Status: "REGISTRATION_IN_PROGRESS"}}}}, StepConnect, Attention},
		{"connect registered, no call", Record{Connect: &Connect{Subsystems: []ConnectSubsystem{{Code: "crm", Status: "REGISTERED"}}}}, StepConnect, Attention},
		{"connect call failed", Record{Connect: &Connect{Subsystems: []ConnectSubsystem{{Code: "crm", Status: "REGISTERED"}}, FirstCall: &FirstCall{Reason: "call.err.x"}}}, StepConnect, Failed},
		{"connect call ok", Record{Connect: &Connect{Subsystems: []ConnectSubsystem{{Code: "crm", Status: "REGISTERED"}}, FirstCall: &FirstCall{OK: true}}}, StepConnect, Done},
		{"health never checked", Record{}, StepHealth, NotStarted},
		{"health ok", Record{Health: &Health{Status: HealthOK}}, StepHealth, Done},
		{"health warning", Record{Health: &Health{Status: HealthWarning}}, StepHealth, Attention},
		{"health critical", Record{Health: &Health{Status: HealthCritical}}, StepHealth, Failed},
		{"health server not reached", Record{Health: &Health{Status: HealthUnknown, Unreached: true}}, StepHealth, Failed},
		{"summary before the end", Record{Organisation: org}, StepSummary, NotStarted},
		{"unknown step", Record{Organisation: org}, "nope", NotStarted},
	} {
		if got := c.r.StepState(c.step); got != c.want {
			t.Errorf("%s: %s is %s, want %s", c.name, c.step, got, c.want)
		}
	}
}

func TestStateNames(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range []State{NotStarted, Done, Failed, Attention} {
		if seen[s.String()] {
			t.Errorf("two states named %q", s)
		}
		seen[s.String()] = true
	}
}

// Another organisation or server is another onboarding: what named the
// old one goes, and a name corrected keeps everything.
func TestIdentityChangeForgets(t *testing.T) {
	r := fullRecord()
	o := *r.Organisation
	o.Name = "Corrected name"
	if r.SetOrganisation(o) || len(r.CSRs) != 2 || r.Submission == nil {
		t.Fatalf("a corrected name forgot things: %+v", r)
	}
	o.MemberCode = "70000002"
	if !r.SetOrganisation(o) || len(r.CSRs) != 0 || r.Submission != nil || r.Init != nil || len(r.Certificates) != 0 || r.SignKey != nil {
		t.Errorf("another member code kept the old onboarding: %+v", r)
	}
	if r.Readiness == nil || r.Install == nil {
		t.Error("another organisation forgot the server's readiness and install")
	}
	s := *r.Server
	s.User, s.Port = "other", 2222
	if r.SetServer(s) || r.Readiness == nil {
		t.Error("another login user or port forgot the server's state")
	}
	r.Health = &Health{Status: HealthOK}
	s.Host = "ss2.agency.kg"
	if !r.SetServer(s) || r.Readiness != nil || r.Install != nil || r.Health != nil {
		t.Errorf("another host kept the old server's state: %+v", r)
	}
}

func TestLatestCSRAndDedup(t *testing.T) {
	var r Record
	if r.LatestCSR(UsageAuth) != nil {
		t.Fatal("a CSR in an empty record")
	}
	a1 := CSR{Usage: UsageAuth, SHA256: "1", MadeAt: t0}
	a2 := CSR{Usage: UsageAuth, SHA256: "2", MadeAt: t0.Add(time.Hour)}
	if !r.AddCSR(a1) || !r.AddCSR(a2) || r.AddCSR(a1) {
		t.Fatal("AddCSR added a repeat or refused a new one")
	}
	if got := r.LatestCSR(UsageAuth); got == nil || got.SHA256 != "2" || r.LatestCSR(UsageSign) != nil {
		t.Errorf("latest %+v", got)
	}
	r.PutCertificate(Certificate{Usage: UsageAuth, Hash: "h", ImportedAt: t0, RegisteredAt: t0})
	r.PutCertificate(Certificate{Usage: UsageAuth, Hash: "h", ImportedAt: t0.Add(time.Hour)})
	if len(r.Certificates) != 1 || r.Certificate(UsageAuth).RegisteredAt != t0 {
		t.Errorf("a repeated import lost the registration: %+v", r.Certificates)
	}
}

// An install that finished on an X-Road without the operator's
// certificate profile class needs attention, also when read back from
// the file (the wizard after a restart); the record's word is the
// installer's.
func TestInstallWithoutProfileClass(t *testing.T) {
	for status, want := range map[string]State{"": Done, "present": Done, "unknown": Done, ClassAbsent: Attention} {
		r := Record{}
		r.InstallStarted(t0, 3)
		r.InstallEnded(t0.Add(time.Minute), OutcomeOK, "", "7.4.2")
		r.InstallClassChecked(status)
		path := filepath.Join(t.TempDir(), FileName)
		if err := r.Save(path); err != nil {
			t.Fatal(err)
		}
		got, err := Load(path)
		if err != nil || got.StepState(StepInstall) != want || got.Install.ProfileClassAbsent() != (status == ClassAbsent) {
			t.Errorf("%q: %v, state %v, want %v", status, err, got.StepState(StepInstall), want)
		}
	}
	// A run that failed keeps its own state; a new run forgets the finding.
	r := Record{}
	r.InstallStarted(t0, 3)
	r.InstallEnded(t0, OutcomeOK, "", "7.4.2")
	r.InstallClassChecked(ClassAbsent)
	r.InstallStarted(t0.Add(time.Hour), 3)
	if r.Install.ProfileClassAbsent() || r.Install.ProfileClass != "" {
		t.Errorf("a new run kept the finding: %+v", r.Install)
	}
}
