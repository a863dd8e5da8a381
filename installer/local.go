package installer

// The install on this computer (the wizard or the CLI running on the
// future security server itself): whether it can run here at all, and
// which SSH port the firewall must keep open for the person who may be
// logged in over it.

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
)

// Why the install cannot run on this computer (LocalError.Reason).
const (
	LocalNotLinux  = "not_linux"  // Windows, macOS: X-Road runs on Ubuntu
	LocalNotDebian = "not_debian" // Linux without apt and dpkg
	LocalNoSudo    = "no_sudo"    // not root, and no sudo to become root
)

// LocalError says why the install (or the configuration) cannot run on
// this computer. Explain keys it installer.err.local_<Reason>.
type LocalError struct {
	Reason string
	OS     string // the system's name, for the message
}

func (e *LocalError) Error() string {
	switch e.Reason {
	case LocalNotLinux:
		return fmt.Sprintf("installer: this computer runs %s; the security server is installed on Ubuntu (Linux)", e.OS)
	case LocalNotDebian:
		return fmt.Sprintf("installer: this computer runs %s, which has no apt and dpkg; the security server is installed on Ubuntu", e.OS)
	}
	return "installer: the program does not run as root and sudo is not installed on this computer"
}

// Machine is what decides whether the install can run on this computer;
// ThisMachine reads it, tests make others.
type Machine struct {
	GOOS      string
	OSRelease string // the text of /etc/os-release
	Root      bool   // the program runs as root (effective user 0)
	// Has says whether a command is installed (in the standard PATH the
	// runner's commands get).
	Has func(cmd string) bool
	// SSHConnection is $SSH_CONNECTION when the program runs in an SSH
	// session; SSHDConfig the text of /etc/ssh/sshd_config.
	SSHConnection string
	SSHDConfig    string
}

// standardPath is where Machine.Has looks: the PATH of every command the
// runner starts on this computer (remote.Local).
var standardPath = []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}

// ThisMachine is the computer the program runs on.
func ThisMachine() Machine {
	// Files of this computer, still read within a cap: a /dev/zero
	// symlinked there must not fill memory.
	osr, err := readcap.ReadFile("/etc/os-release", readcap.SystemFile)
	if err != nil {
		osr, _ = readcap.ReadFile("/usr/lib/os-release", readcap.SystemFile)
	}
	sshd, _ := readcap.ReadFile("/etc/ssh/sshd_config", readcap.SystemFile)
	return Machine{
		GOOS: runtime.GOOS, OSRelease: string(osr), Root: os.Geteuid() == 0,
		Has: func(cmd string) bool {
			for _, d := range standardPath {
				if st, err := os.Stat(filepath.Join(d, cmd)); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
					return true
				}
			}
			return false
		},
		SSHConnection: os.Getenv("SSH_CONNECTION"), SSHDConfig: string(sshd),
	}
}

// Check is nil when the install can run on m: Linux with apt and dpkg
// (Debian, Ubuntu) and, with needRoot, root or sudo to become it. Else a
// *LocalError. The configuration (needRoot false) needs no root: the
// admin API is reached as the user.
func (m Machine) Check(needRoot bool) error {
	if m.GOOS != "linux" {
		name := map[string]string{"windows": "Windows", "darwin": "macOS"}[m.GOOS]
		if name == "" {
			name = m.GOOS
		}
		return &LocalError{Reason: LocalNotLinux, OS: name}
	}
	has := m.Has
	if has == nil {
		has = func(string) bool { return false }
	}
	if !has("apt-get") || !has("dpkg") {
		osr := checks.ParseOSRelease(m.OSRelease)
		name := osr.PrettyName
		if name == "" {
			name = osr.ID
		}
		if name == "" {
			name = "Linux"
		}
		return &LocalError{Reason: LocalNotDebian, OS: i18n.Line(name, 100)}
	}
	if needRoot && !m.Root && !has("sudo") {
		return &LocalError{Reason: LocalNoSudo, OS: "Linux"}
	}
	return nil
}

// SSHPort is the SSH port the firewall must keep open besides 22 when
// the install runs on m: the one of the SSH session the program runs in,
// else the first Port of sshd's configuration; 0 when neither says. An
// administrator who runs `install --local` over SSH on port 2222 must not
// be locked out when the firewall comes up.
func (m Machine) SSHPort() int {
	if f := strings.Fields(m.SSHConnection); len(f) == 4 {
		if p, err := strconv.Atoi(f[3]); err == nil && p > 0 && p <= 65535 {
			return p
		}
	}
	sc := bufio.NewScanner(strings.NewReader(m.SSHDConfig))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && strings.EqualFold(f[0], "Port") {
			if p, err := strconv.Atoi(f[1]); err == nil && p > 0 && p <= 65535 {
				return p
			}
		}
		if len(f) > 0 && strings.EqualFold(f[0], "Match") {
			break // what follows is for some connections only
		}
	}
	return 0
}
