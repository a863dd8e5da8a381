package app

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

func testProfile(t testing.TB) *profile.Profile {
	t.Helper()
	p, err := profile.Default()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// mapPrefs is an in-memory Prefs that lets a test see every stored value.
type mapPrefs map[string]any

func (m mapPrefs) String(k string) string   { s, _ := m[k].(string); return s }
func (m mapPrefs) SetString(k, v string)    { m[k] = v }
func (m mapPrefs) Bool(k string) bool       { b, _ := m[k].(bool); return b }
func (m mapPrefs) SetBool(k string, v bool) { m[k] = v }

func validOrg() Organisation {
	return Organisation{MemberClass: "GOV", MemberCode: "70000001", Name: "Министерство цифрового развития", ServerCode: "SS1"}
}

func problemKeys(ps []Problem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Key)
	}
	return out
}

func TestOrganisationProblems(t *testing.T) {
	p := testProfile(t)
	if ps := validOrg().Problems(p); len(ps) != 0 {
		t.Fatalf("valid organisation has problems: %v", ps)
	}
	cases := []struct {
		name string
		edit func(*Organisation)
		want string
	}{
		{"no class", func(o *Organisation) { o.MemberClass = "" }, "org.err.class"},
		{"unknown class", func(o *Organisation) { o.MemberClass = "NGO" }, "org.err.class"},
		{"7 digits", func(o *Organisation) { o.MemberCode = "7000001" }, "org.err.code"},
		{"9 digits", func(o *Organisation) { o.MemberCode = "700000011" }, "org.err.code"},
		{"letters", func(o *Organisation) { o.MemberCode = "7000000A" }, "org.err.code"},
		{"INN", func(o *Organisation) { o.MemberCode = "01234567890123" }, "org.err.code"},
		{"blank name", func(o *Organisation) { o.Name = "   " }, "org.err.name"},
		{"cyrillic server code", func(o *Organisation) { o.ServerCode = "СС1" }, "org.err.server_code_cyrillic"},
		{"space in server code", func(o *Organisation) { o.ServerCode = "SS 1" }, "org.err.server_code"},
		{"empty server code", func(o *Organisation) { o.ServerCode = "" }, "org.err.server_code"},
	}
	for _, c := range cases {
		o := validOrg()
		c.edit(&o)
		got := problemKeys(o.Problems(p))
		if len(got) != 1 || got[0] != c.want {
			t.Errorf("%s: problems %v, want [%s]", c.name, got, c.want)
		}
	}
	for _, ok := range []string{"SS1", "ss-01_a", "A"} {
		o := validOrg()
		o.ServerCode = ok
		if ps := o.Problems(p); len(ps) != 0 {
			t.Errorf("server code %q refused: %v", ok, ps)
		}
	}
}

func TestServerProblems(t *testing.T) {
	if ps := (Server{}).Problems(); len(ps) != 0 {
		t.Fatalf("local server needs nothing, got %v", ps)
	}
	remote := Server{Remote: true, Host: "10.0.0.5", Port: "22", User: "admin", Auth: AuthAgent}
	if ps := remote.Problems(); len(ps) != 0 {
		t.Fatalf("valid remote has problems: %v", ps)
	}
	cases := []struct {
		edit func(*Server)
		want string
	}{
		{func(s *Server) { s.Host = "" }, "server.err.host"},
		{func(s *Server) { s.Host = "root@10.0.0.5" }, "server.err.host"},
		{func(s *Server) { s.Port = "0" }, "server.err.port"},
		{func(s *Server) { s.Port = "70000" }, "server.err.port"},
		{func(s *Server) { s.Port = "ssh" }, "server.err.port"},
		{func(s *Server) { s.User = "" }, "server.err.user"},
		{func(s *Server) { s.Auth = AuthKey }, "server.err.key_file"},
		{func(s *Server) { s.Auth = "kerberos" }, "server.err.auth"},
		{func(s *Server) { s.Jump = "bastion" }, "server.err.jump"},
		{func(s *Server) { s.PublicIP = "300.1.1.1" }, "server.err.public_ip"},
		{func(s *Server) { s.PublicIP = "2001:db8::1" }, "server.err.public_ip"},
	}
	for i, c := range cases {
		s := remote
		c.edit(&s)
		got := problemKeys(s.Problems())
		if len(got) != 1 || got[0] != c.want {
			t.Errorf("case %d: problems %v, want [%s]", i, got, c.want)
		}
	}
	s := remote
	s.Port = ""
	if n, ok := s.PortNumber(); !ok || n != 22 {
		t.Errorf("empty port = %d %v, want 22", n, ok)
	}
	s.Jump = "ops@bastion.example.kg:2222"
	if ps := s.Problems(); len(ps) != 0 {
		t.Errorf("valid jump refused: %v", ps)
	}
}

