package app

import (
	"encoding/json"
	"net/netip"
	"strconv"
	"strings"
	"unicode"

	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// AuthMethod is how the wizard logs in to a remote server.
type AuthMethod string

// The SSH login methods the server step offers.
const (
	AuthAgent    AuthMethod = "agent"
	AuthKey      AuthMethod = "key"
	AuthPassword AuthMethod = "password"
)

// Organisation is who joins Tunduk. The first four fields are needed to
// go on; the rest only to print the application to the operator (заявка
// на подключение), which names them (printout.MissingForApplication).
type Organisation struct {
	MemberClass string
	MemberCode  string
	Name        string
	ServerCode  string

	Address   string
	Head      onboarding.Person // name and position; no contacts
	Employees []onboarding.Person
	System    onboarding.InfoSystem
}

// Record is the organisation as the onboarding record keeps it: trimmed,
// employees left blank dropped.
func (o Organisation) Record() onboarding.Organisation {
	trim := strings.TrimSpace
	person := func(p onboarding.Person) onboarding.Person {
		return onboarding.Person{Name: trim(p.Name), Position: trim(p.Position), Phone: trim(p.Phone), Email: trim(p.Email)}
	}
	r := onboarding.Organisation{MemberClass: o.MemberClass, MemberCode: trim(o.MemberCode), Name: trim(o.Name),
		ServerCode: trim(o.ServerCode), Address: trim(o.Address), Head: person(o.Head),
		System: onboarding.InfoSystem{Name: trim(o.System.Name), Purpose: trim(o.System.Purpose)}}
	for _, e := range o.Employees {
		if e := person(e); !e.Empty() {
			r.Employees = append(r.Employees, e)
		}
	}
	return r
}

// Server is the machine that will become the security server.
type Server struct {
	Remote   bool
	Host     string
	Port     string
	User     string
	Auth     AuthMethod
	KeyFile  string
	Jump     string
	PublicIP string

	// Secrets: held in memory for this run only, never saved nor logged.
	Password   string
	Passphrase string
}

// State is everything the user has told the wizard.
type State struct {
	Org    Organisation
	Server Server
}

// Problem is one invalid field: Field names it, Key is the translation key
// of the message that says what is wrong and what is allowed, Data fills
// the message's placeholders.
type Problem struct {
	Field string
	Key   string
	Data  map[string]any
}

// Text is the problem's message in the current language.
func (p Problem) Text() string {
	if p.Data == nil {
		return T(p.Key)
	}
	return T(p.Key, p.Data)
}

// Problems lists what is wrong with the organisation data, in form order.
func (o Organisation) Problems(p *profile.Profile) []Problem {
	var out []Problem
	if !p.ValidMemberClass(o.MemberClass) {
		out = append(out, Problem{Field: "member_class", Key: "org.err.class"})
	}
	code := strings.TrimSpace(o.MemberCode)
	switch {
	case !p.ValidMemberCode(code):
		out = append(out, Problem{Field: "member_code", Key: "org.err.code"})
	case p.ValidMemberClass(o.MemberClass) && !p.MemberCodeFits(o.MemberClass, code):
		// The operator's rule for the class (GOV 7..., COM 6...).
		out = append(out, Problem{Field: "member_code", Key: "org.err.code_prefix",
			Data: map[string]any{"Class": o.MemberClass, "Prefix": p.MemberCodePrefix(o.MemberClass)}})
	}
	if strings.TrimSpace(o.Name) == "" {
		out = append(out, Problem{Field: "name", Key: "org.err.name"})
	}
	if !p.ValidServerCode(o.ServerCode) {
		key := "org.err.server_code"
		if hasNonLatinLetter(o.ServerCode) {
			key = "org.err.server_code_cyrillic"
		}
		out = append(out, Problem{Field: "server_code", Key: key})
	}
	return out
}

func hasNonLatinLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) && r > unicode.MaxASCII {
			return true
		}
	}
	return false
}

// PortNumber is the SSH port, 22 when empty.
func (s Server) PortNumber() (int, bool) {
	if strings.TrimSpace(s.Port) == "" {
		return 22, true
	}
	n, err := strconv.Atoi(strings.TrimSpace(s.Port))
	return n, err == nil && n >= 1 && n <= 65535
}

