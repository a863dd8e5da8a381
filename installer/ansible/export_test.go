package ansible

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
	yaml "go.yaml.in/yaml/v3"
)

// standIn is what the plans are made with in place of the admin password
// (the CLI makes its own, random).
const standIn = "Stand-in-admin-pw-7f3c1e"

// testProject makes two hosts' plans (their scripts differ: host names,
// addresses, SSH ports) and the project of them; cli is a small file in
// place of the static CLI.
func testProject(t *testing.T) Project {
	t.Helper()
	p, err := profile.Default()
	if err != nil {
		t.Fatal(err)
	}
	var hosts []Host
	for i, h := range []struct{ name, host, addr string }{{"ss1", "ss1.example.kg", "10.9.0.11"}, {"ss2", "ss2.example.kg", "10.9.0.12"}} {
		steps, err := installer.Plan(p, nil, installer.Options{AdminUser: "xrdadmin", AdminPassword: standIn, Force: true,
			Hostname: h.host, Address: h.addr, SSHPort: 22 + 2000*i, AdminNetwork: "10.1.0.0/24", TokenOnServer: true})
		if err != nil {
			t.Fatal(err)
		}
		hosts = append(hosts, Host{Name: h.name, Target: remote.Target{User: "ops", Host: h.addr, Port: 22 + 2000*i},
			MemberClass: "GOV", MemberCode: "1234567" + string(rune('0'+i)), ServerCode: "SS" + string(rune('1'+i)), Hostname: h.host, Address: h.addr, Steps: steps})
	}
	cli := filepath.Join(t.TempDir(), "tunduk-onboard-cli")
	if err := os.WriteFile(cli, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return Project{Hosts: hosts, CLI: cli, Secrets: map[string]string{standIn: AdminPasswordVar}}
}

func export(t *testing.T, p Project) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "fleet")
	if err := Export(dir, p); err != nil {
		t.Fatal(err)
	}
	return dir
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

type task struct {
	Name    string         `yaml:"name"`
	Shell   map[string]any `yaml:"ansible.builtin.shell"`
	Command map[string]any `yaml:"ansible.builtin.command"`
	When    any            `yaml:"when"`
	NoLog   bool           `yaml:"no_log"`
	Async   int            `yaml:"async"`
	Poll    int            `yaml:"poll"`
	Changed any            `yaml:"changed_when"`
}

