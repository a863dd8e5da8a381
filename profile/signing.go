package profile

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/tokens/vendors"
)

// Where the participant's signing key may live: the operator allows some
// of these and recommends one.
const (
	// PlacementUSBToken: a hardware token prepared at the desktop (key and
	// CSR made there, over PKCS#11), then plugged into the security server.
	PlacementUSBToken = "usb_token"
	// PlacementServerHWToken: a hardware token plugged into the security
	// server; the server makes the key (or takes one made on the token)
	// and its CSR through its admin API.
	PlacementServerHWToken = "server_hw_token"
	// PlacementServerSoftToken: the security server's software token, like
	// the authentication key: a key file on the server's disk protected by
	// the token PIN. X-Road 7.4.2 allows a signing key there (only an
	// authentication key is bound to the software token:
	// src/signer/.../protocol/handler/GenerateCertReqReqHandler.java,
	// src/security-server/admin-service/.../service/PossibleActionsRuleEngine.java
	// GENERATE_SIGN_CSR has no token condition).
	PlacementServerSoftToken = "server_soft_token"
)

// Placements are every placement, in the order they are offered.
var Placements = []string{PlacementUSBToken, PlacementServerHWToken, PlacementServerSoftToken}

// SigningKey is the operator's word on the signing key.
type SigningKey struct {
	// Placements the operator allows (at least one, of Placements).
	Placements []string `json:"placements"`
	// Default is the placement offered first; one of Placements.
	Default string `json:"default"`
	// TokenVendor is the hardware token the participant gets (a
	// tokens/vendors ID: rutoken, jacarta); the install writes its
	// devices.ini section. Empty: the Rutoken.
	TokenVendor string `json:"token_vendor,omitempty"`
}

// Allows says whether the operator allows placement pl.
func (s SigningKey) Allows(pl string) bool { return slices.Contains(s.Placements, pl) }

// Offered are the allowed placements in the order they are offered.
func (s SigningKey) Offered() []string {
	var out []string
	for _, pl := range Placements {
		if s.Allows(pl) {
			out = append(out, pl)
		}
	}
	return out
}

// Vendor is TokenVendor, or the Rutoken when it is empty.
func (s SigningKey) Vendor() string {
	if s.TokenVendor == "" {
		return vendors.Default
	}
	return s.TokenVendor
}

func (s *SigningKey) validate() *Error {
	bad := func(field, problem string) *Error { return &Error{Field: "signing_key." + field, Problem: problem} }
	all := strings.Join(Placements, ", ")
	if len(s.Placements) == 0 {
		return bad("placements", "must list at least one of "+all)
	}
	seen := map[string]bool{}
	for i, pl := range s.Placements {
		if !slices.Contains(Placements, pl) {
			return bad(fmt.Sprintf("placements[%d]", i), fmt.Sprintf("%q is none of %s", pl, all))
		}
		if seen[pl] {
			return bad(fmt.Sprintf("placements[%d]", i), fmt.Sprintf("%q is listed twice", pl))
		}
		seen[pl] = true
	}
	if !s.Allows(s.Default) {
		return bad("default", fmt.Sprintf("%q must be one of the placements (%s)", s.Default, strings.Join(s.Placements, ", ")))
	}
	if s.TokenVendor != "" && !slices.Contains(vendors.IDs(false), s.TokenVendor) {
		return bad("token_vendor", fmt.Sprintf("%q is none of %s", s.TokenVendor, strings.Join(vendors.IDs(false), ", ")))
	}
	return nil
}
