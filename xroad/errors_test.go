package xroad

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestParseError(t *testing.T) {
	body := []byte(`{"status":400,"error":{"code":"core.weak_pin","metadata":["pin_min_length","10","s3cret-PIN"]},
		"warnings":[{"code":"init_unregistered_member","metadata":["CS/COM/60000001"]}]}`)
	e := parseError("POST", "/initialization", 400, http.Header{}, body, []string{"s3cret-PIN", ""})
	if !e.HasCode(CodeWeakPin) || !e.HasCode("init_unregistered_member") || e.HasCode("pin") {
		t.Fatalf("codes: %+v", e)
	}
	msg := e.Error()
	if strings.Contains(msg, "s3cret-PIN") || !strings.Contains(msg, "[redacted]") || !strings.Contains(msg, "core.weak_pin") {
		t.Fatalf("message %q", msg)
	}
	// Not JSON at all (a proxy's HTML page): still an error with a status.
	e = parseError("GET", "/tokens", 502, http.Header{}, []byte("<html>bad gateway</html>"), nil)
	if e.Status != 502 || e.Code != "" || !strings.Contains(e.Error(), "502") {
		t.Fatalf("non-JSON body: %+v", e)
	}
}

func TestRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		v        string
		min, max time.Duration
	}{
		{"", 0, 0},
		{"3", 3 * time.Second, 3 * time.Second},
		{"-1", 0, 0},
		{"soon", 0, 0},
		{time.Now().Add(5 * time.Second).UTC().Format(http.TimeFormat), 3 * time.Second, 5 * time.Second},
	} {
		h := http.Header{}
		if tc.v != "" {
			h.Set("Retry-After", tc.v)
		}
		if got := retryAfter(h); got < tc.min || got > tc.max {
			t.Errorf("Retry-After %q: %v, want %v..%v", tc.v, got, tc.min, tc.max)
		}
	}
}
