package installer

// A host that stalls a command the runner waits on (here a step's check)
// ends the run within CommandTimeout, over SSH and on this computer, as a
// stall the front ends tell; the root shell's frame lines are read up to
// a bound, never to an end a host may not send.

import (
	"bufio"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

func TestRunnerCommandStalls(t *testing.T) {
	t.Parallel()
	for name, newR := range map[string]func(*testing.T) *rig{"ssh": newRig, "local": func(t *testing.T) *rig { return newLocalRig(t) }} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if name == "local" {
				needRoot(t)
			}
			g := newR(t)
			g.r.CommandTimeout = time.Second
			// Ends by itself soon after: a root session takes no signal.
			stall := Step{ID: "stall", Check: "sleep 20", Apply: "true"}
			start := time.Now()
			err := g.run(context.Background(), stall)
			took := time.Since(start)
			var st *remote.StalledError
			if !errors.As(err, &st) || st.After.Round(time.Second) != time.Second {
				t.Fatalf("err %v, want a stall after 1s", err)
			}
			if took > 8*time.Second {
				t.Errorf("Run returned after %v", took)
			}
			if key, data := Explain(err); key != "installer.err.stalled" || data["Seconds"] != 1 {
				t.Errorf("explained as %s %v", key, data)
			}
		})
	}
}

func TestShellLineBounded(t *testing.T) {
	endless := bufio.NewReader(io.MultiReader(strings.NewReader("__END_x 0 0 0\n"), zeros{}))
	if line, err := readLine(endless); err != nil || line != "__END_x 0 0 0\n" {
		t.Fatalf("%q %v", line, err)
	}
	if _, err := readLine(endless); err == nil || !strings.Contains(err.Error(), "longer than 4096 bytes") {
		t.Fatalf("an endless line: %v", err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
