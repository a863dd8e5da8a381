package app

import (
	"sync"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// madeCSR is one certificate signing request made during this run, as the
// Submit step sends it: DER bytes and where its key lives.
type madeCSR struct {
	DER   []byte
	Where string // keyOnSoftToken, keyOnServerToken or keyOnRutoken
	Token string // the token's id on the server, or the Rutoken's serial
}

// Where a CSR's key lives: the suffixes of the csr.where.* texts.
const (
	keyOnSoftToken   = "soft_token"
	keyOnServerToken = "server_token"
	keyOnRutoken     = "rutoken"
)

// source tells where the key lives in lang: the wizard shows it in the
// user's language, the letter to the CA carries it in Russian. The texts
// are in the report catalogue because the letter needs a language other
// than the UI's.
func (m *madeCSR) source(lang string) string {
	return i18n.T(lang, "csr.where."+m.Where, map[string]any{"Token": m.Token})
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
