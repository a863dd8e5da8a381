package installer

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"
)

// A second run against a host that a first one drives is refused, told
// who drives it, and changes nothing; once the first ends, it runs.
func TestRunLockKeepsASecondRunOut(t *testing.T) {
	t.Parallel()
	g := newRig(t)
	g.r.Holder = "wizard, alice@laptop"
	release := g.marker + ".release"
	long := Step{ID: "long", Check: "false", Apply: "while [ ! -e " + q(release) + " ]; do sleep 0.1; done; echo long >> " + q(g.marker)}
	started := make(chan struct{})
	var once bool
	g.onEvent = func(e Event) {
		if e.StepID == "long" && e.Kind == EventApplying && !once {
			once = true
			close(started)
		}
	}
	first := make(chan error, 1)
	go func() { first <- g.run(context.Background(), long) }()
	select {
	case <-started:
	case err := <-first:
		t.Fatalf("the first run ended before it applied: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the first run never applied its step")
	}

	second := *g.r
	second.Holder = "tunduk-onboard-cli, bob@desk"
	second.Progress = nil
	marked := g.markStep("other", "", false)
	err := second.Run(context.Background(), []Step{marked})
	var busy *BusyError
	if !errors.As(err, &busy) {
		t.Fatalf("second run = %v, want *BusyError", err)
	}
	if busy.Holder != "wizard, alice@laptop" || len(busy.Since) != len("2006-01-02T15:04:05Z") {
		t.Fatalf("busy = %+v", busy)
	}
	if got := g.applies(); got["other"] != 0 {
		t.Fatalf("the refused run applied something: %v", got)
	}

	if err := os.WriteFile(release, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := <-first; err != nil {
		t.Fatalf("first run: %v", err)
	}
	// The first run's lock went with it, children and all.
	if err := second.Run(context.Background(), []Step{marked}); err != nil {
		t.Fatalf("second run after the first ended: %v", err)
	}
	if got := g.applies(); got["other"] != 1 {
		t.Fatalf("applies %v", got)
	}
}
