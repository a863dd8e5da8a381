package xroadtest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// recorder is a testing.TB that keeps what Errorf said and the cleanups,
// so a test can see the fake fail the test that started it.
type recorder struct {
	*testing.T
	errs     []string
	cleanups []func()
}

func (r *recorder) Errorf(format string, args ...any) { r.errs = append(r.errs, format) }
func (r *recorder) Cleanup(f func())                  { r.cleanups = append(r.cleanups, f) }

// TestViolationFailsTest: a request against the definition fails the
// test at its end; one taken with TakeViolations does not.
func TestViolationFailsTest(t *testing.T) {
	for _, take := range []bool{false, true} {
		r := &recorder{T: t}
		s := StartWith(r, Options{})
		// Straight to the handler: the tunnel is not what is tested here.
		req := httptest.NewRequest("GET", "https://"+ServerName+"/api/v1/keys/AB/csrs/CD?csr_format=XML", nil)
		req.Header.Set("Authorization", "X-Road-ApiKey token=nope")
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, req)
		if w.Code != http.StatusBadRequest {
			t.Fatalf("a broken request answered %d", w.Code)
		}
		if take && len(s.TakeViolations()) != 1 {
			t.Fatal("the violation was not recorded")
		}
		for i := len(r.cleanups) - 1; i >= 0; i-- {
			r.cleanups[i]()
		}
		failed := len(r.errs) > 0 && strings.Contains(r.errs[0], "breaks the 7.4.2 definition")
		if failed == take {
			t.Fatalf("take=%v: errors %q", take, r.errs)
		}
	}
}

// TestDeparturesStayExact: each departure from the definition must be
// one the definition does not already allow; applied twice, every one is
// refused, so a newer definition that fixes one is noticed.
func TestDeparturesStayExact(t *testing.T) {
	c := loadContract(t)
	if err := amend(c.doc); err == nil || !strings.Contains(err.Error(), "lists it already") {
		t.Fatalf("the departures applied twice: %v", err)
	}
	if r := c.doc.Paths.Find("/tokens/{id}/keys-with-csrs").Post.Responses.Value("200"); r == nil {
		t.Fatal("the 200 X-Road answers to keys-with-csrs is not allowed")
	}
}
