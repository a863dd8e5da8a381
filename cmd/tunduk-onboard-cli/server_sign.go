package main

import (
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
)

// signOnPlaces are --sign-on's words and the profile's placements they
// stand for.
var signOnPlaces = map[string]string{
	"hw-token":   profile.PlacementServerHWToken,
	"soft-token": profile.PlacementServerSoftToken,
}

// signPlacement is where server csr makes the signing key: "" (nowhere:
// the authentication CSR alone), or a server placement the profile
// allows. --sign-on-server is the older spelling of --sign-on hw-token.
func (o *serverCSROpts) signPlacement() (string, error) {
	return o.signPlace(o.signOn, o.signOnServer)
}

// signPlace is the placement --sign-on names (onServer: the older
// --sign-on-server given), checked against the profile: "" when none.
func (o *serverOpts) signPlace(signOn string, onServer bool) (string, error) {
	place := ""
	if signOn != "" {
		var ok bool
		if place, ok = signOnPlaces[signOn]; !ok {
			return "", errKey("cli.server.sign_on_bad", map[string]any{"Value": i18n.Line(signOn, 40)})
		}
		if onServer && place != profile.PlacementServerHWToken {
			return "", &configure.Error{Key: "configure.err.sign_one_place"}
		}
	} else if onServer {
		place = profile.PlacementServerHWToken
	}
	if sk := o.prof.SigningKey; place != "" && !sk.Allows(place) {
		var allowed []string
		for _, pl := range sk.Offered() {
			allowed = append(allowed, i18n.T(o.lang, "csr.place."+pl, nil))
		}
		return "", &configure.Error{Key: "configure.err.sign_not_allowed", Data: map[string]any{
			"Place": i18n.T(o.lang, "csr.place."+place, nil), "Allowed": strings.Join(allowed, "; ")}}
	}
	return place, nil
}
