package app

import "sync"

// madeCSR is one certificate signing request made during this run, as the
// Submit step sends it: DER bytes and where its key lives (shown to the CA).
type madeCSR struct {
	DER    []byte
	Source string // e.g. "security server, software token" or "Rutoken 0a1b2c3d"
}

// csrSet is the hand-over between the steps that make CSRs (Configure: the
// authentication CSR, and the signing one when the key is on a token at the
// server; Certificates: the signing CSR on the local Rutoken) and the
// Submit step that packs them. Steps run their work in goroutines, hence
// the lock.
type csrSet struct {
	mu         sync.Mutex
	auth, sign *madeCSR
}

// setAuth records the authentication CSR (nil forgets it).
func (s *csrSet) setAuth(c *madeCSR) { s.mu.Lock(); s.auth = c; s.mu.Unlock() }

// setSign records the signing CSR (nil forgets it).
func (s *csrSet) setSign(c *madeCSR) { s.mu.Lock(); s.sign = c; s.mu.Unlock() }

// get returns both; either may be nil when not made yet.
func (s *csrSet) get() (auth, sign *madeCSR) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.auth, s.sign
}