// TestExportIsThePlan (same truth): each host's scripts in the export are
// its plan's Check and Apply byte for byte, read back by a YAML parser
// and, when Ansible is here, by Ansible itself (ansible-inventory); the
// role runs them in the plan's order, the Apply only when the Check
// fails, long steps async, the admin password only as a variable on
// stdin in a no_log task; no file of the export holds the password.
func TestExportIsThePlan(t *testing.T) {
	p := testProject(t)
	// Jinja in a script stays text: Ansible must never run it.
	last := &p.Hosts[1].Steps[len(p.Hosts[1].Steps)-1]
	last.Check += "\n# {{ lookup('pipe', 'touch /tmp/templated') }} {% if x %}{# #}"
	dir := export(t, p)
	for _, h := range p.Hosts {
		var hv struct {
			Steps map[string]struct {
				Check, Apply string
				SHA          string `yaml:"apply_sha256"`
			} `yaml:"tunduk_steps"`
		}
		readYAML(t, filepath.Join(dir, "host_vars", h.Name+".yml"), &hv)
		if len(hv.Steps) != len(h.Steps) {
			t.Fatalf("%s: %d steps exported, the plan has %d", h.Name, len(hv.Steps), len(h.Steps))
		}
		for _, st := range h.Steps {
			got := hv.Steps[st.ID]
			if got.Check != st.Check || got.Apply != st.Apply || got.SHA != installer.ApplySHA256(st) {
				t.Errorf("%s %s: exported scripts differ from the plan's:\ncheck %q\nwant  %q\napply %q\nwant  %q", h.Name, st.ID, got.Check, st.Check, got.Apply, st.Apply)
			}
		}
		if h.Name == "ss2" && hv.Steps["firewall"].Apply == p.Hosts[0].Steps[3].Apply {
			t.Error("the hosts' own scripts were not kept apart")
		}
	}
	var tasks []task
	readYAML(t, filepath.Join(dir, TasksFile), &tasks)
	byName := map[string]task{}
	var order []string
	for _, tk := range tasks {
		byName[strings.SplitN(tk.Name, ":", 2)[0]] = tk
		order = append(order, tk.Name)
	}
	at := -1
	for _, st := range p.Hosts[0].Steps {
		check, apply, journal := byName[TaskName(st.ID, PartCheck)], byName[TaskName(st.ID, PartApply)], byName[TaskName(st.ID, PartJournal)]
		// The run lock's lines, then the plan's script (lock.go).
		if check.Shell["cmd"] != touchLease()+`{{ tunduk_steps["`+st.ID+`"].check }}` || check.Changed != false {
			t.Errorf("%s: check task %+v", st.ID, check)
		}
		if apply.Shell["cmd"] != applyLead()+`{{ tunduk_steps["`+st.ID+`"].apply }}` || apply.When != RegisterVar(st.ID)+".rc != 0" || apply.Changed != true {
			t.Errorf("%s: apply task %+v", st.ID, apply)
		}
		if st.Long != (apply.Async > 0 && apply.Poll > 0) {
			t.Errorf("%s: long %v, async %d poll %d", st.ID, st.Long, apply.Async, apply.Poll)
		}
		if st.Stdin != "" {
			in, _ := apply.Shell["stdin"].(string)
			if !apply.NoLog || strings.ReplaceAll(in, "{{ "+AdminPasswordVar+" }}", standIn)+"\n" != st.Stdin {
				t.Errorf("%s: stdin %q (no_log %v), the plan's is another", st.ID, in, apply.NoLog)
			}
		} else if apply.NoLog || apply.Shell["stdin"] != nil {
			t.Errorf("%s: stdin or no_log without a secret", st.ID)
		}
		if argv, _ := journal.Command["argv"].([]any); len(argv) < 4 || argv[1] != "journal" {
			t.Errorf("%s: journal task %+v", st.ID, journal)
		}
		i := indexOf(order, TaskName(st.ID, PartCheck))
		if i <= at {
			t.Errorf("%s is out of the plan's order", st.ID)
		}
		at = i
	}
	filepath.Walk(dir, func(path string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			if b, _ := os.ReadFile(path); bytes.Contains(b, []byte(standIn)) {
				t.Errorf("%s holds the admin password", path)
			}
		}
		return nil
	})
	ansibleSees(t, dir, p)
}

func indexOf(list []string, prefix string) int {
	for i, s := range list {
		if strings.HasPrefix(s, prefix+":") {
			return i
		}
	}
	return -1
}

// ansibleSees: Ansible's own reading of each host's variables gives the
// plan's scripts untouched (the !unsafe tag keeps Jinja away from them).
func ansibleSees(t *testing.T, dir string, p Project) {
	if _, err := exec.LookPath("ansible-inventory"); err != nil {
		needTool(t, "ansible-inventory (apt-get install ansible; build/deps.sh has it)")
		return
	}
	for _, h := range p.Hosts {
		cmd := exec.Command("ansible-inventory", "--host", h.Name)
		cmd.Dir = dir
		cmd.Env = ansibleEnv(t)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("ansible-inventory: %v", err)
		}
		var v struct {
			// ansible-inventory shows a value Ansible never templates
			// as {"__ansible_unsafe": VALUE}.
			Steps map[string]struct{ Check, Apply ansibleUnsafe } `json:"tunduk_steps"`
			Host  string                                          `json:"ansible_host"`
			Code  string                                          `json:"tunduk_server_code"`
		}
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatal(err)
		}
		if v.Host != h.Target.Host || v.Code != h.ServerCode {
			t.Errorf("%s: inventory %+v", h.Name, v)
		}
		for _, st := range h.Steps {
			if got := v.Steps[st.ID]; got.Check.V != st.Check || got.Apply.V != st.Apply {
				t.Errorf("%s %s: Ansible reads other scripts than the plan's, or templates them: %+v", h.Name, st.ID, got)
			}
		}
	}
}

type ansibleUnsafe struct {
	V string `json:"__ansible_unsafe"`
}

// needTool skips without a tool, and fails in CI, where a skip would hide
// a broken setup.
func needTool(t *testing.T, what string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("missing %s", what)
	}
	t.Skipf("missing %s", what)
}

