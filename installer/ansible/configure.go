package ansible

import (
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// The configure play (configure.yml): the X-Road admin API steps, each a
// run of tunduk-onboard-cli ON THE CONTROL NODE (delegate_to: localhost),
// which reaches the server's admin API through its own SSH connection to
// the inventory host, its TLS pinned to the server's own certificate (read
// over that connection), exactly as the CLI's server verbs do by hand.
// Secrets go on the task's stdin (no_log); the CLI prints one JSON
// document (--format json) with no secret in it: the task reports changed
// when a step of it says "done" (the others are "skipped": there
// already), and a follow-up task shows its translated error.

// ConfigureFile is the configure play; site.yml imports it behind the tag
// ConfigureTag (with "never": a plain run installs only).
const (
	ConfigureFile = "configure.yml"
	ConfigureTag  = "configure"
)

// Variables of the configure play's secrets.
const (
	TokenPINVar = "tunduk_token_pin"
	// HWTokenPINVar is the PIN of the hardware token the signing key is
	// made on (tunduk_sign_on: hw-token): asked only then.
	HWTokenPINVar = "tunduk_hw_token_pin"
	// ResultVar is where each CLI task registers its result.
	ResultVar = "tunduk_cli_result"
)

// ConfigureTask names, in the play's order: each CLI task (named
// ConfigureTaskName(step)) is followed by its result task
// (ConfigureTaskName(step)+" | result").
const (
	StepInit     = "server init"
	StepCSR      = "server csr"
	StepImport   = "server import"
	StepRegister = "server register"
	StepConnect  = "connect"
)

// ConfigureTaskName is the name of the task running step.
func ConfigureTaskName(step string) string { return "Admin API | " + step }

// jinja is a Jinja expression on lines of its own ("|-": no final
// newline, so it stays one expression and keeps its type, a list or a
// bool). lines are joined by newlines.
func jinja(lines ...string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "{{ " + strings.Join(lines, "\n   ") + " }}", Style: yaml.LiteralStyle}
}

// runOnce is run_once: true, told to ansible-lint as meant.
func runOnce() *yaml.Node {
	n := node(true)
	n.LineComment = "# noqa: run-once[task]"
	return n
}

// folded is a text on lines of its own, read as one line.
func folded(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.FoldedStyle}
}

// configureDefaults are the configure play's variables, beside the
// role's defaults in group_vars/all.yml (an inventory host's own win).
func configureDefaults(p Project) *yaml.Node {
	cli := p.ControlCLI
	if cli == "" {
		cli = "tunduk-onboard-cli"
	}
	profile := ""
	if p.Profile != "" {
		profile = "{{ playbook_dir }}/" + ProfileDir + "/profile.json"
	}
	adminUser := p.AdminUser
	if adminUser == "" {
		adminUser = "xrdadmin"
	}
	return m(
		"tunduk_control_cli", cli,
		"tunduk_control_profile", profile,
		"tunduk_admin_user", adminUser,
		"tunduk_lang", "en",
		"tunduk_anchor", "",
		"tunduk_anchor_hash", "",
		"tunduk_org_name", "",
		"tunduk_sign_on", "",
		// The hardware token's ID as server status lists it ("": the
		// server's only hardware token); with tunduk_sign_on: hw-token.
		"tunduk_hw_token", "",
		"tunduk_csr_dir", "{{ playbook_dir }}/csr",
		"tunduk_certs", seq(),
		"tunduk_register", true,
		"tunduk_register_address", "",
		// Wait for the operator's approval (the CLI's --wait, bounded by
		// its --wait-timeout, asking every --poll), then activate the
		// authentication certificate (needs the wait).
		"tunduk_register_wait", false,
		"tunduk_register_wait_timeout", "24h",
		"tunduk_register_poll", "30s",
		"tunduk_register_activate", false,
		"tunduk_connect_plan", "",
		"tunduk_backup_dir", "",
		"tunduk_cli_extra_args", seq(),
	)
}

