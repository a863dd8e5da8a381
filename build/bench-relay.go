//go:build ignore

// bench-relay puts a delaying TCP relay (build/benchnet) in front of
// each of `make bench`'s test hosts: this kernel has no netem, so the
// round trip of a real network is added in user space, Delay each way.
//
//	go build -o bench-relay build/bench-relay.go
//	bench-relay -delay 25ms -ready FILE NS,LISTEN,TARGET ...
//
// Each NS,LISTEN,TARGET listens on LISTEN and dials TARGET, both inside
// the network namespace NS (`ip netns add` names; "-" for this
// process's own), e.g. tob-h0,10.213.0.10:22,127.0.0.1:22 in front of a
// test host's sshd (build/testhosts.sh with TOB_SSHD_LOOPBACK=1). Once
// every listener is up it writes "ready" to FILE. It runs until SIGTERM
// or SIGINT, or for -for at most (it stops by itself). Needs root for
// namespaces.
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/benchnet"
)

func main() {
	delay := flag.Duration("delay", 25*time.Millisecond, "added to each direction")
	ready := flag.String("ready", "", "write \"ready\" to `FILE` once listening")
	life := flag.Duration("for", 2*time.Hour, "stop after this long at most")
	flag.Parse()
	if flag.NArg() == 0 || *delay < 0 {
		fmt.Fprintln(os.Stderr, "usage: bench-relay [-delay D] [-ready FILE] [-for D] NS,LISTEN,TARGET ...")
		os.Exit(2)
	}
	var lns []net.Listener
	for _, spec := range flag.Args() {
		p := strings.Split(spec, ",")
		if len(p) != 3 {
			fail("bad relay %q: want NS,LISTEN,TARGET", spec)
		}
		ns := strings.TrimPrefix(p[0], "-")
		ln, err := benchnet.Listen(ns, p[1])
		if err != nil {
			fail("%s: %v", spec, err)
		}
		r := &benchnet.Relay{Delay: *delay, Dial: benchnet.Dialer(ns, p[2], 10*time.Second)}
		lns = append(lns, ln)
		go r.Serve(ln)
	}
	if *ready != "" {
		if err := os.WriteFile(*ready, []byte("ready\n"), 0o644); err != nil {
			fail("%v", err)
		}
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	select {
	case <-sig:
	case <-time.After(*life):
	}
	// The connections end with the process.
	for _, ln := range lns {
		ln.Close()
	}
}

func fail(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "bench-relay: "+format+"\n", a...)
	os.Exit(2)
}
