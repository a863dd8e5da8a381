package app

import (
	"sync"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
)

// madeCSR is one certificate signing request made during this run, as the
// Submit step sends it: DER bytes and where its key lives.
type madeCSR struct {
	DER   []byte
	Where string // keyOnSoftToken, keyOnServerToken or keyOnRutoken
	Token string // the token's id on the server, or the Rutoken's serial
	// For the onboarding record, when known: the key's id (CKA_ID in hex,
	// or the server's key id), its label and the token's label.
	KeyID, Label, TokenLabel string
}

// Where a CSR's key lives: the suffixes of the csr.where.* texts, and the
// onboarding record's words.
const (
	keyOnSoftToken   = onboarding.PlaceSoftToken
	keyOnServerToken = onboarding.PlaceServerToken
	keyOnRutoken     = onboarding.PlaceRutoken
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
	// onSet is told each CSR set (the onboarding recorder), outside the lock.
	onSet func(usage string, c *madeCSR)
}

// setAuth records the authentication CSR (nil forgets it).
func (s *csrSet) setAuth(c *madeCSR) { s.set(&s.auth, onboarding.UsageAuth, c) }

// setSign records the signing CSR (nil forgets it).
func (s *csrSet) setSign(c *madeCSR) { s.set(&s.sign, onboarding.UsageSign, c) }

func (s *csrSet) set(slot **madeCSR, usage string, c *madeCSR) {
	s.mu.Lock()
	*slot = c
	hook := s.onSet
	s.mu.Unlock()
	if hook != nil && c != nil {
		hook(usage, c)
	}
}

// get returns both; either may be nil when not made yet.
func (s *csrSet) get() (auth, sign *madeCSR) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.auth, s.sign
}
