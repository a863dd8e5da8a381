// Package installertest holds what the front ends' tests share about the
// installer: one error of every kind installer.Explain tells apart.
package installertest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// Hostile is text a host might send: a terminal escape sequence to clear
// the screen. No explanation may show it.
const Hostile = "\x1b[2J"

// Errors are errors of a plan or a run as the installer and the transport
// return them, one of each kind, by the key installer.Explain gives it
// without its installer.err. prefix. Texts that come from the host carry
// Hostile.
func Errors() map[string]error {
	dial := func(errno syscall.Errno) error {
		return fmt.Errorf("ssh: dial: %w", &net.OpError{Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: errno}})
	}
	return map[string]error{
		"cancelled":        fmt.Errorf("installer: %w", context.Canceled),
		"step":             &installer.StepError{ID: "postgresql", ExitCode: 100, LogTail: "Reading package lists...\nE: Unable to locate package postgresql" + Hostile + "\n"},
		"step_killed":      &installer.StepError{ID: "xroad-package", ExitCode: -1, LogTail: "Unpacking xroad-proxy" + Hostile + "\n"},
		"sudo_needed":      fmt.Errorf("installer: sudo password: %w", installer.ErrSudoNeeded),
		"busy":             &installer.BusyError{Holder: "wizard, alice@laptop" + Hostile, Since: "2026-12-02T01:00:00Z"},
		"sudo_refused":     fmt.Errorf("%w (sudo said: Sorry, try again."+Hostile+")", installer.ErrSudoPassword),
		"api":              &installer.AdminAPIError{Err: errors.New("the admin API answered 503" + Hostile)},
		"readiness":        &installer.PreflightError{Failed: []checks.Result{{ID: "os.version", Status: checks.Fail}, {ID: "ram", Status: checks.Fail}}},
		"no_readiness":     installer.ErrNoReadiness,
		"local_not_linux":  &installer.LocalError{Reason: installer.LocalNotLinux, OS: "Windows"},
		"local_not_debian": &installer.LocalError{Reason: installer.LocalNotDebian, OS: "Fedora Linux 40" + Hostile},
		"local_no_sudo":    &installer.LocalError{Reason: installer.LocalNoSudo, OS: "Linux"},
		"pin_sha256": &installer.PinError{Mismatches: []installer.PinMismatch{{File: "xroad-proxy_7.4.2-1.gita30be58.ubuntu22.04_all.deb" + Hostile,
			Package: "xroad-proxy", What: "sha256", Got: strings.Repeat("0", 64), Want: "70a7f30ad6ff09e3813ae64c81573fda18fed266a2d15df8c0c5392077ef3b3c"}}},
		"pin_version": &installer.PinError{Mismatches: []installer.PinMismatch{{File: "xroad-proxy_7.4.2-1.ubuntu22.04_all.deb",
			Package: "xroad-proxy", What: "version", Got: "7.4.2-1.ubuntu22.04" + Hostile, Want: "7.4.2-1.gita30be58.ubuntu22.04"}}},
		"options": installer.OptionErrors(installer.ValidateOptions(installer.Options{AdminUser: "root", AdminPassword: "x", Hostname: "ss1", Address: "10.0.0.1"}, nil)),
		"hostkey_changed": fmt.Errorf("installer: %w", &remote.HostKeyChangedError{Host: "ss1" + Hostile, Fingerprint: "SHA256:new",
			KnownHostsFile: "/home/op/.ssh/known_hosts", Line: 7}),
		"hostkey_revoked": &remote.HostKeyRevokedError{Host: "ss1", Fingerprint: "SHA256:old", KnownHostsFile: "/home/op/.ssh/known_hosts", Line: 3},
		"hostkey_refused": &remote.HostKeyUnknownError{Host: "ss1", Fingerprint: "SHA256:unknown" + Hostile},
		"auth":            &remote.AuthError{User: "op", Host: "ss1" + Hostile},
		"refused":         dial(syscall.ECONNREFUSED),
		"dns":             &net.DNSError{Err: "no such host", Name: "ss1.example" + Hostile, IsNotFound: true},
		"unreachable":     dial(syscall.EHOSTUNREACH),
		"timeout":         fmt.Errorf("installer: %w", context.DeadlineExceeded),
		"stalled":         &remote.StalledError{After: 10 * time.Minute},
		"other":           errors.New("installer: creating /var/lib/tunduk-onboard/logs on the host: mkdir: read-only file system" + Hostile),
	}
}