func TestSSHConfig(t *testing.T) {
	s := Server{Remote: true, Host: " ss1.example.kg ", Port: "2222", User: "admin", Auth: AuthPassword, Password: "pw-123", Jump: "ops@bastion:22"}
	accepted := false
	cfg, err := s.SSHConfig(func(string, string, string) bool { accepted = true; return true })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Host != "ss1.example.kg" || cfg.Port != 2222 || cfg.User != "admin" {
		t.Errorf("target %+v", cfg.Target)
	}
	if cfg.Agent || len(cfg.IdentityFiles) != 0 || cfg.Password == nil {
		t.Errorf("password auth not set up: %+v", cfg)
	}
	if pw, _ := cfg.Password(); pw != "pw-123" {
		t.Errorf("password = %q", pw)
	}
	if cfg.Jump == nil || cfg.Jump.Host != "bastion" || cfg.Jump.User != "ops" || cfg.Jump.Port != 22 {
		t.Errorf("jump %+v", cfg.Jump)
	}
	cfg.AcceptHostKey("h", "SHA256:x", "ssh-ed25519")
	if !accepted {
		t.Error("AcceptHostKey not wired")
	}

	s = Server{Remote: true, Host: "h", User: "u", Auth: AuthKey, KeyFile: "/k/id", Passphrase: "pp"}
	cfg, _ = s.SSHConfig(nil)
	if len(cfg.IdentityFiles) != 1 || cfg.IdentityFiles[0] != "/k/id" || cfg.Passphrase == nil || cfg.Port != 22 {
		t.Errorf("key auth: %+v", cfg)
	}
	if pp, _ := cfg.Passphrase("/k/id"); pp != "pp" {
		t.Errorf("passphrase = %q", pp)
	}
	s.Auth = AuthAgent
	cfg, _ = s.SSHConfig(nil)
	if !cfg.Agent || cfg.Password != nil {
		t.Errorf("agent auth: %+v", cfg)
	}
}

func TestStateSaveLoadKeepsNoSecrets(t *testing.T) {
	prefs := mapPrefs{}
	st := &State{Org: validOrg(), Server: Server{Remote: true, Host: "10.0.0.5", Port: "2200", User: "admin",
		Auth: AuthKey, KeyFile: "/root/.ssh/id_ed25519", Jump: "ops@bastion", PublicIP: "93.184.216.34",
		Password: "secret-password-1", Passphrase: "secret-passphrase-2"}}
	st.Save(prefs)
	for k, v := range prefs {
		if s, ok := v.(string); ok && (strings.Contains(s, "secret-password-1") || strings.Contains(s, "secret-passphrase-2")) {
			t.Errorf("preference %s holds a secret", k)
		}
	}
	got := LoadState(prefs)
	want := *st
	want.Server.Password, want.Server.Passphrase = "", ""
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("restored %+v\nwant %+v", *got, want)
	}
	fresh := LoadState(mapPrefs{})
	if fresh.Server.Remote || fresh.Server.Port != "22" || fresh.Server.Auth != AuthAgent {
		t.Errorf("defaults %+v", fresh.Server)
	}
}

func TestMain(m *testing.M) {
	// Keep test output readable: only warnings and errors from the logger.
	log.SetLevel(logrus.WarnLevel)
	// The form's preferences written at once, as the tests read them
	// right after a change (TestFormSavedAfterPause tries the pause).
	formSaveDelay = 0
	dir, err := setupSoftHSM()
	softhsmSetupErr = err
	code := m.Run()
	if dir != "" {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}
