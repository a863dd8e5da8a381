package onboarding

// The install's milestones, as both front ends record them: the wizard's
// Install step and `tunduk-onboard-cli install` write the same fields the
// same way (a wizard opened after a CLI install shows it done).

import "time"

// InstallStarted: a run began at at with total plan steps.
func (r *Record) InstallStarted(at time.Time, total int) {
	r.Install = &Install{Started: at.UTC(), StepsTotal: total}
}

// InstallStepDone: the journal moved on at at: plan step id done (or found
// done already), done of total.
func (r *Record) InstallStepDone(at time.Time, id string, done, total int) {
	if r.Install == nil {
		r.Install = &Install{Started: at.UTC()}
	}
	r.Install.LastStepDone, r.Install.StepsDone, r.Install.StepsTotal = id, done, total
}

// InstallEnded: the run ended at at with outcome; reason is the
// installer's key for why it stopped ("" when it did not), version the
// X-Road version a finished install put there.
func (r *Record) InstallEnded(at time.Time, outcome Outcome, reason, version string) {
	if r.Install == nil {
		r.Install = &Install{Started: at.UTC()}
	}
	in := r.Install
	in.Finished, in.Outcome, in.Reason = at.UTC(), outcome, reason
	if outcome == OutcomeOK {
		in.XRoadVersion = version
	}
}

// InstallClassChecked: the finished install's finding on the operator's
// certificate profile class (installer.Class*; "" not checked).
func (r *Record) InstallClassChecked(status string) {
	if r.Install != nil {
		r.Install.ProfileClass = status
	}
}
