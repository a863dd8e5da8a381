package benchnet

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/health"
	"github.com/tunduk-onboard/tunduk-onboard/internal/srcdir"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
	"golang.org/x/sys/unix"
)

// Target: status of the whole fleet in at most this many times the time
// of one server (issue 16).
const statusScaleTarget = 2.0

// TestBenchStatus is `make bench`'s status case (build/bench-status.sh):
// the built CLI's `status` over 1 test host and over all of them
// (BENCH_HOSTS, default 20), each on a link with BENCH_DELAY_MS (default
// 25) added each way, BENCH_RUNS (default 5) timed rounds after a
// warm-up, the cases interleaved so load from elsewhere falls on all of
// them alike. The fleet runs with --parallel at the fleet's size; the
// default --parallel is timed too, for the record. Every run must find
// every server ok: a run that looked at less is no measurement. With
// TUNDUK_FLEET_TABLE=FILE it then breaks a thing on three hosts and
// writes the text of `status` over the first four to FILE (the
// README's fleet table).
func TestBenchStatus(t *testing.T) {
	if os.Getenv("TUNDUK_BENCH_STATUS") != "1" {
		t.Skip("benchmark: run by build/bench-status.sh")
	}
	if os.Getuid() != 0 {
		t.Fatal("needs root (the test hosts live in network namespaces)")
	}
	n, runs, delayMS := envInt(t, "BENCH_HOSTS", 20), envInt(t, "BENCH_RUNS", 5), envInt(t, "BENCH_DELAY_MS", 25)
	cli := os.Getenv("CLI")
	if cli == "" {
		root, _ := srcdir.Root()
		cli = filepath.Join(root, "bin/tunduk-onboard-cli")
	}
	if _, err := os.Stat(cli); err != nil {
		t.Fatalf("%v: run 'make build' first", err)
	}
	f := startFleet(t, n, time.Duration(delayMS)*time.Millisecond)
	one, all := f.hostsFile(t, 1), f.hostsFile(t, n)
	cases := []struct {
		name                string
		argv                []string
		ms, cpu, fake, host []float64
	}{
		{name: "1 host", argv: f.status(cli, one)},
		{name: fmt.Sprintf("%d hosts, --parallel %d", n, n), argv: f.status(cli, all, "--parallel", strconv.Itoa(n))},
		{name: fmt.Sprintf("%d hosts, default --parallel", n), argv: f.status(cli, all)},
	}
	wantAllOK(t, f, cases[1].argv, n)

	for round := 0; round <= runs; round++ {
		for k := range cases {
			c := &cases[k]
			if round%2 == 1 { // every other round in reverse order
				c = &cases[len(cases)-1-k]
			}
			before, hostsBefore := selfCPU(), f.hostsCPU(t)
			r := run(t, c.argv)
			fake, hosts := selfCPU()-before, f.hostsCPU(t)-hostsBefore
			if r.code != 0 {
				t.Fatalf("%s: exit %d (every server was ok before)\n%s", c.name, r.code, r.errOut)
			}
			if round > 0 {
				c.ms, c.cpu, c.fake, c.host = append(c.ms, ms(r.wall)), append(c.cpu, ms(r.cpu)), append(c.fake, ms(fake)), append(c.host, ms(hosts))
			}
		}
	}

	fmt.Printf("status: %d test hosts, each link +%d ms round trip (relay, %d ms each way); %d runs per case after 1 warm-up, interleaved; times in ms\n",
		n, 2*delayMS, delayMS, runs)
	fmt.Printf("status: %-30s %8s %8s %8s %8s %8s %8s\n", "case", "median", "min", "max", "CLI cpu", "API cpu", "sshd cpu")
	for _, c := range cases {
		fmt.Printf("status: %-30s %8.0f %8.0f %8.0f %8.0f %8.0f %8.0f\n", c.name, median(c.ms), slices.Min(c.ms), slices.Max(c.ms),
			median(c.cpu), median(c.fake), median(c.host))
	}
	fmt.Println("status: (medians; CLI cpu: the CLI's user+system time; API cpu: this process's, the hosts' fake admin APIs and relays;")
	fmt.Println("status:  sshd cpu: the hosts' sshds, their sessions and commands, all on this machine's cores too)")
	ratio := median(cases[1].ms) / median(cases[0].ms)
	verdict := "PASS"
	if ratio > statusScaleTarget {
		verdict = "FAIL"
	}
	fmt.Printf("status: ratio %d hosts / 1 host %.2fx (target <= %.0fx): %s\n", n, ratio, statusScaleTarget, verdict)
	fmt.Printf("status: ratio %d hosts at the default --parallel / 1 host %.2fx (no target)\n", n, median(cases[2].ms)/median(cases[0].ms))
	// The floor of the fleet's time on this machine: the 20 servers' own
	// work runs here too, so the run cannot end before all of its CPU time
	// has been spent on the cores there are, nor before one host's look.
	work := median(cases[1].cpu) + median(cases[1].fake) + median(cases[1].host)
	floor := max(median(cases[0].ms), work/float64(runtime.NumCPU()))
	fmt.Printf("status: floor here %.0f ms (the run's CPU work, %.0f ms, on %d cores, or one host's time if longer); %d hosts / floor %.2fx\n",
		floor, work, runtime.NumCPU(), n, median(cases[1].ms)/floor)

	if out := os.Getenv("TUNDUK_FLEET_TABLE"); out != "" && n >= 4 {
		f.fleetTable(t, cli, out)
	}
	if verdict != "PASS" {
		t.Errorf("status: target missed")
	}
}

