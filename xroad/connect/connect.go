// Package connect is the flow that connects an organisation's information
// systems to its registered security server through the admin API:
// subsystems and their registration with the central server, the
// connection type and TLS certificates between the server and the
// information system, service descriptions (REST, OpenAPI 3, WSDL) and
// access rights. The CLI (`client`, `service`, `connect`) and the wizard
// call it; it has no UI of its own.
//
// The work is a Plan: the desired state compared with what the server
// holds, one Item per change, each already in place (skip), to do (todo)
// or done by this run (done). Apply does only what is to do, so a second
// run changes nothing and a run cut anywhere finishes when run again.
package connect

import (
	"context"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// Roles the connect flow's API key needs: clients, services and access
// rights (service administrator), the registration request (registration
// officer), the internal TLS certificate's export (system administrator).
var Roles = []string{xroad.RoleServiceAdministrator, xroad.RoleRegistrationOfficer, xroad.RoleSystemAdministrator}

// Subsystem is one subsystem of the server with its services, as
// Inventory reads it. X-Road 7.4.2 keeps no subsystem name: Name is the
// member's name from global configuration.
type Subsystem struct {
	Instance, MemberClass, MemberCode, Code, Name string
	Status                                        string // xroad.Client* (SAVED, REGISTRATION_IN_PROGRESS, REGISTERED...)
	Services                                      []Service
}

// Service is one service: Code is the full service code (code, or
// code.version for a WSDL operation with a version), Type the
// description's (xroad.TypeREST, TypeOpenAPI3, TypeWSDL), URL where the
// server reaches the information system.
type Service struct {
	Code, Type, URL, Title string
	Endpoints              []Endpoint
	// Description is the URL of the description holding it (a WSDL's own
	// address): how a front end finds a WSDL it asked for among the
	// operations. Not in the inventory's JSON, whose shape others read.
	Description string `json:"-"`
}

// Endpoint is a method and path of a REST service ("*" and "**": all).
type Endpoint struct{ Method, Path string }

// ID is the subsystem's id as the API encodes it.
func (s Subsystem) ID() string {
	return xroad.ClientID(s.Instance, s.MemberClass, s.MemberCode, s.Code)
}

// Inventory reads the server's subsystems (members left out) with their
// services, without changing anything.
func Inventory(ctx context.Context, api *xroad.Client) ([]Subsystem, error) {
	internal, members := true, false
	cs, err := api.FindClients(ctx, xroad.ClientQuery{InternalSearch: &internal, ShowMembers: &members})
	if err != nil {
		return nil, err
	}
	var out []Subsystem
	for _, c := range cs {
		if c.SubsystemCode == "" {
			continue
		}
		sub := Subsystem{Instance: c.InstanceID, MemberClass: c.MemberClass, MemberCode: c.MemberCode, Code: c.SubsystemCode,
			Name: c.MemberName, Status: c.Status}
		sds, err := api.ServiceDescriptions(ctx, sub.ID())
		if err != nil {
			return nil, err
		}
		for _, sd := range sds {
			for _, v := range sd.Services {
				sv := Service{Code: fullCode(v), Type: sd.Type, URL: v.URL, Title: v.Title, Description: sd.URL}
				for _, e := range v.Endpoints {
					sv.Endpoints = append(sv.Endpoints, Endpoint{e.Method, e.Path})
				}
				sub.Services = append(sub.Services, sv)
			}
		}
		out = append(out, sub)
	}
	return out, nil
}

func fullCode(v xroad.Service) string {
	if v.FullServiceCode != "" {
		return v.FullServiceCode
	}
	return v.ServiceCode
}
