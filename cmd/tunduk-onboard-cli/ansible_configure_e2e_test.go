package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/installer/ansible"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
	yaml "go.yaml.in/yaml/v3"
)

// TestAnsibleConfigureFleet: Debian's ansible-playbook runs the export's
// configure play for two servers (real sshd hosts, each with its own
// admin API fake reached through its SSH connection, TLS pinned to the
// fake's certificate read over it), the CLI running on the control node.
// The first run initialises both and writes their CSRs into csr/HOST/
// (changed); a second reports changed=0, no failure, and takes no backup;
// a third, given A's certificate (issued from its CSR) and a connect
// plan, imports, registers and connects A (three changes) and changes
// nothing on B; a fourth, with a wrong admin password for B and the
// messages in Russian, fails B with the CLI's Russian message in Ansible's
// output while A finishes with changed=0 (its import, registration and
// plan found done). No secret is in Ansible's output, the export (CSRs
// included), the backups or the CLI's logs.
func TestAnsibleConfigureFleet(t *testing.T) {
	needAnsible(t, "ansible-playbook")
	start := time.Now()
	names := []string{"ssa", "ssb"}
	var hs []*testhost.Host
	var fakes []*xroadtest.Server
	for range names {
		hs = append(hs, testhost.StartSSHD(t, testhost.Options{}))
		fakes = append(fakes, xroadtest.Start(t))
	}
	bin := staticCLI(t)
	tmp := t.TempDir()
	write := tempWriter(t, tmp)
	const wrongPW = "Wrong-admin-pw-never-logged-4"
	secrets := []string{xroadtest.AdminPassword, serverTestPIN, wrongPW}
	var lines []string
	for i, h := range hs {
		lines = append(lines, fmt.Sprintf("%s class=GOV member=7000000%d server=SS%d name=%s hostname=%s.example.kg", h.Target(), i+1, i+1, names[i], names[i]))
	}
	hostsFile := write("hosts", []byte(strings.Join(lines, "\n")+"\n"))
	kh := testhost.WriteKnownHosts(t, hs[0].KnownHostsLine(), hs[1].KnownHostsLine())
	dir := filepath.Join(tmp, "fleet")
	code, out, errOut := cli(t, "", "ansible", "export", "--out", dir, "--hosts", hostsFile, "--known-hosts", kh,
		"--cli", write("static-cli", []byte("#!/bin/sh\n")), "--admin-user", xroadtest.AdminUser, "--lang", "en")
	if code != exitOK {
		t.Fatalf("export: exit %d: %s %s", code, out, errOut)
	}

	// What the export cannot know: each test host's key, its fake's
	// address, certificate and jar (tunduk_cli_extra_args), its anchor,
	// and the CLI built here; the secrets, per host, in the test's own
	// inventory beside the export's (a real fleet has a vault).
	backups := filepath.Join(tmp, "backups")
	inventory := func(pw map[string]string, more map[string]map[string]any) string {
		hosts := map[string]any{}
		for i, h := range hs {
			api := fakes[i].AdminAPI()
			vars := map[string]any{
				"ansible_ssh_private_key_file": h.ClientKeyPath,
				"tunduk_anchor":                write(names[i]+"-anchor.xml", fakes[i].Anchor(xroadtest.Instance)),
				"tunduk_cli_extra_args":        []string{"--admin-api", api.Addr, "--admin-api-cert", api.CertPath, "--proxy-jar", api.ProxyJar},
				ansible.AdminPasswordVar:       pw[names[i]],
				ansible.TokenPINVar:            serverTestPIN,
				// Host variables: an inventory's group ones are below the
				// project's group_vars/all.yml.
				"tunduk_control_cli": bin, "tunduk_org_name": "Test Agency", "tunduk_backup_dir": backups,
			}
			for k, v := range more[names[i]] {
				vars[k] = v
			}
			hosts[names[i]] = vars
		}
		b, _ := yaml.Marshal(map[string]any{"all": map[string]any{"hosts": hosts}})
		return write("test-inventory.yml", b)
	}
	good := map[string]string{"ssa": xroadtest.AdminPassword, "ssb": xroadtest.AdminPassword}
	home := t.TempDir()
	play := func(inv string, extra ...string) string {
		t.Helper()
		begin := time.Now()
		cmd := exec.Command("ansible-playbook", append([]string{ansible.ConfigureFile, "-i", "hosts.yml", "-i", inv}, extra...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "ANSIBLE_HOME="+home, "ANSIBLE_LOCAL_TEMP="+filepath.Join(home, "tmp"), "HOME="+home, "ANSIBLE_NOCOLOR=1")
		b, _ := cmd.CombinedOutput() // the third run fails one host
		t.Logf("timing: ansible-playbook configure.yml, two servers: %s", time.Since(begin).Round(100*time.Millisecond))
		for _, s := range secrets {
			if strings.Contains(string(b), s) {
				t.Fatalf("a secret appears in Ansible's output:\n%s", tailOf(string(b), 3000))
			}
		}
		return string(b)
	}

	out = play(inventory(good, nil))
	for i, n := range names {
		if r := recap(t, out, n); r["failed"] != 0 || r["changed"] < 2 {
			t.Fatalf("%s's first run: %v\n%s", n, r, tailOf(out, 4000))
		}
		if !fakes[i].AnchorImported() {
			t.Errorf("%s: not initialised", n)
		}
		for _, f := range []string{"auth.csr.der", "auth.csr.pem"} {
			if st, err := os.Stat(filepath.Join(dir, "csr", n, f)); err != nil || st.Size() == 0 {
				t.Errorf("%s: no CSR %s: %v", n, f, err)
			}
		}
	}
	for _, task := range []string{ansible.StepInit, ansible.StepCSR} {
		if got := strings.Count(strings.Join(changedTasks(out), "\n"), ansible.ConfigureTaskName(task)+"]"); got != 2 {
			t.Errorf("%s: reported changed %d times (want twice, once a host): %v", task, got, changedTasks(out))
		}
	}
	if n := strings.Count(out, "changed: ["); n != 4+2 { // init, csr and the CSR folder, per host
		t.Errorf("%d changes reported, want 6: %v", n, changedTasks(out))
	}

	posts := []int{fakes[0].Count("POST", "/backups"), fakes[1].Count("POST", "/backups")}
	out = play(inventory(good, nil))
	for i, n := range names {
		if r := recap(t, out, n); r["failed"] != 0 || r["changed"] != 0 {
			t.Errorf("%s's second run: %v, want changed=0 failed=0; changed: %v\n%s", n, r, changedTasks(out), tailOf(out, 3000))
		}
		if got := fakes[i].Count("POST", "/backups"); got != posts[i] {
			t.Errorf("%s: the second run took a backup (%d -> %d)", n, posts[i], got)
		}
	}

	// A's certificates come back from the CA, and a connect plan is
	// given for it: imported, registered, connected; B has nothing new.
	der, err := os.ReadFile(filepath.Join(dir, "csr", "ssa", "auth.csr.der"))
	if err != nil {
		t.Fatal(err)
	}
	plan := write("plan.json", []byte(`{"subsystems": [{"code": "crm", "name": "CRM", "connection_type": "HTTP",
	  "services": [{"type": "REST", "url": "https://is.example.kg/rest", "code": "people"}]}]}`))
	forA := map[string]map[string]any{"ssa": {"tunduk_certs": []string{write("ssa-auth.cer", fakes[0].Issue(t, der))},
		"tunduk_connect_plan": plan}}
	out = play(inventory(good, forA))
	if r := recap(t, out, "ssa"); r["failed"] != 0 || r["changed"] != 3 {
		t.Errorf("A's certificate and plan: %v, want changed=3 (import, register, connect); changed: %v\n%s", r, changedTasks(out), tailOf(out, 3000))
	}
	if r := recap(t, out, "ssb"); r["failed"] != 0 || r["changed"] != 0 {
		t.Errorf("B beside A's certificate: %v; changed: %v", r, changedTasks(out))
	}
	if fakes[0].Count("POST", "/token-certificates") != 1 {
		t.Errorf("A's certificate was not imported: %d", fakes[0].Count("POST", "/token-certificates"))
	}

	// Again, B with a wrong admin password and the messages in Russian:
	// B fails with the CLI's message, A finishes with nothing to do.
	posts = []int{fakes[0].Count("POST", "/backups"), fakes[1].Count("POST", "/backups")}
	out = play(inventory(map[string]string{"ssa": xroadtest.AdminPassword, "ssb": wrongPW}, forA), "-e", "tunduk_lang=ru")
	want := i18n.T("ru", "configure.err.admin_login", map[string]any{"User": xroadtest.AdminUser})
	if r := recap(t, out, "ssb"); r["failed"] != 1 || !strings.Contains(out, want) ||
		!strings.Contains(out, "fatal: [ssb]") || !strings.Contains(out, ansible.ConfigureTaskName(ansible.StepInit)+" | result") {
		t.Errorf("wrong password: %v; want %q in\n%s", r, want, tailOf(out, 3000))
	}
	if r := recap(t, out, "ssa"); r["failed"] != 0 || r["changed"] != 0 || r["ok"] < 8 {
		t.Errorf("the other server beside a failing one, run again: %v, want changed=0; changed: %v\n%s", r, changedTasks(out), tailOf(out, 3000))
	}
	if got := fakes[0].Count("POST", "/backups"); got != posts[0] {
		t.Errorf("A's re-run took a backup (%d -> %d)", posts[0], got)
	}

	noSecretFiles(t, secrets, dir, home, backups)
	t.Logf("timing: the whole test %s", time.Since(start).Round(100*time.Millisecond))
}

// TestAnsibleConfigureRegisterWait: the configure play with the signing
// key on the server's hardware token and the registration followed to
// the end. The first run (tunduk_sign_on: hw-token, tunduk_hw_token and
// its PIN given) initialises the server and makes the signing key on the
// hardware token (the CLI logs the token in with the PIN from its stdin);
// the second, given the authentication certificate issued from its CSR and
// tunduk_register_wait and tunduk_register_activate with a wait of 1s the
// operator does not answer in, imports and registers it (changed=2) and
// fails on the CLI's message, nothing activated; the third, the operator
// approving on the second poll, waits on (the registration is not asked
// again) and activates it (changed=1): the double shows it registered and
// active; a fourth run reports changed=0 and takes no backup. No PIN or
// password is in Ansible's output or the files.
func TestAnsibleConfigureRegisterWait(t *testing.T) {
	needAnsible(t, "ansible-playbook")
	start := time.Now()
	h := testhost.StartSSHD(t, testhost.Options{})
	f := xroadtest.StartWith(t, xroadtest.Options{HardwareToken: true})
	bin := staticCLI(t)
	tmp := t.TempDir()
	write := tempWriter(t, tmp)
	secrets := []string{xroadtest.AdminPassword, serverTestPIN, xroadtest.HWPIN}
	hostsFile := write("hosts", []byte(fmt.Sprintf("%s class=GOV member=70000001 server=SS1 name=ssa hostname=ssa.example.kg\n", h.Target())))
	kh := testhost.WriteKnownHosts(t, h.KnownHostsLine())
	dir := filepath.Join(tmp, "fleet")
	code, out, errOut := cli(t, "", "ansible", "export", "--out", dir, "--hosts", hostsFile, "--known-hosts", kh,
		"--cli", write("static-cli", []byte("#!/bin/sh\n")), "--admin-user", xroadtest.AdminUser, "--lang", "en")
	if code != exitOK {
		t.Fatalf("export: exit %d: %s %s", code, out, errOut)
	}
	api := f.AdminAPI()
	backups := filepath.Join(tmp, "backups")
	inventory := func(more map[string]any) string {
		vars := map[string]any{
			"ansible_ssh_private_key_file": h.ClientKeyPath,
			"tunduk_anchor":                write("anchor.xml", f.Anchor(xroadtest.Instance)),
			"tunduk_cli_extra_args":        []string{"--admin-api", api.Addr, "--admin-api-cert", api.CertPath, "--proxy-jar", api.ProxyJar},
			ansible.AdminPasswordVar:       xroadtest.AdminPassword,
			ansible.TokenPINVar:            serverTestPIN,
			ansible.HWTokenPINVar:          xroadtest.HWPIN,
			"tunduk_sign_on":               "hw-token",
			"tunduk_hw_token":              xroadtest.HWTokenID,
			"tunduk_control_cli":           bin, "tunduk_org_name": "Test Agency", "tunduk_backup_dir": backups,
		}
		for k, v := range more {
			vars[k] = v
		}
		b, _ := yaml.Marshal(map[string]any{"all": map[string]any{"hosts": map[string]any{"ssa": vars}}})
		return write("test-inventory.yml", b)
	}
	home := t.TempDir()
	play := func(inv string) string {
		t.Helper()
		begin := time.Now()
		cmd := exec.Command("ansible-playbook", ansible.ConfigureFile, "-i", "hosts.yml", "-i", inv)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "ANSIBLE_HOME="+home, "ANSIBLE_LOCAL_TEMP="+filepath.Join(home, "tmp"), "HOME="+home, "ANSIBLE_NOCOLOR=1")
		b, _ := cmd.CombinedOutput()
		t.Logf("timing: ansible-playbook configure.yml, one server: %s", time.Since(begin).Round(100*time.Millisecond))
		for _, s := range secrets {
			if strings.Contains(string(b), s) {
				t.Fatalf("a secret appears in Ansible's output:\n%s", tailOf(string(b), 3000))
			}
		}
		return string(b)
	}

	out = play(inventory(nil))
	if r := recap(t, out, "ssa"); r["failed"] != 0 || r["changed"] != 3 { // the CSR folder, init, csr
		t.Fatalf("first run: %v; changed: %v\n%s", r, changedTasks(out), tailOf(out, 4000))
	}
	if n := f.Count("POST", "/tokens/"+xroadtest.HWTokenID+"/keys-with-csrs"); n != 1 {
		t.Errorf("the signing key was not made on the hardware token: %d", n)
	}
	for _, n := range []string{"auth.csr.der", "sign.csr.der"} {
		if st, err := os.Stat(filepath.Join(dir, "csr", "ssa", n)); err != nil || st.Size() == 0 {
			t.Errorf("no CSR %s: %v", n, err)
		}
	}

	der, err := os.ReadFile(filepath.Join(dir, "csr", "ssa", "auth.csr.der"))
	if err != nil {
		t.Fatal(err)
	}
	// Not approved within tunduk_register_wait_timeout: the import and
	// the registration request are done (changed), the wait fails with
	// the CLI's message; nothing is activated.
	withCert := map[string]any{"tunduk_certs": []string{write("auth.cer", f.Issue(t, der))},
		"tunduk_register_wait": true, "tunduk_register_activate": true,
		"tunduk_register_wait_timeout": "1s", "tunduk_register_poll": "100ms"}
	out = play(inventory(withCert))
	want := i18n.T("en", "configure.err.approval_wait", nil)
	if r := recap(t, out, "ssa"); r["failed"] != 1 || r["changed"] != 2 || !strings.Contains(out, want) ||
		!strings.Contains(out, ansible.ConfigureTaskName(ansible.StepRegister)+" | result") {
		t.Errorf("no approval within the wait: %v, want changed=2 failed=1 and %q; changed: %v\n%s", r, want, changedTasks(out), tailOf(out, 3000))
	}
	for _, c := range f.Certs() {
		if c.Usage == xroad.UsageAuthentication && (c.Status != xroad.CertRegistrationInProgress || c.Active) {
			t.Errorf("the authentication certificate before the approval: %s, active %v", c.Status, c.Active)
		}
	}

	// Run again: the wait goes on (the request is not sent again) and
	// the operator approves on its second poll; then activated.
	f.ApproveAfter(1)
	withCert["tunduk_register_wait_timeout"] = "2m"
	out = play(inventory(withCert))
	if r := recap(t, out, "ssa"); r["failed"] != 0 || r["changed"] != 1 {
		t.Errorf("the wait and activation run again: %v, want changed=1 (register: approved, activated); changed: %v\n%s", r, changedTasks(out), tailOf(out, 3000))
	}
	n := 0
	for _, c := range f.Calls() {
		if c.Method == "PUT" && strings.HasSuffix(c.Path, "/register") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the registration was requested %d times, want once", n)
	}
	auth := false
	for _, c := range f.Certs() {
		if c.Usage == xroad.UsageAuthentication {
			auth = true
			if c.Status != xroad.CertRegistered || !c.Active {
				t.Errorf("the authentication certificate after the play: %s, active %v; want registered and active", c.Status, c.Active)
			}
		}
	}
	if !auth || f.RegisteredAddress() == "" {
		t.Errorf("no authentication certificate registered: %+v", f.Certs())
	}

	posts := f.Count("POST", "/backups")
	out = play(inventory(withCert))
	if r := recap(t, out, "ssa"); r["failed"] != 0 || r["changed"] != 0 {
		t.Errorf("re-run: %v, want changed=0; changed: %v\n%s", r, changedTasks(out), tailOf(out, 3000))
	}
	if got := f.Count("POST", "/backups"); got != posts {
		t.Errorf("the re-run took a backup (%d -> %d)", posts, got)
	}
	noSecretFiles(t, secrets, dir, home, backups)
	t.Logf("timing: the whole test %s", time.Since(start).Round(100*time.Millisecond))
}

// tempWriter writes files (0600) into the folder tmp and returns their
// paths.
func tempWriter(t *testing.T, tmp string) func(name string, b []byte) string {
	return func(name string, b []byte) string {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
}
