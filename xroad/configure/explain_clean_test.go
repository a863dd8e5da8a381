package configure

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// What the admin API or the host said reaches an explanation as one clean
// line: a code, metadata, a connection error.
func TestExplainDataClean(t *testing.T) {
	hostile := "\x1b[2J\x1b]0;pwned\x07\xff\r\nforged"
	for _, err := range []error{
		&xroad.Error{Method: "PUT", Path: "/x", Status: 409, Detail: xroad.Detail{Code: "odd" + hostile, Metadata: []string{"a" + hostile}}},
		&xroad.Error{Method: "POST", Path: "/initialization", Status: 400, Detail: xroad.Detail{Code: xroad.CodeInvalidInitParams, Metadata: []string{"owner" + hostile}}},
		fmt.Errorf("ssh: connecting: %w", errors.New("reset"+hostile)),
		errors.New("boom" + hostile),
	} {
		key, data := Explain(err)
		for k, v := range data {
			if s, ok := v.(string); ok && strings.ContainsAny(s, "\x1b\x07\r\n\ufffd") {
				t.Errorf("%s: %s = %q", key, k, s)
			}
		}
	}
}
