package health

import (
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

// TestProbeHostileOutput: what a host prints is shown cleaned (no
// terminal escapes, one bounded line), a missing section is unknown,
// never a pass, and numbers that are not numbers decide nothing.
func TestProbeHostileOutput(t *testing.T) {
	p, err := profile.Default()
	if err != nil {
		t.Fatal(err)
	}
	g := &gatherer{p: p, th: p.Health, now: time.Now}
	out := "#date\nnot-a-time\n#units\nxroad-proxy \x1b[31mfailed\x1b[0m\x07" + strings.Repeat("x", 5000) + "\n#df\n/var/lib/xroad 12ab\n"
	pr := parseProbe([]byte(out))
	if pr.complete {
		t.Fatal("a probe without its end marker taken as complete")
	}
	g.units([]string{"xroad-proxy", "xroad-signer"}, pr)
	g.clock(pr, time.Now(), time.Second)
	g.disks(pr)
	st := map[string]Status{}
	for _, f := range g.out {
		st[f.ID] = f.Status
		for _, s := range []string{f.Observed.EN, f.Observed.RU, f.Title.KY} {
			if strings.ContainsAny(s, "\x1b\x07") || len(s) > 2000 {
				t.Errorf("%s: host text not cleaned: %q", f.ID, s)
			}
		}
	}
	want := map[string]Status{"unit.xroad-proxy": Critical, "unit.xroad-signer": Unknown, "clock": Unknown,
		"disk./var/lib/xroad": Unknown, "disk./var/lib/postgresql": Unknown}
	for id, w := range want {
		if st[id] != w {
			t.Errorf("%s: %s, want %s (all: %v)", id, st[id], w, st)
		}
	}
}

// TestProbeScriptQuotes: every value from the profile reaches the shell
// quoted, and an address that is not host:port never reaches it.
func TestProbeScriptQuotes(t *testing.T) {
	th := profile.DefaultHealth()
	th.DataPaths = []string{"/var/lib/it's"}
	s := probeScript(th, []string{"xroad-proxy"}, []Endpoint{{Host: "cs.tunduk.kg", Port: "80"}})
	if !strings.Contains(s, `'/var/lib/it'\''s'`) || !strings.Contains(s, "'cs.tunduk.kg' '80'") {
		t.Fatalf("not quoted:\n%s", s)
	}
	if e := AnchorEndpoints([]byte(`<conf><instanceIdentifier>x</instanceIdentifier><source><downloadURL>http://$(id):80/</downloadURL></source></conf>`)); len(e) != 0 {
		t.Fatalf("a hostile anchor's address was kept: %v", e)
	}
}