// ansibleEnv keeps Ansible's files in the test's own folders.
func ansibleEnv(t *testing.T) []string {
	home := t.TempDir()
	return append(os.Environ(), "ANSIBLE_HOME="+home, "ANSIBLE_LOCAL_TEMP="+filepath.Join(home, "tmp"), "HOME="+home)
}

// TestExportLints: the export passes ansible-playbook --syntax-check (of
// site.yml and configure.yml) and ansible-lint (Debian's) with no error.
func TestExportLints(t *testing.T) {
	dir := export(t, testProject(t))
	for _, tool := range [][]string{{"ansible-playbook", "--syntax-check", "site.yml"}, {"ansible-playbook", "--syntax-check", ConfigureFile},
		{"ansible-lint", "--offline", "--nocolor"}} {
		if _, err := exec.LookPath(tool[0]); err != nil {
			needTool(t, tool[0]+" (apt-get install "+tool[0][:strings.Index(tool[0]+"-", "-")]+"; build/deps.sh has it)")
			continue
		}
		cmd := exec.Command(tool[0], tool[1:]...)
		cmd.Dir = dir
		cmd.Env = ansibleEnv(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", strings.Join(tool, " "), err, out)
		}
	}
}

// TestExportConfigurePlay: configure.yml runs the CLI on the control node
// (delegate_to: localhost) with --format json, each secret only on the
// task's stdin and only in no_log tasks, whose change is the CLI's JSON
// and whose error a task without secrets shows; site.yml runs it only
// when asked (tags configure and never: a plain run lists none of its
// tasks); without the secrets and no terminal to ask them on, the play
// stops on its own message before any CLI runs, and Ansible (ansible-
// playbook itself) sees all this.
func TestExportConfigurePlay(t *testing.T) {
	p := testProject(t)
	p.ControlCLI = "/opt/tunduk/tunduk-onboard-cli"
	dir := export(t, p)
	var plays []struct {
		Hosts string
		Vars  map[string]string
		Tasks []map[string]any
	}
	readYAML(t, filepath.Join(dir, ConfigureFile), &plays)
	if len(plays) != 1 || plays[0].Hosts != Group {
		t.Fatalf("configure.yml: %+v", plays)
	}
	secretVars := []string{AdminPasswordVar, TokenPINVar, HWTokenPINVar, "ansible_password", "ansible_become_password"}
	steps := map[string]bool{}
	for i, tk := range plays[0].Tasks {
		name, _ := tk["name"].(string)
		cmd, isCLI := tk["ansible.builtin.command"].(map[string]any)
		noLog, _ := tk["no_log"].(bool)
		if !isCLI {
			if _, pause := tk["ansible.builtin.pause"]; pause != noLog {
				t.Errorf("%s: no_log %v", name, noLog)
			}
			continue
		}
		steps[strings.TrimPrefix(name, ConfigureTaskName(""))] = true
		argv, _ := cmd["argv"].(string)
		stdin, _ := cmd["stdin"].(string)
		if !noLog || tk["delegate_to"] != "localhost" || tk["register"] != ResultVar || tk["failed_when"] != false ||
			tk["changed_when"] != "tunduk_cli_changed | bool" || !strings.HasPrefix(argv, "{{ [tunduk_control_cli, ") ||
			!strings.Contains(stdin, "tunduk_cli_secrets") {
			t.Errorf("%s: %+v", name, tk)
		}
		next := plays[0].Tasks[i+1]
		if next["name"] != name+" | result" || next["no_log"] != nil || next["ansible.builtin.fail"] == nil {
			t.Errorf("%s: its error is not shown by the next task: %+v", name, next)
		}
	}
	for _, st := range []string{StepInit, StepCSR, StepImport, StepRegister, StepConnect} {
		if !steps[st] {
			t.Errorf("no task runs %s: %v", st, steps)
		}
	}
	// The secrets reach argv nowhere: the common flags name only the
	// --*-stdin flags.
	for name, v := range plays[0].Vars {
		for _, sv := range secretVars {
			if strings.Contains(v, sv) && !oneOf(name, "tunduk_cli_secrets", "tunduk_cli_pin", "tunduk_cli_hw_pin", "tunduk_cli_ssh_password", "tunduk_cli_sudo_password") {
				t.Errorf("%s uses the secret %s", name, sv)
			}
		}
	}
	if !strings.Contains(plays[0].Vars["tunduk_cli_common"], "'--format', 'json'") {
		t.Errorf("the CLI's output is not JSON: %s", plays[0].Vars["tunduk_cli_common"])
	}
	var all map[string]any
	readYAML(t, filepath.Join(dir, "group_vars", "all.yml"), &all)
	if all["tunduk_control_cli"] != p.ControlCLI {
		t.Errorf("tunduk_control_cli %v, want the exporting CLI", all["tunduk_control_cli"])
	}
	for _, f := range []string{"README.md", "README.ky.md"} {
		if b, _ := os.ReadFile(filepath.Join(dir, f)); !bytes.Contains(b, []byte(ConfigureFile)) || !bytes.Contains(b, []byte(p.ControlCLI)) {
			t.Errorf("%s says nothing of %s", f, ConfigureFile)
		}
		// Each variable of the play the README's reader sets is told.
		for _, v := range []string{"tunduk_register_wait", "tunduk_register_wait_timeout", "tunduk_register_poll",
			"tunduk_register_activate", "tunduk_hw_token", HWTokenPINVar, "tunduk_sign_on"} {
			if b, _ := os.ReadFile(filepath.Join(dir, f)); !bytes.Contains(b, []byte("`"+v+"`")) && !bytes.Contains(b, []byte("`"+v+":")) {
				t.Errorf("%s says nothing of %s", f, v)
			}
		}
	}

	if _, err := exec.LookPath("ansible-playbook"); err != nil {
		needTool(t, "ansible-playbook (apt-get install ansible; build/deps.sh has it)")
		return
	}
	run := func(args ...string) (string, error) {
		cmd := exec.Command("ansible-playbook", args...)
		cmd.Dir = dir
		cmd.Env = append(ansibleEnv(t), "ANSIBLE_NOCOLOR=1")
		b, err := cmd.CombinedOutput()
		return string(b), err
	}
	for _, c := range []struct {
		tags string
		want bool
	}{{"", false}, {"all,configure", true}, {"configure", true}} {
		args := []string{"site.yml", "--list-tasks"}
		if c.tags != "" {
			args = append(args, "--tags", c.tags)
		}
		out, err := run(args...)
		if err != nil || strings.Contains(out, ConfigureTaskName(StepInit)) != c.want ||
			strings.Contains(out, TaskName(p.Hosts[0].Steps[0].ID, PartCheck)) != (c.tags != "configure") {
			t.Errorf("site.yml --tags %q: the configure play listed: %v, want %v (%v)\n%s", c.tags, !c.want, c.want, err, out)
		}
	}
	// No secret given, no terminal: stopped by the play's own check,
	// before any CLI runs (the CLI here is nowhere).
	out, err := run(ConfigureFile, "-e", "tunduk_anchor=/nonexistent/anchor.xml")
	if err == nil || !strings.Contains(out, "Give "+AdminPasswordVar+" and "+TokenPINVar) || strings.Contains(out, ConfigureTaskName(StepInit)) {
		t.Errorf("configure.yml without secrets: %v\n%s", err, out)
	}
}

