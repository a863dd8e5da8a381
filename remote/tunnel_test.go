package remote

import "testing"

func TestPinnedTLSRefusesNoName(t *testing.T) {
	if _, _, err := PinnedTLS([]byte("not a certificate")); err == nil {
		t.Error("garbage accepted as a certificate")
	}
}