// configurePlay is configure.yml.
func configurePlay() []byte {
	h := "hostvars[inventory_hostname]"
	vars := m(
		// The login, as Ansible's own: user, host, port, key, known_hosts,
		// passwords (of the inventory host: never of the delegate).
		"tunduk_cli_target", jinja(h+".ansible_user ~ '@' ~ "+h+".ansible_host",
			"~ ':' ~ "+h+".ansible_port | default(22)"),
		"tunduk_cli_key", "{{ "+h+".ansible_ssh_private_key_file | default('') }}",
		"tunduk_cli_ssh_password", "{{ "+h+".ansible_password | default('') }}",
		"tunduk_cli_sudo_password", "{{ "+h+".ansible_become_password | default('') }}",
		"tunduk_cli_login", jinja("['--ssh', tunduk_cli_target]",
			"+ (['--identity', tunduk_cli_key] if tunduk_cli_key | length > 0 else [])",
			"+ (['--known-hosts', tunduk_known_hosts] if tunduk_known_hosts | default('') | length > 0 else [])",
			"+ (['--jump', tunduk_jump] if tunduk_jump | default('') | length > 0 else [])",
			"+ (['--password-stdin'] if tunduk_cli_ssh_password | length > 0 else [])",
			"+ (['--sudo-password-stdin'] if tunduk_cli_sudo_password | length > 0 else [])"),
		"tunduk_cli_common", jinja("tunduk_cli_login",
			"+ ['--admin-user', tunduk_admin_user, '--admin-password-stdin', '--format', 'json', '--lang', tunduk_lang]",
			"+ (['--profile', tunduk_control_profile] if tunduk_control_profile | length > 0 else [])",
			"+ (['--backup-dir', tunduk_backup_dir] if tunduk_backup_dir | length > 0 else [])",
			"+ tunduk_cli_extra_args"),
		"tunduk_cli_owner", jinja("['--member-class', tunduk_member_class, '--member-code', tunduk_member_code]"),
		"tunduk_cli_ids", jinja("tunduk_cli_owner + ['--server-code', tunduk_server_code]",
			"+ (['--name', tunduk_org_name] if tunduk_org_name | length > 0 else [])"),
		"tunduk_cli_csr_dir", "{{ tunduk_csr_dir }}/{{ inventory_hostname }}",
		// The secrets in the CLI's order: SSH password, sudo password,
		// admin password (then a verb's own: the software token PIN, then
		// the hardware token's).
		"tunduk_cli_secrets", jinja("([tunduk_cli_ssh_password] if tunduk_cli_ssh_password | length > 0 else [])",
			"+ ([tunduk_cli_sudo_password] if tunduk_cli_sudo_password | length > 0 else [])",
			"+ [tunduk_admin_password if tunduk_admin_password is defined",
			"   else tunduk_admin_password_typed.user_input | default('')]"),
		// The public address registered.
		"tunduk_cli_address", jinja("tunduk_register_address | default('', true) or tunduk_address | default('', true)",
			"or "+h+".ansible_host"),
		"tunduk_cli_pin", jinja(TokenPINVar+" if "+TokenPINVar+" is defined else tunduk_token_pin_typed.user_input | default('')"),
		"tunduk_cli_hw_pin", jinja(HWTokenPINVar+" if "+HWTokenPINVar+" is defined else tunduk_hw_token_pin_typed.user_input | default('')"),
		// The hardware token's PIN after the software token's, when the
		// signing key is made on it and a PIN is given (none: the token
		// must be logged in already, else the CLI says so).
		"tunduk_cli_hw_pins", jinja("[tunduk_cli_hw_pin] if tunduk_sign_on == 'hw-token' and tunduk_cli_hw_pin | length > 0 else []"),
		// The CLI's one JSON document ({} when it printed none).
		"tunduk_cli_doc", jinja(ResultVar+".stdout | from_json if ("+ResultVar+".stdout | default('') | trim)[:1] == '{' else {}"),
		// A step "done" is a change; "skipped" was done already. (get:
		// a dict's items would be its method.)
		"tunduk_cli_changed", jinja("(tunduk_cli_doc.get('steps', []) + tunduk_cli_doc.get('items', []))",
			"| selectattr('state', 'equalto', 'done') | list | length > 0"),
		"tunduk_cli_error", jinja("tunduk_cli_doc.get('error', {}).get('text') or ("+ResultVar+".stderr | default('', true)",
			"   or "+ResultVar+".msg | default('exit ' ~ "+ResultVar+".rc | default('?')))"),
	)
	local := func(n *yaml.Node) *yaml.Node {
		n.Content = append(n.Content, str("delegate_to"), str("localhost"))
		return n
	}
	// cliTask runs argv with stdin (secrets: no_log) when when holds,
	// then shows its error, if any, without the secrets.
	cliTask := func(step string, argv *yaml.Node, stdin string, when string) []any {
		run := m("name", ConfigureTaskName(step),
			"ansible.builtin.command", m("argv", argv, "stdin", stdin),
			"register", ResultVar,
			"no_log", true,
			"changed_when", "tunduk_cli_changed | bool",
			"failed_when", false)
		result := m("name", ConfigureTaskName(step)+" | result",
			"ansible.builtin.fail", m("msg", "{{ tunduk_cli_error }}"))
		cond := ResultVar + ".rc | default(0) != 0"
		if when != "" {
			run.Content = append(run.Content, str("when"), str(when))
			result.Content = append(result.Content, str("when"), seq(when, cond))
		} else {
			result.Content = append(result.Content, str("when"), str(cond))
		}
		return []any{local(run), result}
	}
	// One secret a line: a real newline in the Jinja string (Ansible's
	// Jinja leaves a backslash-n as it is).
	secrets := "{{ tunduk_cli_secrets | join('\n') }}"
	withPIN := "{{ (tunduk_cli_secrets + [tunduk_cli_pin]) | join('\n') }}"
	withPINs := "{{ (tunduk_cli_secrets + [tunduk_cli_pin] + tunduk_cli_hw_pins) | join('\n') }}"
	// Some server makes its signing key on a hardware token.
	hwAnywhere := "ansible_play_hosts | map('extract', hostvars, 'tunduk_sign_on') | select('equalto', 'hw-token') | list | length > 0"
	certs := "tunduk_certs | length > 0"

	var tasks []any
	tasks = append(tasks,
		m("name", "Check the configure play's inputs",
			"ansible.builtin.assert", m("that", seq(
				"tunduk_member_class | default('') | length > 0",
				"tunduk_member_code | default('') | length > 0",
				"tunduk_server_code | default('') | length > 0",
				"tunduk_anchor | length > 0"),
				"fail_msg", folded("Set tunduk_member_class, tunduk_member_code and tunduk_server_code for each server (hosts.yml)\n"+
					"and tunduk_anchor, the configuration anchor file on this computer: README.md says how."),
				"quiet", true)),
		m("name", "Check the registration's variables",
			"ansible.builtin.assert", m("that", seq(
				"not (tunduk_register_activate | bool) or (tunduk_register_wait | bool)"),
				"fail_msg", folded("tunduk_register_activate needs tunduk_register_wait: true\n"+
					"(the authentication certificate is activated once the operator has approved its registration)."),
				"quiet", true)),
		m("name", "Check the hardware token's variables",
			"ansible.builtin.assert", m("that", seq(
				"tunduk_hw_token | length == 0 or tunduk_sign_on == 'hw-token'"),
				"fail_msg", folded("tunduk_hw_token is used only with tunduk_sign_on: hw-token\n"+
					"(the signing key made on the hardware token plugged into the server)."),
				"quiet", true)),
		m("name", "Ask for the X-Road admin user's password",
			"ansible.builtin.pause", m("prompt", "Password of the X-Road admin user {{ tunduk_admin_user }}", "echo", false),
			"register", "tunduk_admin_password_typed",
			// Asked once; run_once puts the answer on every host (the
			// play's strategy is linear: ansible-lint's worry is free's).
			"run_once", runOnce(),
			"no_log", true,
			"when", AdminPasswordVar+" is not defined"),
		m("name", "Ask for the software token PIN",
			"ansible.builtin.pause", m("prompt", "PIN of the security servers' software token", "echo", false),
			"register", "tunduk_token_pin_typed",
			// Asked once; run_once puts the answer on every host (the
			// play's strategy is linear: ansible-lint's worry is free's).
			"run_once", runOnce(),
			"no_log", true,
			"when", TokenPINVar+" is not defined"),
		m("name", "Ask for the hardware token PIN",
			"ansible.builtin.pause", m("prompt", "PIN of the hardware token the signing key is made on (empty: it is logged in already)", "echo", false),
			"register", "tunduk_hw_token_pin_typed",
			"run_once", runOnce(),
			"no_log", true,
			"when", seq(HWTokenPINVar+" is not defined", hwAnywhere)),
		m("name", "Check the secrets are given",
			"ansible.builtin.assert", m("that", seq(
				"tunduk_cli_secrets | last | length > 0",
				"tunduk_cli_pin | length > 0"),
				"fail_msg", folded("Give "+AdminPasswordVar+" and "+TokenPINVar+"\n"+
					"(an Ansible Vault file: -e @secrets.yml --ask-vault-pass), or type them when asked."),
				"quiet", true)),
		local(m("name", "Make the server's CSR folder on this computer",
			"ansible.builtin.file", m("path", "{{ tunduk_cli_csr_dir }}", "state", "directory", "mode", "0750"))),
	)
	tasks = append(tasks, cliTask(StepInit, jinja("[tunduk_control_cli, 'server', 'init'] + tunduk_cli_common + tunduk_cli_ids",
		"+ ['--anchor', tunduk_anchor, '--pin-stdin']",
		"+ (['--anchor-hash', tunduk_anchor_hash] if tunduk_anchor_hash | length > 0 else [])"), withPIN, "")...)
	tasks = append(tasks, cliTask(StepCSR, jinja("[tunduk_control_cli, 'server', 'csr'] + tunduk_cli_common + tunduk_cli_ids",
		"+ ['--out', tunduk_cli_csr_dir, '--pin-stdin']",
		"+ (['--sign-on', tunduk_sign_on] if tunduk_sign_on | length > 0 else [])",
		"+ (['--hw-token', tunduk_hw_token] if tunduk_sign_on == 'hw-token' and tunduk_hw_token | length > 0 else [])",
		"+ (['--hw-pin-stdin'] if tunduk_cli_hw_pins | length > 0 else [])"), withPINs, "")...)
	tasks = append(tasks, cliTask(StepImport, jinja("[tunduk_control_cli, 'server', 'import'] + tunduk_cli_common",
		"+ ['--out', tunduk_cli_csr_dir] + tunduk_certs"), secrets, certs)...)
	tasks = append(tasks, cliTask(StepRegister, jinja("[tunduk_control_cli, 'server', 'register'] + tunduk_cli_common",
		"+ ['--address', tunduk_cli_address]",
		"+ (['--wait'] if tunduk_register_wait | bool else [])",
		"+ (['--wait-timeout', tunduk_register_wait_timeout | string]",
		"   if tunduk_register_wait | bool and tunduk_register_wait_timeout | string | length > 0 else [])",
		"+ (['--poll', tunduk_register_poll | string]",
		"   if tunduk_register_wait | bool and tunduk_register_poll | string | length > 0 else [])",
		"+ (['--activate'] if tunduk_register_activate | bool else [])"),
		secrets, certs+" and tunduk_register | bool")...)
	tasks = append(tasks, cliTask(StepConnect, jinja("[tunduk_control_cli, 'connect'] + tunduk_cli_common + tunduk_cli_owner",
		"+ ['--plan', tunduk_connect_plan]"), secrets, "tunduk_connect_plan | length > 0")...)

	play := m("name", "Configure the security servers through the X-Road admin API",
		"hosts", Group,
		"strategy", "linear",
		"become", false,
		"gather_facts", false,
		"vars", vars,
		"tasks", seq(tasks...))
	return doc(seq(play))
}
