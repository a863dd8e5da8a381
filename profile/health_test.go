package profile

import "testing"

func TestHealthDefaultsAndValidation(t *testing.T) {
	p, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Health.CertExpiryDays; len(got) != 3 || got[0] != 30 || got[2] != 7 {
		t.Fatalf("cert_expiry_days %v", got)
	}
	for name, mod := range map[string]func(*Health){
		"ascending":   func(h *Health) { h.CertExpiryDays = []int{7, 14} },
		"zero":        func(h *Health) { h.CertExpiryDays = []int{0} },
		"conf order":  func(h *Health) { h.GlobalConfCriticalSeconds = h.GlobalConfWarnSeconds - 1 },
		"clock":       func(h *Health) { h.ClockWarnSeconds = 0 },
		"backup":      func(h *Health) { h.BackupCriticalDays = 1 },
		"path":        func(h *Health) { h.DataPaths = []string{"/var/lib/x;rm"} },
		"endpoint":    func(h *Health) { h.Endpoints = []string{"ocsp.example.kg:99999"} },
		"endpoint sh": func(h *Health) { h.Endpoints = []string{"$(id):80"} },
		"probe":       func(h *Health) { h.ProbeSeconds = 0 },
	} {
		h := DefaultHealth()
		mod(&h)
		if h.validate() == nil {
			t.Errorf("%s: accepted %+v", name, h)
		}
	}
	h := DefaultHealth()
	h.Endpoints = []string{"ocsp.tunduk.kg:62301"}
	if err := h.validate(); err != nil {
		t.Fatal(err)
	}
}
