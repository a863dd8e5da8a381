package installer

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// hwtokensHost is a folder standing in for the server's files: the
// Rutoken library, /etc/xroad/devices.ini, and stand-ins for apt-get,
// dpkg-query and systemctl that only note their calls.
type hwtokensHost struct {
	dir, ini, lib, calls string
	step                 Step
}

func newHWTokensHost(t *testing.T) *hwtokensHost {
	t.Helper()
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	dir := t.TempDir()
	h := &hwtokensHost{dir: dir, ini: filepath.Join(dir, "etc-xroad-devices.ini"), lib: filepath.Join(dir, "librtpkcs11ecp.so"),
		calls: filepath.Join(dir, "calls")}
	bin := filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	stub := "#!/bin/sh\necho \"$(basename \"$0\") $*\" >> " + h.calls + "\n"
	for name, body := range map[string]string{
		"apt-get":    stub,
		"systemctl":  stub,
		"dpkg-query": stub + "printf 'install ok installed'\n",
	} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(h.lib, []byte("stand-in"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := testProfile(t)
	p.Install.RutokenLibrary = h.lib
	opt := options()
	opt.TokenOnServer = true
	steps, err := Plan(p, report(), opt)
	if err != nil {
		t.Fatal(err)
	}
	h.step = step(t, steps, "hwtokens")
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	return h
}

// run runs one of the step's scripts with devices.ini moved into the folder.
func (h *hwtokensHost) run(script string) (string, error) {
	script = strings.ReplaceAll(script, devicesINI, h.ini)
	out, err := exec.Command("sh", "-c", script).CombinedOutput()
	return string(out), err
}

// The devices.ini part of the install, as X-Road 7.4.2's signer reads
// /etc/xroad/devices.ini (ModuleConf: one section per module, its
// "library" the PKCS#11 module): the section is added once, other
// sections are kept, the signer is restarted, and the step's check
// passes afterwards and fails before.
func TestHWTokensWritesDevicesINI(t *testing.T) {
	h := newHWTokensHost(t)
	if _, err := h.run(h.step.Check); err == nil {
		t.Fatal("the check passes before the step ran")
	}
	if out, err := h.run(h.step.Apply); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	want := "\n[rutoken]\nlibrary = " + h.lib + "\n"
	if data, _ := os.ReadFile(h.ini); string(data) != want {
		t.Fatalf("devices.ini %q, want %q", data, want)
	}
	if out, err := h.run(h.step.Check); err != nil {
		t.Fatalf("the check fails after the step: %v\n%s", err, out)
	}
	calls, _ := os.ReadFile(h.calls)
	for _, c := range []string{"install xroad-addon-hwtokens pcscd", "systemctl enable --now pcscd.socket", "systemctl restart xroad-signer"} {
		if !strings.Contains(string(calls), c) {
			t.Errorf("no %q among the calls:\n%s", c, calls)
		}
	}
	// Again (a resumed install): the section is not doubled.
	if out, err := h.run(h.step.Apply); err != nil {
		t.Fatalf("second apply: %v\n%s", err, out)
	}
	if data, _ := os.ReadFile(h.ini); strings.Count(string(data), "[rutoken]") != 1 {
		t.Errorf("devices.ini after a second run:\n%s", data)
	}
}

// A devices.ini the administrator already has keeps its sections; a
// [rutoken] section naming another library is not silently left broken.
func TestHWTokensKeepsOtherSections(t *testing.T) {
	h := newHWTokensHost(t)
	other := "[softToken]\nenabled = true\n"
	if err := os.WriteFile(h.ini, []byte(other), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := h.run(h.step.Apply); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	if data, _ := os.ReadFile(h.ini); string(data) != other+"\n[rutoken]\nlibrary = "+h.lib+"\n" {
		t.Errorf("devices.ini %q", data)
	}

	conflict := "[rutoken]\nlibrary = /opt/elsewhere/librtpkcs11ecp.so\n"
	if err := os.WriteFile(h.ini, []byte(conflict), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := h.run(h.step.Apply)
	if err == nil || !strings.Contains(out, "another library") || !strings.Contains(out, "library = "+h.lib) {
		t.Errorf("a [rutoken] section with another library: %v\n%s", err, out)
	}
	if data, _ := os.ReadFile(h.ini); string(data) != conflict {
		t.Errorf("the administrator's section was changed: %q", data)
	}
	if _, err := h.run(h.step.Check); err == nil {
		t.Error("the check passes with another library in the section")
	}
}
