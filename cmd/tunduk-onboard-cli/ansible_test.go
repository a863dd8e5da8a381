package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v3"
)

// TestAnsibleExportFleet: a --hosts file's fields become each server's
// inventory variables, the flags fill what a line leaves out, and each
// server gets its own plan (its address in its firewall and TLS steps);
// a line with an unknown field, and no --out, are refused in the user's
// language and write nothing.
func TestAnsibleExportFleet(t *testing.T) {
	tmp := t.TempDir()
	fake := filepath.Join(tmp, "cli")
	os.WriteFile(fake, []byte("#!/bin/sh\n"), 0o755)
	hosts := filepath.Join(tmp, "hosts")
	os.WriteFile(hosts, []byte("# the fleet\nops@10.7.0.1 member=11111111 server=SS-1 hostname=ss1.example.kg\nops@ss2.example.kg:2222 address=10.7.0.2 server=SS-2 # second\n"), 0o600)
	out := filepath.Join(tmp, "fleet")
	code, stdout, errOut := cli(t, "", "ansible", "export", "--out", out, "--hosts", hosts, "--member-code", "22222222", "--cli", fake, "--lang", "en")
	if code != exitOK || strings.TrimSpace(stdout) != out {
		t.Fatalf("exit %d: %s %s", code, stdout, errOut)
	}
	var inv struct {
		All struct {
			Children map[string]struct {
				Hosts map[string]map[string]any
			}
		}
	}
	b, _ := os.ReadFile(filepath.Join(out, "hosts.yml"))
	if err := yaml.Unmarshal(b, &inv); err != nil {
		t.Fatal(err)
	}
	got := inv.All.Children["tunduk_security_servers"].Hosts
	want := map[string]map[string]any{
		"ss1.example.kg": {"ansible_host": "10.7.0.1", "ansible_port": 22, "ansible_user": "ops", "tunduk_member_code": "11111111",
			"tunduk_server_code": "SS-1", "tunduk_hostname": "ss1.example.kg", "tunduk_address": "10.7.0.1"},
		"ss2.example.kg": {"ansible_host": "ss2.example.kg", "ansible_port": 2222, "ansible_user": "ops", "tunduk_member_code": "22222222",
			"tunduk_server_code": "SS-2", "tunduk_hostname": "ss2.example.kg", "tunduk_address": "10.7.0.2"},
	}
	for name, vars := range want {
		for k, v := range vars {
			if got[name][k] != v {
				t.Errorf("%s %s = %v, want %v", name, k, got[name][k], v)
			}
		}
	}
	hv, _ := os.ReadFile(filepath.Join(out, "host_vars", "ss2.example.kg.yml"))
	if !strings.Contains(string(hv), "IP:10.7.0.2,DNS:ss2.example.kg") || !strings.Contains(string(hv), "2222") {
		t.Error("the second server's plan is not its own")
	}

	os.WriteFile(hosts, []byte("ops@10.7.0.1 colour=blue\n"), 0o600)
	bad := filepath.Join(tmp, "bad")
	code, _, errOut = cli(t, "", "ansible", "export", "--out", bad, "--hosts", hosts, "--cli", fake, "--hostname", "x.example.kg", "--lang", "ru")
	if code != exitCannot || !strings.Contains(errOut, "colour=blue") || !strings.Contains(errOut, "исправьте строку") {
		t.Errorf("unknown field: exit %d: %s", code, errOut)
	}
	code, _, errOut = cli(t, "", "ansible", "export", "--ssh", "ops@10.7.0.1", "--hostname", "x.example.kg", "--cli", fake, "--lang", "en")
	if code != exitCannot || !strings.Contains(errOut, "--out DIR") {
		t.Errorf("no --out: exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(bad); err == nil {
		t.Error("a refused export wrote files")
	}
}
