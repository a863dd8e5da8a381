//go:build cgo

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A profile that keeps the signing key at the server refuses a CSR made
// at this computer (csr sign, token prepare) before any token or PIN is
// touched, and says where to make it.
func TestTokenCSRRefusedWhereTheProfileForbidsIt(t *testing.T) {
	good, err := os.ReadFile("../../assets/profiles/tunduk.json")
	if err != nil {
		t.Fatal(err)
	}
	serverOnly := filepath.Join(t.TempDir(), "server-only.json")
	data := strings.Replace(string(good), `"placements": ["usb_token", "server_hw_token", "server_soft_token"]`, `"placements": ["server_hw_token", "server_soft_token"]`, 1)
	data = strings.Replace(data, `"default": "usb_token"`, `"default": "server_soft_token"`, 1)
	os.WriteFile(serverOnly, []byte(data), 0o644)
	ids := []string{"--member-code", "70000001", "--org-name", "X", "--member-class", "GOV", "--server-code", "ss", "--profile", serverOnly,
		"--module", "/nonexistent/lib.so", "--lang", "ru"}
	for _, verb := range [][]string{{"csr", "sign", "--id", "01"}, {"token", "prepare", "--token", "x", "--label", "x"}} {
		var out, errb bytes.Buffer
		code := run(append(verb, ids...), strings.NewReader(""), &out, &errb)
		if code != exitCannot || !strings.Contains(errb.String(), "Профиль оператора не разрешает ключ подписи на токене") || strings.Contains(errb.String(), "nonexistent") {
			t.Errorf("%v: exit %d %q", verb, code, errb.String())
		}
	}
}