// Problems lists what is wrong with the server data. A local server needs
// nothing but an optional valid public IP.
func (s Server) Problems() []Problem {
	var out []Problem
	if s.Remote {
		host := strings.TrimSpace(s.Host)
		if host == "" || strings.ContainsAny(host, " @/\\") {
			out = append(out, Problem{Field: "host", Key: "server.err.host"})
		}
		if _, ok := s.PortNumber(); !ok {
			out = append(out, Problem{Field: "port", Key: "server.err.port"})
		}
		if strings.TrimSpace(s.User) == "" || strings.ContainsAny(s.User, " @:") {
			out = append(out, Problem{Field: "user", Key: "server.err.user"})
		}
		switch s.Auth {
		case AuthAgent, AuthPassword:
		case AuthKey:
			if strings.TrimSpace(s.KeyFile) == "" {
				out = append(out, Problem{Field: "key_file", Key: "server.err.key_file"})
			}
		default:
			out = append(out, Problem{Field: "auth", Key: "server.err.auth"})
		}
		if j := strings.TrimSpace(s.Jump); j != "" {
			if _, err := remote.ParseTarget(j); err != nil {
				out = append(out, Problem{Field: "jump", Key: "server.err.jump"})
			}
		}
	}
	if ip := strings.TrimSpace(s.PublicIP); ip != "" {
		a, err := netip.ParseAddr(ip)
		switch {
		case err != nil || !a.Unmap().Is4():
			out = append(out, Problem{Field: "public_ip", Key: "server.err.public_ip"})
		case checks.AddrClass(a) != "public":
			out = append(out, Problem{Field: "public_ip", Key: notPublicKeys[checks.AddrClass(a)], Data: map[string]any{"Address": a.String()}})
		}
	}
	return out
}

// notPublicKeys say, for each kind of address that is not public, why it
// cannot be the security server's public address.
var notPublicKeys = map[string]string{
	"loopback":   "server.err.public_ip_loopback",
	"private":    "server.err.public_ip_private",
	"cgnat":      "server.err.public_ip_cgnat",
	"link-local": "server.err.public_ip_link_local",
	"other":      "server.err.public_ip_reserved",
}

// PublicAddress is where the operator, the central server and other
// security servers reach this one, as the application to the CA and the
// registration give it: the public IP given, else the remote host's name
// or address. It is "" when that is not public (loopback, private, CGNAT,
// link-local, reserved, a local name): such an address never goes into an
// application.
func (s Server) PublicAddress() string {
	addr := strings.TrimSpace(s.PublicIP)
	if addr == "" && s.Remote {
		addr = strings.TrimSpace(s.Host)
	}
	if addr == "" || checks.HostClass(addr) != "public" {
		return ""
	}
	return addr
}

// Display names the server for people: "this computer" or user@host:port.
func (s Server) Display() string {
	if !s.Remote {
		return T("server.this_computer")
	}
	port, _ := s.PortNumber()
	return strings.TrimSpace(s.User) + "@" + strings.TrimSpace(s.Host) + ":" + strconv.Itoa(port)
}

// SSHConfig is the connection the readiness check dials. accept answers
// unknown host keys; secrets come from memory through closures so they
// never sit in a struct that may be logged.
func (s *Server) SSHConfig(accept func(host, fingerprint, keyType string) bool) (remote.Config, error) {
	port, _ := s.PortNumber()
	cfg := remote.Config{
		Target:        remote.Target{User: strings.TrimSpace(s.User), Host: strings.TrimSpace(s.Host), Port: port},
		AcceptHostKey: accept,
	}
	switch s.Auth {
	case AuthAgent:
		cfg.Agent = true
	case AuthKey:
		cfg.IdentityFiles = []string{strings.TrimSpace(s.KeyFile)}
		cfg.Passphrase = func(string) (string, error) { return s.Passphrase, nil }
	case AuthPassword:
		cfg.Password = func() (string, error) { return s.Password, nil }
	}
	if j := strings.TrimSpace(s.Jump); j != "" {
		t, err := remote.ParseTarget(j)
		if err != nil {
			return remote.Config{}, err
		}
		// No auth on the jump config: the ssh layer then uses this
		// config's credentials and host-key policy for the jump host too.
		cfg.Jump = &remote.Config{Target: t}
	}
	return cfg, nil
}

