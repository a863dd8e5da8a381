package onboarding

// State is where a step of the onboarding stands, read from the record.
type State int

// The states a step list shows.
const (
	NotStarted State = iota
	Done
	Failed
	Attention // begun or done with a reservation: the user has something to do there
)

// String is the state's name (the suffix of its step.state.* text).
func (s State) String() string {
	switch s {
	case Done:
		return "done"
	case Failed:
		return "failed"
	case Attention:
		return "attention"
	}
	return "not_started"
}

// The wizard's steps, by the ids its step list uses.
const (
	StepWelcome      = "welcome"
	StepOrganisation = "organisation"
	StepServer       = "server"
	StepReadiness    = "readiness"
	StepInstall      = "install"
	StepToken        = "token"
	StepCertificates = "certificates"
	StepConfigure    = "configure"
	StepSubmit       = "submit"
	StepRegister     = "register"
	StepSummary      = "summary"
)

// Steps lists the step ids StepState knows.
var Steps = []string{StepWelcome, StepOrganisation, StepServer, StepReadiness, StepInstall, StepToken,
	StepCertificates, StepConfigure, StepSubmit, StepRegister, StepConnect, StepHealth, StepSummary}

// StepState tells the state of step from the record alone. A step is done
// only when its work is: the readiness check with no fails (fails the
// user overrode need attention), the install finished ok, the server
// initialised with its authentication CSR, the application sent, the
// authentication certificate active. An unknown step is not started.
func (r Record) StepState(step string) State {
	switch step {
	case StepWelcome:
		if r.LastStep != "" || r.Organisation != nil {
			return Done // seen: it only tells what comes
		}
	case StepOrganisation:
		if r.Organisation.Complete() {
			return Done
		}
	case StepServer:
		if s := r.Server; s != nil && (s.Local || s.Host != "") {
			return Done
		}
	case StepReadiness:
		return r.readinessState()
	case StepInstall:
		return r.installState()
	case StepConfigure:
		return r.configureState()
	case StepToken:
		// A signing key on the server's software token needs no token here.
		if r.SignKey != nil || r.LatestCSR(UsageSign) != nil || r.SignPlacement == PlaceSoftToken {
			return Done
		}
	case StepCertificates:
		// Its work is the signing CSR, or for a key at the server the
		// choice of its place (the Configure step makes that CSR).
		if r.LatestCSR(UsageSign) != nil || r.SignPlacement == PlaceSoftToken || r.SignPlacement == PlaceServerToken {
			return Done
		}
	case StepSubmit:
		switch s := r.Submission; {
		case s.Sent() && len(s.Awaiting) > 0:
			return Attention // what was ready went; the rest is to send
		case s.Sent():
			return Done
		case s != nil:
			return Attention // prepared, not sent
		}
	case StepRegister:
		return r.registerState()
	case StepConnect:
		return r.connectState()
	case StepHealth:
		return r.healthState()
	case StepSummary:
		if r.registerState() == Done {
			return Done
		}
	}
	return NotStarted
}

func (r Record) readinessState() State {
	switch rd := r.Readiness; {
	case rd == nil:
		return NotStarted
	case rd.Fail == 0:
		return Done
	case rd.FailsOverridden:
		return Attention
	}
	return Failed
}

func (r Record) installState() State {
	switch in := r.Install; {
	case in == nil:
		return NotStarted
	case in.ProfileClassAbsent():
		return Attention // installed, but not the operator's packages
	case in.Outcome == OutcomeOK:
		return Done
	case in.Outcome == OutcomeFailed:
		return Failed
	}
	return Attention // stopped, or cut off while it ran
}

func (r Record) configureState() State {
	switch in := r.Init; {
	case in == nil:
		return NotStarted
	case in.Done() && in.TimeStamping && r.LatestCSR(UsageAuth) != nil:
		return Done
	case !in.Done() && in.Outcome == OutcomeFailed:
		return Failed
	}
	return Attention
}

func (r Record) registerState() State {
	if c := r.Certificate(UsageAuth); c != nil && !c.ActivatedAt.IsZero() {
		return Done
	}
	if s := r.Submission; s != nil && s.Stage == "active" {
		return Done
	}
	if s := r.Submission; len(r.Certificates) > 0 || s != nil && s.Sent() && s.Stage != "sent" {
		return Attention // certificates back or imported, not active yet
	}
	return NotStarted
}
