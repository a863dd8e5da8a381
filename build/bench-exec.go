//go:build ignore

// bench-exec times short commands for build/bench-start.sh: each case
// runs once per round, the rounds interleave the cases (load from other
// work falls on all of them alike; every other round in reverse order),
// and for each it prints the median
// and the minimum of the wall time (fork to exit) and of the CPU time the
// process used (user + system, every thread; what a loaded machine
// inflates far less than the wall time).
//
//	go build -o bench-exec build/bench-exec.go
//	bench-exec -rounds 41 -warm 3 CASES.json
//
// CASES.json: [{"name": "true", "argv": ["/bin/true"], "exit": 0, "stdin": ""}, ...]
// (stdin: a file to read standard input from; exit: the exit code a run
// must end with). Output, one line per case:
//
//	name wall_med_us wall_min_us cpu_med_us cpu_min_us
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"time"
)

type benchCase struct {
	Name  string   `json:"name"`
	Argv  []string `json:"argv"`
	Exit  int      `json:"exit"`
	Stdin string   `json:"stdin"`

	wall, cpu []time.Duration
}

func main() {
	rounds := flag.Int("rounds", 41, "timed rounds")
	warm := flag.Int("warm", 3, "untimed rounds first")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: bench-exec [-rounds N] [-warm N] CASES.json")
		os.Exit(2)
	}
	data, err := os.ReadFile(flag.Arg(0))
	if err != nil {
		fail(err)
	}
	var cases []*benchCase
	if err := json.Unmarshal(data, &cases); err != nil {
		fail(err)
	}
	for r := 0; r < *warm+*rounds; r++ {
		// Every other round backwards: no case always runs first or after
		// the same neighbour.
		order := slices.Clone(cases)
		if r%2 == 1 {
			slices.Reverse(order)
		}
		for _, c := range order {
			wall, cpu, err := c.run()
			if err != nil {
				fail(fmt.Errorf("%s: %w", c.Name, err))
			}
			if r >= *warm {
				c.wall, c.cpu = append(c.wall, wall), append(c.cpu, cpu)
			}
		}
	}
	for _, c := range cases {
		fmt.Printf("%s %d %d %d %d\n", c.Name, median(c.wall), slices.Min(c.wall).Microseconds(), median(c.cpu), slices.Min(c.cpu).Microseconds())
	}
}

// run runs the case once: its wall and CPU time.
func (c *benchCase) run() (wall, cpu time.Duration, err error) {
	cmd := exec.Command(c.Argv[0], c.Argv[1:]...)
	if c.Stdin != "" {
		f, err := os.Open(c.Stdin)
		if err != nil {
			return 0, 0, err
		}
		defer f.Close()
		cmd.Stdin = f
	}
	start := time.Now()
	err = cmd.Run()
	wall = time.Since(start)
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code, err = ee.ExitCode(), nil
	}
	if err != nil {
		return 0, 0, err
	}
	if code != c.Exit {
		return 0, 0, fmt.Errorf("exit code %d, want %d", code, c.Exit)
	}
	return wall, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), nil
}

// median in microseconds.
func median(d []time.Duration) int64 {
	s := slices.Clone(d)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2].Microseconds()
	}
	return (s[n/2-1] + s[n/2]).Microseconds() / 2
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench-exec:", err)
	os.Exit(2)
}