// Prefs is the part of fyne.Preferences the state uses.
type Prefs interface {
	String(key string) string
	SetString(key, value string)
	Bool(key string) bool
	SetBool(key string, value bool)
}

// Preference keys. Secrets have none, on purpose.
const (
	prefMemberClass = "org_member_class"
	prefMemberCode  = "org_member_code"
	prefOrgName     = "org_name"
	prefServerCode  = "org_server_code"
	prefRemote      = "server_remote"
	prefHost        = "server_host"
	prefPort        = "server_port"
	prefUser        = "server_user"
	prefAuth        = "server_auth"
	prefKeyFile     = "server_key_file"
	prefJump        = "server_jump"
	prefPublicIP    = "server_public_ip"
	prefLanguage    = "ui_language"
)

// Preference keys of the application's fields; the employees are a JSON
// list.
const (
	prefAddress       = "org_address"
	prefHeadName      = "org_head_name"
	prefHeadPosition  = "org_head_position"
	prefEmployees     = "org_employees"
	prefSystemName    = "org_system_name"
	prefSystemPurpose = "org_system_purpose"
)

// LoadState restores what the user entered last time.
func LoadState(p Prefs) *State {
	s := &State{
		Org: Organisation{
			MemberClass: p.String(prefMemberClass),
			MemberCode:  p.String(prefMemberCode),
			Name:        p.String(prefOrgName),
			ServerCode:  p.String(prefServerCode),
			Address:     p.String(prefAddress),
			Head:        onboarding.Person{Name: p.String(prefHeadName), Position: p.String(prefHeadPosition)},
			System:      onboarding.InfoSystem{Name: p.String(prefSystemName), Purpose: p.String(prefSystemPurpose)},
		},
		Server: Server{
			Remote:   p.Bool(prefRemote),
			Host:     p.String(prefHost),
			Port:     p.String(prefPort),
			User:     p.String(prefUser),
			Auth:     AuthMethod(p.String(prefAuth)),
			KeyFile:  p.String(prefKeyFile),
			Jump:     p.String(prefJump),
			PublicIP: p.String(prefPublicIP),
		},
	}
	if v := p.String(prefEmployees); v != "" {
		// A list that does not parse is dropped: the user types it again.
		_ = json.Unmarshal([]byte(v), &s.Org.Employees)
	}
	if s.Server.Port == "" {
		s.Server.Port = "22"
	}
	switch s.Server.Auth {
	case AuthAgent, AuthKey, AuthPassword:
	default:
		s.Server.Auth = AuthAgent
	}
	return s
}

// Save keeps the non-secret fields for the next start.
func (s *State) Save(p Prefs) {
	p.SetString(prefMemberClass, s.Org.MemberClass)
	p.SetString(prefMemberCode, s.Org.MemberCode)
	p.SetString(prefOrgName, s.Org.Name)
	p.SetString(prefServerCode, s.Org.ServerCode)
	p.SetString(prefAddress, s.Org.Address)
	p.SetString(prefHeadName, s.Org.Head.Name)
	p.SetString(prefHeadPosition, s.Org.Head.Position)
	p.SetString(prefSystemName, s.Org.System.Name)
	p.SetString(prefSystemPurpose, s.Org.System.Purpose)
	employees, _ := json.Marshal(s.Org.Employees)
	if len(s.Org.Employees) == 0 {
		employees = nil
	}
	p.SetString(prefEmployees, string(employees))
	p.SetBool(prefRemote, s.Server.Remote)
	p.SetString(prefHost, s.Server.Host)
	p.SetString(prefPort, s.Server.Port)
	p.SetString(prefUser, s.Server.User)
	p.SetString(prefAuth, string(s.Server.Auth))
	p.SetString(prefKeyFile, s.Server.KeyFile)
	p.SetString(prefJump, s.Server.Jump)
	p.SetString(prefPublicIP, s.Server.PublicIP)
}
