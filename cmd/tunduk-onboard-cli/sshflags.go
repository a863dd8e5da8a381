package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
	"golang.org/x/term"
)

// sshFlags are the connection flags every remote verb shares.
type sshFlags struct {
	targets       multiFlag
	hostsFile     string
	identity      multiFlag
	passwordStdin bool
	knownHosts    string
	acceptNew     bool
	jump          string

	password string // read once from stdin when --password-stdin
	lang     string // the verb's --lang, for prompts and notices
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// register adds the connection flags to fs; sshUsage says what --ssh is
// for in the verb.
func (s *sshFlags) register(fs *flag.FlagSet, sshUsage string) {
	fs.Var(&s.targets, "ssh", sshUsage)
	fs.StringVar(&s.hostsFile, "hosts", "", "read targets from `FILE`, one USER@HOST[:PORT] per line (# comments)")
	fs.Var(&s.identity, "identity", "private key `FILE` for SSH (repeatable; ssh-agent is used too when SSH_AUTH_SOCK is set)")
	fs.BoolVar(&s.passwordStdin, "password-stdin", false, "read the SSH password from the first line of standard input")
	fs.StringVar(&s.knownHosts, "known-hosts", "", "known_hosts `FILE` (default ~/.ssh/known_hosts)")
	fs.BoolVar(&s.acceptNew, "accept-new-host-key", false, "accept and record the key of a host not yet in known_hosts (a changed key is always refused)")
	fs.StringVar(&s.jump, "jump", "", "reach the hosts through the jump host `USER@HOST[:PORT]`")
}

// sshFlagNames are the flags of a connection over SSH: --local, which
// works on this computer itself, goes with none of them.
var sshFlagNames = []string{"ssh", "hosts", "identity", "password-stdin", "known-hosts", "accept-new-host-key", "jump"}

// localConflict is the error of an SSH flag given in fs together with
// --local; nil when there is none.
func localConflict(fs *flag.FlagSet) error {
	bad := ""
	fs.Visit(func(f *flag.Flag) {
		if bad == "" && slices.Contains(sshFlagNames, f.Name) {
			bad = "--" + f.Name
		}
	})
	if bad == "" {
		return nil
	}
	return errKey("cli.err.local_ssh", map[string]any{"Flag": bad})
}

// allTargets returns the targets from --ssh and --hosts, in order.
func (s *sshFlags) allTargets() ([]remote.Target, error) {
	lines, err := s.targetLines()
	if err != nil {
		return nil, err
	}
	var out []remote.Target
	for _, l := range lines {
		t, err := remote.ParseTarget(l)
		if err != nil {
			return nil, badTarget("--ssh", l, err)
		}
		out = append(out, t)
	}
	return out, nil
}

// targetLines returns the lines of --ssh and --hosts, in order, without
// comments and blank lines (ansible export reads fields after the target).
func (s *sshFlags) targetLines() ([]string, error) {
	lines := append([]string(nil), s.targets...)
	if s.hostsFile != "" {
		data, err := readcap.ReadFile(s.hostsFile, readcap.HostsList)
		if err != nil {
			return nil, &fileErr{op: "read", path: s.hostsFile, err: err}
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			line, _, _ := strings.Cut(sc.Text(), "#")
			if line = strings.TrimSpace(line); line != "" {
				lines = append(lines, line)
			}
		}
		if err := sc.Err(); err != nil {
			return nil, &fileErr{op: "read", path: s.hostsFile, err: err}
		}
	}
	if err := s.checkFiles(); err != nil {
		return nil, err
	}
	return lines, nil
}

// checkFiles reads the key and known_hosts files the user named, through
// their caps, before any connection: a folder, a device or a huge file is
// refused here with its name, not halfway through a run. A known_hosts
// file that does not exist yet is fine (a new host's key is added to it).
func (s *sshFlags) checkFiles() error {
	for _, f := range s.identity {
		if _, err := readcap.ReadFile(f, readcap.Key); err != nil {
			return &fileErr{op: "read", path: f, err: err}
		}
	}
	if s.knownHosts != "" {
		if _, err := readcap.ReadFile(s.knownHosts, readcap.KnownHosts); err != nil && !errors.Is(err, os.ErrNotExist) {
			return &fileErr{op: "read", path: s.knownHosts, err: err}
		}
	}
	return nil
}

// readSecrets takes the password from stdin once, before any connection.
func (s *sshFlags) readSecrets(stdin io.Reader) error {
	if !s.passwordStdin {
		return nil
	}
	pw, err := stdinLine(bufio.NewReader(stdin), "--password-stdin", secretSSH)
	s.password = pw
	return err
}

// config builds the SSH configuration for one target. accepted reports
// each newly accepted host key so the user sees what was trusted.
func (s *sshFlags) config(t remote.Target, stderr io.Writer) (remote.Config, error) {
	cfg := remote.Config{
		Target:         t,
		KnownHostsFile: s.knownHosts,
		Agent:          os.Getenv("SSH_AUTH_SOCK") != "",
		IdentityFiles:  s.identity,
		Passphrase:     s.promptPassphrase,
	}
	if s.password != "" {
		pw := s.password
		cfg.Password = func() (string, error) { return pw, nil }
	}
	if s.acceptNew {
		cfg.AcceptHostKey = func(host, fp, keyType string) bool {
			fmt.Fprintln(stderr, i18n.T(s.lang, "cli.ssh.key_accepted", map[string]any{"Host": host, "Type": keyType, "Fingerprint": fp}))
			return true
		}
	}
	if s.jump != "" {
		jt, err := remote.ParseTarget(s.jump)
		if err != nil {
			return cfg, badTarget("--jump", s.jump, err)
		}
		cfg.Jump = &remote.Config{Target: jt}
	}
	return cfg, nil
}

// promptPassphrase asks for a key's passphrase on the terminal, without
// echo. Without a terminal it refuses: scripts should use ssh-agent.
func (s *sshFlags) promptPassphrase(file string) (string, error) {
	data := map[string]any{"File": file}
	pw, err := promptTTY(i18n.T(s.lang, "cli.ssh.passphrase_prompt", data))
	if errors.Is(err, errNoTTY) {
		return "", errKey("cli.ssh.passphrase_no_tty", data)
	}
	return pw, err
}

// badTarget refuses an SSH target given to flag; remote's own words stay
// in the log.
func badTarget(flag, value string, err error) error {
	return &keyErr{key: "cli.err.target", data: map[string]any{"Flag": flag, "Value": i18n.Line(value, 200)}, err: err}
}

var errNoTTY = errors.New("no terminal")

// promptTTY asks on the controlling terminal, without echo. Secrets are
// never read from a pipe here: scripts give them on standard input with
// the --*-stdin flags. A variable so tests never wait on a real terminal.
var promptTTY = askTTY

func askTTY(prompt string) (string, error) {
	var out io.Writer
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err == nil {
		defer tty.Close()
		out = tty
	} else {
		// Windows has no /dev/tty: its console is standard input.
		if !term.IsTerminal(int(os.Stdin.Fd())) {
			return "", errNoTTY
		}
		tty, out = os.Stdin, os.Stderr
	}
	fmt.Fprint(out, prompt)
	pw, err := term.ReadPassword(int(tty.Fd()))
	fmt.Fprintln(out)
	return string(pw), err
}
