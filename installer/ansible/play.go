package ansible

import (
	"net"
	"sort"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
	yaml "go.yaml.in/yaml/v3"
)

// Group is the inventory group of the security servers.
const Group = "tunduk_security_servers"

const ansibleCfg = `[defaults]
inventory = hosts.yml
library = library
roles_path = roles
forks = 20
host_key_checking = True
interpreter_python = auto_silent
retry_files_enabled = False

[ssh_connection]
pipelining = True
`

const roleMeta = `---
galaxy_info:
  role_name: tunduk_security_server
  author: Tunduk Onboard
  description: Installs an X-Road security server for Tunduk, step by step as tunduk-onboard-cli install does
  license: proprietary
  min_ansible_version: "2.14"
  platforms:
    - name: Ubuntu
      versions:
        - jammy
    - name: Debian
      versions:
        - bookworm
dependencies: []
`

// inventory: each host with its login and its own codes and addresses.
func inventory(p Project) []byte {
	hosts := m()
	for _, h := range p.Hosts {
		port := h.Target.Port
		if port == 0 {
			port = 22
		}
		hosts.Content = append(hosts.Content, str(h.Name), m(
			"ansible_host", h.Target.Host,
			"ansible_port", port,
			"ansible_user", h.Target.User,
			"tunduk_member_class", h.MemberClass,
			"tunduk_member_code", h.MemberCode,
			"tunduk_server_code", h.ServerCode,
			"tunduk_hostname", h.Hostname,
			"tunduk_address", h.Address,
		))
	}
	vars := m()
	if p.IdentityFile != "" {
		vars.Content = append(vars.Content, str("ansible_ssh_private_key_file"), str(p.IdentityFile))
	}
	var sshArgs []string
	if p.KnownHosts != "" {
		sshArgs = append(sshArgs, "-o UserKnownHostsFile="+p.KnownHosts+" -o StrictHostKeyChecking=yes")
		// The configure play's CLI checks the same file.
		vars.Content = append(vars.Content, str("tunduk_known_hosts"), str(p.KnownHosts))
	}
	if p.Jump != nil {
		sshArgs = append(sshArgs, "-o "+shlexQuote("ProxyCommand="+proxyCommand(p)))
		vars.Content = append(vars.Content, str("tunduk_jump"), str(p.Jump.String()))
	}
	if len(sshArgs) > 0 {
		vars.Content = append(vars.Content, str("ansible_ssh_common_args"), str(strings.Join(sshArgs, " ")))
	}
	group := m("hosts", hosts)
	if len(vars.Content) > 0 {
		group.Content = append(group.Content, str("vars"), vars)
	}
	return doc(m("all", m("children", m(Group, group))))
}

func roleDefaults(p Project) []byte { return doc(roleVars(p)) }

// groupVars are the role's defaults (the readiness play needs them too)
// and the configure play's variables.
func groupVars(p Project) []byte {
	n := roleVars(p)
	n.Content = append(n.Content, configureDefaults(p).Content...)
	return doc(n)
}

func roleVars(p Project) *yaml.Node {
	profile := ""
	if p.Profile != "" {
		profile = HostProfile
	}
	return m(
		"tunduk_cli", HostCLI,
		"tunduk_journal", installer.DefaultJournalPath,
		"tunduk_profile", profile,
		"tunduk_packages_dir", p.PackagesDir,
		"tunduk_readiness_override", false,
		IdleVar, DefaultIdle,
	)
}

