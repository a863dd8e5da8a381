package installer

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// Explain maps any error of planning or running an install (Plan,
// CheckReadiness, Runner.Run, VerifyAdminAPI) to a key of the report
// catalogue, installer.err.*, and its data. The key's text says what
// happened, in no front end's terms; what to do is each front end's to say
// in its own (the wizard names its buttons and boxes, the CLI its flags),
// under the same key: <key>.todo in the wizard's catalogue, cli.<key>.todo
// in the report catalogue.
//
// Data values that came from the host are cleaned with i18n.Line. Two
// fields are for the front ends rather than the texts: Detail, the cleaned
// technical text of the error when there is one, and Tail, a failed step's
// last lines of output (each line cleaned).
func Explain(err error) (key string, data map[string]any) {
	if err == nil {
		return "", nil
	}
	data = map[string]any{}
	detail := func() { data["Detail"] = i18n.Line(err.Error(), i18n.MaxLine) }
	var se *StepError
	var ae *AdminAPIError
	var pe *PreflightError
	var oes OptionErrors
	var be *BusyError
	var le *LocalError
	var pin *PinError
	var stalled *remote.StalledError
	var je *JournalError
	var te *StepTimeoutError
	switch {
	case errors.Is(err, context.Canceled):
		return "installer.err.cancelled", data
	case errors.As(err, &stalled):
		// A command the run waited on, not the connection: the server
		// answered the login and then stopped answering.
		data["Seconds"] = int(stalled.After.Round(time.Second).Seconds())
		detail()
		return "installer.err.stalled", data
	case errors.As(err, &te):
		data["ID"], data["Tail"] = i18n.Line(te.ID, 100), tailLines(te.LogTail)
		data["Minutes"] = strconv.FormatFloat(te.After.Minutes(), 'f', -1, 64)
		if te.After%time.Minute != 0 {
			data["Minutes"] = strconv.FormatFloat(te.After.Minutes(), 'f', 1, 64)
		}
		return "installer.err.step_timeout", data
	case errors.As(err, &je):
		data["File"] = i18n.Line(je.Path, i18n.MaxLine)
		detail()
		return "installer.err.journal_damaged", data
	case errors.As(err, &se):
		data["ID"], data["Code"], data["Tail"] = i18n.Line(se.ID, 100), se.ExitCode, tailLines(se.LogTail)
		if se.ExitCode < 0 {
			return "installer.err.step_killed", data
		}
		return "installer.err.step", data
	case errors.Is(err, ErrSudoNeeded):
		return "installer.err.sudo_needed", data
	case errors.Is(err, ErrSudoPassword):
		detail()
		return "installer.err.sudo_refused", data
	case errors.As(err, &ae):
		detail()
		return "installer.err.api", data
	case errors.As(err, &pe):
		ids := make([]string, len(pe.Failed))
		for i, r := range pe.Failed {
			ids[i] = r.ID
		}
		data["Failed"], data["Count"] = i18n.Line(strings.Join(ids, ", "), i18n.MaxLine), len(ids)
		return "installer.err.readiness", data
	case errors.As(err, &be):
		data["Holder"], data["Since"] = i18n.Line(be.Holder, 200), i18n.Line(be.Since, 40)
		return "installer.err.busy", data
	case errors.Is(err, ErrNoReadiness):
		return "installer.err.no_readiness", data
	case errors.As(err, &le):
		data["OS"] = i18n.Line(le.OS, 100)
		return "installer.err.local_" + le.Reason, data
	case errors.As(err, &pin) && len(pin.Mismatches) > 0:
		// The first file is told; Detail lists them all.
		m := pin.Mismatches[0]
		data["File"], data["Package"] = i18n.Line(m.File, 200), i18n.Line(m.Package, 100)
		data["Got"], data["Want"], data["Count"] = i18n.Line(m.Got, 100), i18n.Line(m.Want, 100), len(pin.Mismatches)
		detail()
		return "installer.err.pin_" + m.What, data
	case errors.As(err, &oes):
		detail()
		data["Count"] = len(oes)
		return "installer.err.options", data
	}
	kind, cdata := remote.Classify(err)
	switch kind {
	case remote.KindCancelled, remote.KindOther:
		detail()
		return "installer.err.other", data
	}
	for k, v := range cdata {
		if s, ok := v.(string); ok {
			v = i18n.Line(s, i18n.MaxLine)
		}
		data[k] = v
	}
	detail()
	return "installer.err." + string(kind), data
}

// ExplainKeys are the keys Explain returns. The report catalogue has each
// in every language, and each front end a .todo for each (tests hold it).
func ExplainKeys() []string { return append([]string(nil), explainKeys...) }

var explainKeys = []string{
	"installer.err.cancelled",
	"installer.err.step",
	"installer.err.step_killed",
	"installer.err.sudo_needed",
	"installer.err.sudo_refused",
	"installer.err.api",
	"installer.err.readiness",
	"installer.err.no_readiness",
	"installer.err.options",
	"installer.err.pin_sha256",
	"installer.err.pin_version",
	"installer.err.busy",
	"installer.err.local_" + LocalNotLinux,
	"installer.err.local_" + LocalNotDebian,
	"installer.err.local_" + LocalNoSudo,
	"installer.err." + string(remote.KindHostKeyChanged),
	"installer.err." + string(remote.KindHostKeyRevoked),
	"installer.err." + string(remote.KindHostKeyUnknown),
	"installer.err." + string(remote.KindAuth),
	"installer.err." + string(remote.KindRefused),
	"installer.err." + string(remote.KindDNS),
	"installer.err." + string(remote.KindUnreachable),
	"installer.err." + string(remote.KindTimeout),
	"installer.err.stalled",
	"installer.err.other",
}

// tailLines is a step's log tail (at most ~4 KiB) for display, every
// line cleaned.
func tailLines(tail string) string {
	lines := strings.Split(strings.TrimRight(tail, "\n"), "\n")
	for i, l := range lines {
		lines[i] = i18n.Line(l, i18n.MaxLine)
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// FailedRules are the rules of rep that failed: what a readiness refusal
// is about.
func FailedRules(rep *checks.Report) []checks.Result {
	var failed []checks.Result
	if rep != nil {
		for _, r := range rep.Results {
			if r.Status == checks.Fail {
				failed = append(failed, r)
			}
		}
	}
	return failed
}