// wantAllOK: one run over the fleet in JSON finds every server, each ok
// with the findings of a whole look (a host that could not be looked at
// would make the timings meaningless).
func wantAllOK(t *testing.T, f *fleet, argv []string, n int) {
	t.Helper()
	r := run(t, append(argv, "--format", "json"))
	code, out, errOut := r.code, r.out, r.errOut
	var doc struct {
		Reports []health.Report `json:"reports"`
	}
	if err := json.Unmarshal(out, &doc); err != nil || len(doc.Reports) != n {
		t.Fatalf("status over %d hosts: exit %d, %v\n%s\n%s", n, code, err, out, errOut)
	}
	for _, r := range doc.Reports {
		bad := r.Err
		for _, x := range r.Findings {
			if x.Status != health.OK {
				bad += " " + x.ID + "=" + string(x.Status)
			}
		}
		if bad != "" || len(r.Findings) < 20 {
			t.Fatalf("%s is not a whole look at a server in service (%d findings):%s", r.Host, len(r.Findings), bad)
		}
	}
	if code != 0 {
		t.Fatalf("status: exit %d with every server ok\n%s", code, errOut)
	}
}

// fleetTable breaks one thing on each of hosts 2-4 (a token logged out,
// global configuration 8 minutes old, the newest backup 9 days old) and
// writes what status prints over the first four hosts.
func (f *fleet) fleetTable(t *testing.T, cli, path string) {
	t.Helper()
	f.fakes[1].LogOutToken(xroad.SoftwareTokenID)
	f.fakes[2].SetGlobalConfAge(8 * time.Minute)
	f.fakes[3].SetBackups(xroadtest.BackupAt(time.Now().Add(-9 * 24 * time.Hour)))
	r := run(t, f.status(cli, f.hostsFile(t, 4)))
	if r.code != 2 {
		t.Fatalf("fleet table: exit %d, want 2 (critical)\n%s\n%s", r.code, r.out, r.errOut)
	}
	writeFile(t, path, r.out)
}

// selfCPU is this process's CPU time so far: the fakes' and relays'.
func selfCPU() time.Duration {
	var ru unix.Rusage
	unix.Getrusage(unix.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func median(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	i, err := strconv.Atoi(v)
	if err != nil || i < 0 || (i == 0 && name != "BENCH_DELAY_MS") || i > 200 {
		t.Fatalf("%s=%q: want a number 1..200", name, v)
	}
	return i
}
