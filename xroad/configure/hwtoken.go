package configure

// A hardware token's ID is the server's, never ours to assume: X-Road
// 7.4.2 names it from the PKCS#11 module (signer HardwareTokenType.java,
// getId: the hex of ModuleConf.java's "{moduleType}{slotIndex}{serialNumber}{label}"),
// a long hex string; only the software token has a fixed one, "0"
// (SoftwareTokenType.ID). So an ID not given is the one GET /tokens lists
// when the server has exactly one hardware token.

import (
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// HardwareToken is the hardware token id among the server's tokens or,
// with id empty, the only one there is: configure.err.hw_token_none when
// the server lists none, configure.err.hw_token_needed (naming them)
// when it lists several; an id it does not list is
// configure.err.token_missing.
func (st Status) HardwareToken(id string) (TokenInfo, error) {
	if id = strings.TrimSpace(id); id != "" {
		return st.Token(id)
	}
	var hw []TokenInfo
	for _, t := range st.Tokens {
		if t.ID != xroad.SoftwareTokenID {
			hw = append(hw, t)
		}
	}
	switch len(hw) {
	case 1:
		return hw[0], nil
	case 0:
		return TokenInfo{}, &Error{Key: "configure.err.hw_token_none"}
	}
	var have []string
	for _, t := range hw {
		have = append(have, t.ID+" ("+t.Name+")")
	}
	return TokenInfo{}, &Error{Key: "configure.err.hw_token_needed", Data: map[string]any{"Tokens": strings.Join(have, ", ")}}
}

// tokenInfos are toks as Status lists them.
func tokenInfos(toks []xroad.Token) []TokenInfo {
	var out []TokenInfo
	for _, t := range toks {
		out = append(out, TokenInfo{ID: t.ID, Name: t.Name, Type: t.Type, Status: t.Status,
			Serial: t.SerialNumber, LoggedIn: t.LoggedIn, Available: t.Available})
	}
	return out
}
