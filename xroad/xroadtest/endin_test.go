package xroadtest

import (
	"testing"
	"time"
)

// TestEndIn: the certificates in service end in the days asked, new
// hashes, still in service.
func TestEndIn(t *testing.T) {
	s := Start(t)
	s.Operate(t, 200)
	before := map[string]bool{}
	for _, c := range s.Certs() {
		before[c.Hash] = true
	}
	s.EndIn(t, 10)
	want := time.Now().Add(10 * 24 * time.Hour)
	n := 0
	for h, c := range s.certs {
		if before[h] || c.cert.NotAfter.Sub(want).Abs() > time.Hour {
			t.Errorf("certificate %s ends %v", h, c.cert.NotAfter)
		}
		n++
	}
	if auth, sign := s.InService(); n != 2 || !auth || !sign {
		t.Fatalf("%d certificates, in service %v %v", n, auth, sign)
	}
}
