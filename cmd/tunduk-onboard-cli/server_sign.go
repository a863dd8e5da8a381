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
	place := ""
	if o.signOn != "" {
		var ok bool
		if place, ok = signOnPlaces[o.signOn]; !ok {
			return "", errKey("cli.server.sign_on_bad", map[string]any{"Value": i18n.Line(o.signOn, 40)})
		}
		if o.signOnServer && place != profile.PlacementServerHWToken {
			return "", &configure.Error{Key: "configure.err.sign_one_place"}
		}
	} else if o.signOnServer {
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