// secretVars are the secrets' variable names, sorted.
func (p Project) secretVars() []string {
	var names []string
	for _, n := range p.Secrets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// site: the readiness play first (the CLI and profile copied, the check
// run as facts, a failing host stopped unless overridden, the override
// recorded on the host), then the install.
func site(p Project) []byte {
	become := func(n *yaml.Node) *yaml.Node {
		n.Content = append(n.Content, str("become"), node(true), str("gather_facts"), node(false))
		return n
	}
	// The state folder's mode is the plan's (its firewall step makes it
	// 0755), or every run would change it back and forth.
	ready := become(m("name", "Readiness of the security servers", "hosts", Group))
	ready.Content = append(ready.Content, str("tasks"), seq(
		m("name", "Make the folders of the CLI and of the install's state",
			"ansible.builtin.file", m("path", "{{ item.path }}", "state", "directory", "owner", "root", "group", "root", "mode", "{{ item.mode }}"),
			"loop", seq(m("path", "{{ tunduk_cli | dirname }}", "mode", "0755"), m("path", installer.StateDir, "mode", "0755"))),
		m("name", "Put the Tunduk Onboard CLI on the server",
			"ansible.builtin.copy", m("src", CLIFile, "dest", "{{ tunduk_cli }}", "owner", "root", "group", "root", "mode", "0755")),
		m("name", "Put the operator profile on the server",
			"ansible.builtin.copy", m("src", ProfileDir+"/profile.json", "dest", "{{ tunduk_profile }}", "owner", "root", "group", "root", "mode", "0644"),
			"when", "tunduk_profile | length > 0"),
		m("name", "Check the server's readiness",
			"tunduk_readiness", m("cli", "{{ tunduk_cli }}", "profile", "{{ tunduk_profile }}"),
			"register", "tunduk_readiness_result"),
		m("name", "Stop a server that failed the readiness check",
			"ansible.builtin.fail", m("msg", block("The readiness check failed: {{ tunduk_readiness_result.failed_rules | join(', ') }}.\n"+
				"Fix the server, or set tunduk_readiness_override=true to go on at your own risk\n(the override is recorded on the server).\n")),
			"when", seq("not tunduk_readiness_result.passed", "not (tunduk_readiness_override | bool)")),
		m("name", "Record the readiness override on the server",
			// The first override is kept (force: false): an installed
			// server fails other rules than a fresh one (its own ports in
			// use), and a re-run must be no change. Later ones are in
			// the run's output.
			"ansible.builtin.copy", m("content", block("{{ {'overridden': true,\n"+
				"    'failed_rules': tunduk_readiness_result.failed_rules} | to_nice_json }}\n"), "dest", ReadinessRecord,
				"owner", "root", "group", "root", "mode", "0600", "force", false),
			"when", "not tunduk_readiness_result.passed"),
	))
	// Each server at its own pace (free): in lockstep (linear) a server
	// done with a long step waits, no task of its own touching its run
	// lock's lease, for the slowest server's, and its hold would lapse
	// (lock.go). The servers' installs share nothing.
	// ansible-lint's run-once[play] warns of free with run_once, which
	// this play has none of.
	free := str("free")
	free.LineComment = "# noqa: run-once[play]"
	install := become(m("name", "Install the security servers", "hosts", Group, "strategy", free))
	if vars := p.secretVars(); len(vars) > 0 {
		prompts := seq()
		for _, v := range vars {
			prompts.Content = append(prompts.Content, m("name", v, "prompt", promptText[v], "private", true, "unsafe", true))
		}
		install.Content = append(install.Content, str("vars_prompt"), prompts)
	}
	if vars := p.secretVars(); len(vars) > 0 {
		// For the configure play of the same run (--tags all,configure):
		// what was typed here is not asked again. A fact lives in
		// memory for the run (not cacheable: never in a fact cache).
		keep := m()
		for _, v := range vars {
			keep.Content = append(keep.Content, str(v), str("{{ "+v+" }}"))
		}
		install.Content = append(install.Content, str("pre_tasks"), seq(
			m("name", "Keep the secrets typed for the configure play of this run",
				"ansible.builtin.set_fact", keep,
				"no_log", true,
				"tags", seq(ConfigureTag))))
	}
	install.Content = append(install.Content, str("tasks"), lockedTasks())
	// The admin API steps run only when asked for (--tags configure, or
	// --tags all,configure for both), or as configure.yml of their own:
	// a plain install run asks for no more secrets than it needs.
	configure := m("name", "Configure the security servers (only with --tags configure)",
		"ansible.builtin.import_playbook", ConfigureFile,
		"tags", seq(ConfigureTag, "never"))
	play := &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{ready, install, configure}}
	return doc(play)
}

// block is a literal block scalar: long texts on lines of their own.
func block(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s, Style: yaml.LiteralStyle}
}

// AdminPasswordVar is the variable of the X-Road admin user's password.
const AdminPasswordVar = "tunduk_admin_password"

var promptText = map[string]string{
	AdminPasswordVar: "Password of the X-Road admin user",
}

// proxyCommand reaches a server through the jump host with ssh -W, with
// the project's key and known_hosts for the jump host too (ProxyJump
// would check its key against ssh's defaults only). ssh runs it through
// the shell after expanding %-tokens: every literal is quoted, its %
// doubled.
func proxyCommand(p Project) string {
	lit := func(s string) string { return remote.Quote(strings.ReplaceAll(s, "%", "%%")) }
	j := *p.Jump
	host, port, _ := net.SplitHostPort(j.Addr()) // the default port filled in, IPv6 unbracketed
	c := "ssh -W %h:%p -o BatchMode=yes -p " + port
	if p.IdentityFile != "" {
		c += " -i " + lit(p.IdentityFile)
	}
	if p.KnownHosts != "" {
		c += " -o UserKnownHostsFile=" + lit(p.KnownHosts) + " -o StrictHostKeyChecking=yes"
	}
	return c + " " + lit(j.User+"@"+host)
}

// shlexQuote quotes s as one word for Python's shlex, which splits
// ansible_ssh_common_args.
func shlexQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
