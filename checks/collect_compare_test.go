package checks

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os/exec"
	"testing"
	"time"
)

// shCommander runs commands on this machine the way sshd would: sh -c.
type shCommander struct{}

func (shCommander) Run(ctx context.Context, cmd string, stdin io.Reader) ([]byte, []byte, error) {
	c := exec.CommandContext(ctx, "sh", "-c", cmd)
	c.Stdin = stdin
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	err := c.Run()
	return out.Bytes(), errb.Bytes(), err
}

func TestProbeMatchesLocal(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the probe on this machine")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var diffs []string
	var local, remote *Facts
	// Other processes may open or close sockets or interfaces between the
	// two collections: retry a few times before calling it a difference.
	for attempt := 0; attempt < 3; attempt++ {
		start := time.Now()
		var err error
		remote, err = CollectRemote(ctx, shCommander{})
		if err != nil {
			t.Fatalf("CollectRemote: %v", err)
		}
		probeTime := time.Since(start)
		start = time.Now()
		local, err = CollectLocal(ctx)
		if err != nil {
			t.Fatalf("CollectLocal: %v", err)
		}
		t.Logf("probe %v, local collector %v", probeTime, time.Since(start))
		if diffs = CompareFacts(local, remote); len(diffs) == 0 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, d := range diffs {
		t.Errorf("local vs probe: %s", d)
	}
	if remote.Sudo == nil {
		t.Errorf("the probe reported no sudo section")
	}
	if local.Sudo != nil {
		t.Errorf("the local collector filled Sudo")
	}
	if testing.Verbose() {
		j, _ := json.MarshalIndent(local, "", "  ")
		t.Logf("local facts: %s", j)
	}
}