func oneOf(s string, list ...string) bool {
	for _, l := range list {
		if s == l {
			return true
		}
	}
	return false
}

// TestExportConfigureOptions: Ansible itself evaluates the configure
// play's argv and stdin (its own vars, the export's group_vars) for
// servers set in different ways: server csr gets --hw-token only with
// tunduk_sign_on: hw-token and an ID, --hw-pin-stdin (and the hardware
// token's PIN after the software token's) only with a PIN for it; server
// register gets --wait and its bounds only with tunduk_register_wait,
// --activate only with tunduk_register_activate. The play's checks stop
// tunduk_register_activate without the wait, and tunduk_hw_token without
// hw-token, on their own message before any CLI runs.
func TestExportConfigureOptions(t *testing.T) {
	if _, err := exec.LookPath("ansible-playbook"); err != nil {
		needTool(t, "ansible-playbook (apt-get install ansible; build/deps.sh has it)")
		return
	}
	dir := export(t, testProject(t))
	var plays []struct {
		Vars  yaml.Node
		Tasks []map[string]any
	}
	readYAML(t, filepath.Join(dir, ConfigureFile), &plays)
	cliOf := map[string]map[string]any{}
	for _, tk := range plays[0].Tasks {
		if cmd, ok := tk["ansible.builtin.command"].(map[string]any); ok {
			cliOf[strings.TrimPrefix(tk["name"].(string), ConfigureTaskName(""))] = cmd
		}
	}
	// A play of the configure play's own vars that shows, per server,
	// what server csr and server register would be given.
	show := map[string]any{}
	for _, st := range []string{StepCSR, StepRegister} {
		show[st] = cliOf[st]
	}
	test := []map[string]any{{"name": "show", "hosts": "all", "gather_facts": false, "vars": &plays[0].Vars,
		"tasks": []map[string]any{{"name": "show", "ansible.builtin.debug": map[string]any{"msg": show}}}}}
	b, err := yaml.Marshal(test)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "show.yml"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	base := map[string]any{"ansible_connection": "local", "ansible_host": "10.9.0.11", "ansible_user": "ops",
		"tunduk_member_class": "GOV", "tunduk_member_code": "1", "tunduk_server_code": "SS1",
		AdminPasswordVar: "adm", TokenPINVar: "soft", "tunduk_certs": []string{"/c/auth.cer"}}
	cases := map[string]map[string]any{
		"plain":   {},
		"hw":      {"tunduk_sign_on": "hw-token", "tunduk_hw_token": "7275746f6b", HWTokenPINVar: "hwpin"},
		"hwnopin": {"tunduk_sign_on": "hw-token"},
		"soft":    {"tunduk_sign_on": "soft-token", "tunduk_hw_token": "", HWTokenPINVar: "hwpin"},
		"wait":    {"tunduk_register_wait": true, "tunduk_register_activate": true, "tunduk_register_wait_timeout": "2h", "tunduk_register_poll": "1s"},
		"waitdef": {"tunduk_register_wait": "yes", "tunduk_register_wait_timeout": ""},
	}
	hosts := map[string]any{}
	for name, c := range cases {
		v := map[string]any{}
		for k, x := range base {
			v[k] = x
		}
		for k, x := range c {
			v[k] = x
		}
		hosts[name] = v
	}
	inv, _ := yaml.Marshal(map[string]any{"all": map[string]any{"hosts": hosts}})
	invPath := filepath.Join(t.TempDir(), "cases.yml")
	os.WriteFile(invPath, inv, 0o600)
	run := func(args ...string) (string, error) {
		cmd := exec.Command("ansible-playbook", args...)
		cmd.Dir = dir
		cmd.Env = append(ansibleEnv(t), "ANSIBLE_NOCOLOR=1", "ANSIBLE_STDOUT_CALLBACK=json")
		b, err := cmd.CombinedOutput()
		return string(b), err
	}
	out, err := run("show.yml", "-i", invPath)
	if err != nil {
		t.Fatalf("show.yml: %v\n%s", err, out)
	}
	var res struct {
		Plays []struct {
			Tasks []struct {
				Hosts map[string]struct {
					Msg map[string]struct {
						Argv  []string
						Stdin string
					}
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &res); err != nil || len(res.Plays) != 1 || len(res.Plays[0].Tasks) != 1 {
		t.Fatalf("%v\n%s", err, out)
	}
	got := res.Plays[0].Tasks[0].Hosts
	// after is what follows flag in argv ("" when it is the last), ok
	// whether it is there.
	after := func(argv []string, flag string) (string, bool) {
		for i, a := range argv {
			if a == flag {
				if i+1 < len(argv) {
					return argv[i+1], true
				}
				return "", true
			}
		}
		return "", false
	}
	for _, c := range []struct {
		host    string
		flag    string
		want    bool
		value   string
		step    string
		comment string
	}{
		{"plain", "--sign-on", false, "", StepCSR, ""},
		{"plain", "--hw-token", false, "", StepCSR, ""},
		{"plain", "--hw-pin-stdin", false, "", StepCSR, ""},
		{"plain", "--wait", false, "", StepRegister, ""},
		{"plain", "--wait-timeout", false, "", StepRegister, ""},
		{"plain", "--poll", false, "", StepRegister, ""},
		{"plain", "--activate", false, "", StepRegister, ""},
		{"hw", "--sign-on", true, "hw-token", StepCSR, ""},
		{"hw", "--hw-token", true, "7275746f6b", StepCSR, ""},
		{"hw", "--hw-pin-stdin", true, "", StepCSR, ""},
		{"hwnopin", "--hw-token", false, "", StepCSR, "no ID: the server's only hardware token"},
		{"hwnopin", "--hw-pin-stdin", false, "", StepCSR, "no PIN: the token is logged in"},
		{"soft", "--sign-on", true, "soft-token", StepCSR, ""},
		{"soft", "--hw-pin-stdin", false, "", StepCSR, "a hardware PIN without hw-token"},
		{"wait", "--wait", true, "", StepRegister, ""},
		{"wait", "--wait-timeout", true, "2h", StepRegister, ""},
		{"wait", "--poll", true, "1s", StepRegister, ""},
		{"wait", "--activate", true, "", StepRegister, ""},
		{"waitdef", "--wait", true, "", StepRegister, ""},
		{"waitdef", "--wait-timeout", false, "", StepRegister, "empty: the CLI's own"},
		{"waitdef", "--poll", true, "30s", StepRegister, "the default"},
		{"waitdef", "--activate", false, "", StepRegister, ""},
	} {
		argv := got[c.host].Msg[c.step].Argv
		v, ok := after(argv, c.flag)
		if ok != c.want || (c.value != "" && v != c.value) {
			t.Errorf("%s %s: %s there %v (%q), want %v %q (%s): %q", c.host, c.step, c.flag, ok, v, c.want, c.value, c.comment, argv)
		}
	}
	for host, want := range map[string]string{"plain": "adm\nsoft", "hw": "adm\nsoft\nhwpin", "hwnopin": "adm\nsoft", "soft": "adm\nsoft"} {
		if s := got[host].Msg[StepCSR].Stdin; s != want {
			t.Errorf("%s: server csr's stdin %q, want %q", host, s, want)
		}
	}
	if s := got["wait"].Msg[StepRegister].Stdin; s != "adm" {
		t.Errorf("server register's stdin %q, want the admin password alone", s)
	}

	// The play's own checks, before any secret is asked or CLI run.
	for _, c := range []struct{ extra, want string }{
		{"tunduk_register_activate=true", "tunduk_register_activate needs tunduk_register_wait: true"},
		{"tunduk_hw_token=7275746f6b", "tunduk_hw_token is used only with tunduk_sign_on: hw-token"},
	} {
		cmd := exec.Command("ansible-playbook", ConfigureFile, "-e", "tunduk_anchor=/nonexistent/anchor.xml", "-e", c.extra)
		cmd.Dir = dir
		cmd.Env = append(ansibleEnv(t), "ANSIBLE_NOCOLOR=1")
		b, err := cmd.CombinedOutput()
		if out := string(b); err == nil || !strings.Contains(out, c.want) || strings.Contains(out, ConfigureTaskName(StepInit)) {
			t.Errorf("-e %s: %v, want %q\n%s", c.extra, err, c.want, out)
		}
	}
	// The hardware token's PIN is asked only when a server of the play
	// makes its signing key on one (no terminal here: asked, nothing
	// typed, then stopped by the secrets' check).
	for _, c := range []struct {
		extra string
		asked bool
	}{{"tunduk_sign_on=", false}, {"tunduk_sign_on=hw-token", true}} {
		cmd := exec.Command("ansible-playbook", ConfigureFile, "-e", "tunduk_anchor=/nonexistent/anchor.xml", "-e", c.extra)
		cmd.Dir = dir
		cmd.Env = append(ansibleEnv(t), "ANSIBLE_NOCOLOR=1")
		b, _ := cmd.CombinedOutput()
		out := string(b)
		i := strings.Index(out, "TASK [Ask for the hardware token PIN]")
		if i < 0 {
			t.Errorf("-e %s: the hardware token PIN's task not run\n%s", c.extra, out)
			continue
		}
		block := out[i+1:]
		if j := strings.Index(block, "TASK ["); j >= 0 {
			block = block[:j]
		}
		if skipped := strings.Contains(block, "skipping:"); skipped == c.asked {
			t.Errorf("-e %s: the hardware token PIN asked %v, want %v\n%s", c.extra, !skipped, c.asked, block)
		}
	}
}
