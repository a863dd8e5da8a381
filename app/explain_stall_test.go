package app

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// A server that stalls after the login, floods, or answers nothing usable
// is told as such, with how long it was given and the limit it passed.
func TestExplainHostileServer(t *testing.T) {
	if err := SetLanguage("en"); err != nil {
		t.Fatal(err)
	}
	for want, c := range map[string]struct {
		err  error
		text string
	}{
		"err.stalled":      {fmt.Errorf("running the probe: %w", &remote.StalledError{After: 2 * time.Minute}), "120 s"},
		"err.output_limit": {fmt.Errorf("running the probe: %w", &remote.OutputLimitError{Limit: 4 << 20, Stream: "stdout"}), "4 MiB"},
		"err.probe_output": {fmt.Errorf("%w: %w", checks.ErrProbeOutput, checks.ErrNothingDecided), "unusable"},
	} {
		e := explain(c.err)
		if e.What != want || e.Todo != want+".todo" {
			t.Errorf("%v: %s, want %s", c.err, e.What, want)
		}
		if msg := T(e.What, e.Data); !strings.Contains(msg, c.text) {
			t.Errorf("%s: %q lacks %q", want, msg, c.text)
		}
	}
}
