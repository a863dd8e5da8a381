package xroadtest

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// Guard watches that the server keeps a pair in service (InService) at
// every moment it is observed: after every request the fake answers
// (Watch) and, besides, by a goroutine polling it until the test ends.
// Each moment without one is recorded with the certificates then, and
// fails the test when it ends (even one stopped by t.Fatal) unless taken
// (TakeLost).
type Guard struct {
	s *Server

	mu       sync.Mutex
	seen     int
	lost     []string
	stop     chan struct{}
	finished chan struct{}
}

// Guard starts watching; the polling ends with t (or Stop).
func (s *Server) Guard(t testing.TB) *Guard {
	t.Helper()
	g := &Guard{s: s, stop: make(chan struct{}), finished: make(chan struct{})}
	s.Watch(g.check)
	go func() {
		defer close(g.finished)
		for {
			select {
			case <-g.stop:
				return
			default:
			}
			g.check()
			time.Sleep(time.Millisecond) // a poll's pace, asserting nothing about time
		}
	}()
	t.Cleanup(func() {
		g.Stop()
		if lost := g.TakeLost(); len(lost) > 0 {
			t.Errorf("xroadtest: the server was without a pair in service (seen %d moments): %s", g.Seen(), strings.Join(lost, "\n"))
		}
	})
	return g
}

// Stop ends the watching; safe to call twice.
func (g *Guard) Stop() {
	g.s.Watch(nil)
	select {
	case <-g.stop:
	default:
		close(g.stop)
	}
	<-g.finished
}

func (g *Guard) check() {
	auth, sign := g.s.InService()
	g.mu.Lock()
	defer g.mu.Unlock()
	g.seen++
	if auth && sign {
		return
	}
	// One line per state lost, not per moment it was seen.
	line := fmt.Sprintf("auth in service %v, sign in service %v: %s", auth, sign, describeCerts(g.s.Certs()))
	if len(g.lost) < 20 && (len(g.lost) == 0 || g.lost[len(g.lost)-1] != line) {
		g.lost = append(g.lost, line)
	}
}

// Seen is how many moments were observed.
func (g *Guard) Seen() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.seen
}

// TakeLost returns the states (at most 20) the server was seen in without
// a pair in service so far and forgets them, for a test that loses it on purpose.
func (g *Guard) TakeLost() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	lost := g.lost
	g.lost = nil
	return lost
}

func describeCerts(cs []CertState) string {
	var parts []string
	for _, c := range cs {
		parts = append(parts, fmt.Sprintf("%s %s %s active=%v %s", c.Usage, c.Hash[:12], c.Status, c.Active, c.OCSP))
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}
