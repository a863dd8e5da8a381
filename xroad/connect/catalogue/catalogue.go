// Package catalogue turns the connect flow's subsystems into the
// Catalogue export's (enroll): the one conversion both front ends use.
// It is a room of its own because the two flows do not import each
// other.
package catalogue

import (
	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/connect"
)

// Of is subs as the Catalogue export takes them, field by field.
func Of(subs []connect.Subsystem) []enroll.CatalogueSubsystem {
	out := make([]enroll.CatalogueSubsystem, 0, len(subs))
	for _, s := range subs {
		c := enroll.CatalogueSubsystem{Instance: s.Instance, MemberClass: s.MemberClass, MemberCode: s.MemberCode,
			Code: s.Code, Name: s.Name, Status: s.Status}
		for _, v := range s.Services {
			sv := enroll.CatalogueService{Code: v.Code, Type: v.Type, URL: v.URL, Title: v.Title}
			for _, e := range v.Endpoints {
				sv.Endpoints = append(sv.Endpoints, enroll.CatalogueEndpoint{Method: e.Method, Path: e.Path})
			}
			c.Services = append(c.Services, sv)
		}
		out = append(out, c)
	}
	return out
}
