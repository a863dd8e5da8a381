package installer

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestRunnerStopsALongStepPastItsLimit: a long (detached) step that never
// ends, on a real sshd, is stopped once StepTimeout has passed since its
// launch: the run ends with a StepTimeoutError naming the step
// (installer.err.step_timeout), the step's processes are gone, and the
// journal records it failed, so the next run checks it and launches it
// again (a new attempt), which this time ends.
func TestRunnerStopsALongStepPastItsLimit(t *testing.T) {
	t.Parallel()
	g := newRig(t)
	g.r.StepTimeout = 3 * time.Second
	flag := g.marker + ".forever"
	// The first attempt sleeps for ever; a later one (the flag gone) ends.
	os.WriteFile(flag, nil, 0o600)
	st := Step{ID: "forever", Long: true, Check: "false",
		Apply: "echo started; if [ -e " + q(flag) + " ]; then exec sleep 987651; fi; echo finished"}
	start := time.Now()
	err := g.run(context.Background(), st)
	took := time.Since(start)
	var te *StepTimeoutError
	if !errors.As(err, &te) || te.ID != "forever" || te.After != 3*time.Second {
		t.Fatalf("got %v after %v, want a StepTimeoutError of forever", err, took)
	}
	if took > 30*time.Second {
		t.Errorf("stopped after %v, limit 3 s", took)
	}
	key, data := Explain(err)
	if key != "installer.err.step_timeout" || data["ID"] != "forever" || data["Minutes"] != "0.1" {
		t.Errorf("explained as %s %v", key, data)
	}
	if e := g.journal()["forever"]; e.Status != JournalFailed || e.ExitCode != -1 || e.Attempt != 1 || e.Finished == "" {
		t.Fatalf("journal %+v", e)
	}
	if out, _ := exec.Command("pgrep", "-f", "sleep 987651").Output(); strings.TrimSpace(string(out)) != "" {
		t.Errorf("the step's process still runs: %s", out)
	}
	// A resume: checked again and launched as a new attempt.
	os.Remove(flag)
	g.reset()
	if err := g.run(context.Background(), st); err != nil {
		t.Fatalf("resume: %v\n%s", err, g.allEvents())
	}
	if e := g.journal()["forever"]; e.Status != JournalDone || e.Attempt != 2 {
		t.Fatalf("journal after the resume %+v", e)
	}
}
