package connect

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// Desired is what the organisation wants on its server: the plan file's
// shape (JSON). Files it names (TLS certificates, OpenAPI files) are read
// by the front end, which fills TLSCerts and Data.
type Desired struct {
	Subsystems []Want `json:"subsystems"`
}

// Want is one subsystem: its code (Latin, the profile's rule), a name for
// people, the connection type of its information system (default
// HTTPS), the information system's TLS certificates the server must
// trust, and its services.
type Want struct {
	Code         string        `json:"code"`
	Name         string        `json:"name,omitempty"`
	Connection   string        `json:"connection_type,omitempty"`
	TLSCertFiles []string      `json:"tls_certs,omitempty"`
	TLSCerts     [][]byte      `json:"-"` // DER, one per TLSCertFiles entry
	Services     []WantService `json:"services,omitempty"`
}

// WantService is one service description: REST (base URL and code),
// OpenAPI 3 (URL or file, and code) or WSDL (URL; the codes are its
// operations'). Access lists its subjects: another member's subsystem
// CLASS:CODE:SUBSYSTEM (or INSTANCE:CLASS:CODE:SUBSYSTEM), or a local
// group of the subsystem, group:CODE.
type WantService struct {
	Type   string   `json:"type"`
	URL    string   `json:"url,omitempty"`
	File   string   `json:"file,omitempty"`
	Code   string   `json:"code,omitempty"`
	Access []string `json:"access,omitempty"`
	Data   []byte   `json:"-"` // the OpenAPI file, when File is set
}

// Params are the owner member's identifiers.
type Params struct{ Instance, MemberClass, MemberCode string }

// conn is w's connection type, HTTPS when not given (the API's default
// and the one recommended).
func (w Want) conn() string {
	if w.Connection == "" {
		return xroad.ConnHTTPS
	}
	return strings.ToUpper(w.Connection)
}

// key is how a service is found on the server again: by code for REST
// and OpenAPI 3 (an OpenAPI file is served from a passing URL), by URL
// for WSDL.
func (s WantService) key() string {
	if s.Type == xroad.TypeWSDL {
		return s.URL
	}
	return s.Code
}

// Check validates d against the profile before anything is sent.
func Check(prof *profile.Profile, d Desired) error {
	if len(d.Subsystems) == 0 {
		return &Error{Key: "connect.err.plan_empty"}
	}
	seen := map[string]bool{}
	for _, w := range d.Subsystems {
		if !prof.ValidSubsystemCode(w.Code) {
			return &Error{Key: "connect.err.subsystem_code", Data: map[string]any{"Code": w.Code, "Pattern": prof.SubsystemCodePattern()}}
		}
		if seen[strings.ToLower(w.Code)] {
			return &Error{Key: "connect.err.plan_duplicate", Data: map[string]any{"What": w.Code}}
		}
		seen[strings.ToLower(w.Code)] = true
		switch w.conn() {
		case xroad.ConnHTTP, xroad.ConnHTTPS, xroad.ConnHTTPSNoAuth:
		default:
			return &Error{Key: "connect.err.connection_type", Data: map[string]any{"Got": w.Connection}}
		}
		if len(w.TLSCerts) != len(w.TLSCertFiles) {
			return fmt.Errorf("connect: %d TLS certificate files but %d read", len(w.TLSCertFiles), len(w.TLSCerts))
		}
		codes := map[string]bool{}
		for _, s := range w.Services {
			if err := checkService(w.Code, s); err != nil {
				return err
			}
			if k := strings.ToLower(s.key()); codes[k] {
				return &Error{Key: "connect.err.plan_duplicate", Data: map[string]any{"What": w.Code + " " + s.key()}}
			} else {
				codes[k] = true
			}
		}
	}
	return nil
}

func checkService(sub string, s WantService) error {
	data := map[string]any{"Subsystem": sub, "Service": s.Code + s.URL + s.File}
	switch s.Type {
	case xroad.TypeREST, xroad.TypeOpenAPI3:
		if s.Code == "" || strings.ContainsAny(s.Code, ":/\\%; ") {
			return &Error{Key: "connect.err.service_code", Data: data}
		}
	case xroad.TypeWSDL:
		if s.File != "" {
			return &Error{Key: "connect.err.wsdl_file", Data: data}
		}
	default:
		data["Got"] = s.Type
		return &Error{Key: "connect.err.service_type", Data: data}
	}
	if (s.URL == "") == (s.File == "") || (s.File != "" && s.Type != xroad.TypeOpenAPI3) {
		return &Error{Key: "connect.err.service_source", Data: data}
	}
	if s.URL != "" {
		if u, err := url.Parse(s.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			data["URL"] = s.URL
			return &Error{Key: "connect.err.service_url", Data: data}
		}
	}
	if s.File != "" && len(s.Data) > 0 && !absoluteServer(s.Data) {
		return &Error{Key: "connect.err.openapi_relative", Data: data}
	}
	for _, a := range s.Access {
		if _, _, err := parseSubject(a, Params{Instance: "x"}); err != nil {
			return err
		}
	}
	return nil
}

// absoluteServer says whether an OpenAPI description's first server is
// an absolute http(s) URL. OpenApiParser.java resolves a relative one
// against the description's URL, which for a served file is a passing
// loopback address: the service would point nowhere.
func absoluteServer(doc []byte) bool {
	var d struct {
		Servers []struct {
			URL string `yaml:"url"`
		} `yaml:"servers"`
	}
	if yaml.Unmarshal(doc, &d) != nil || len(d.Servers) == 0 {
		return false
	}
	u, err := url.Parse(d.Servers[0].URL)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// parseSubject reads an access right's subject: the API's id of a
// subsystem (the instance added when left out), or a local group's code.
func parseSubject(s string, p Params) (id, group string, err error) {
	if g, ok := strings.CutPrefix(s, "group:"); ok && g != "" {
		return "", g, nil
	}
	parts := strings.Split(s, ":")
	for _, x := range parts {
		if x == "" {
			parts = nil
		}
	}
	switch len(parts) {
	case 3:
		return xroad.ClientID(p.Instance, parts[0], parts[1], parts[2]), "", nil
	case 4:
		return s, "", nil
	}
	return "", "", &Error{Key: "connect.err.subject", Data: map[string]any{"Subject": s}}
}

// certHash is the API's id of a certificate: SHA-256 of the DER, upper hex.
func certHash(der []byte) string {
	sum := sha256.Sum256(der)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}
