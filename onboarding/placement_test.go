package onboarding

import (
	"path/filepath"
	"testing"
)

// The signing key's place decides what the Token and Certificates steps
// owe: nothing on a token here for the server's software token, the
// choice itself for a key made at the server; the record keeps it.
func TestStepStatesFollowThePlacement(t *testing.T) {
	signCSR := CSR{Usage: UsageSign, SHA256: "b", MadeAt: t0}
	for _, c := range []struct {
		place      string
		csr        bool
		token, crt State
	}{
		{"", false, NotStarted, NotStarted},
		{PlaceRutoken, false, NotStarted, NotStarted},
		{PlaceRutoken, true, Done, Done},
		{PlaceServerToken, false, NotStarted, Done},
		{PlaceSoftToken, false, Done, Done},
		{PlaceSoftToken, true, Done, Done},
	} {
		r := Record{SignPlacement: c.place}
		if c.csr {
			r.CSRs = []CSR{signCSR}
		}
		if got := r.StepState(StepToken); got != c.token {
			t.Errorf("%q csr %v: Token %s, want %s", c.place, c.csr, got, c.token)
		}
		if got := r.StepState(StepCertificates); got != c.crt {
			t.Errorf("%q csr %v: Certificates %s, want %s", c.place, c.csr, got, c.crt)
		}
	}
	path := filepath.Join(t.TempDir(), "onboarding.json")
	if err := (&Record{Version: Version, SignPlacement: PlaceSoftToken}).Save(path); err != nil {
		t.Fatal(err)
	}
	if r, err := Load(path); err != nil || r.SignPlacement != PlaceSoftToken {
		t.Fatalf("read back: %+v %v", r, err)
	}
}
