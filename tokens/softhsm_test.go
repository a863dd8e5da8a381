package tokens

import (
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// The SoftHSM2 module reads its config once per process (one PKCS#11
// context per module per process), so the whole package shares one
// SOFTHSM2_CONF set here; every test makes its own tokens by label.

const softhsmPath = "/usr/lib/softhsm/libsofthsm2.so"

const (
	testSOPIN   = "so-pin-4711"
	testUserPIN = "user-pin-0815"
)

var softhsmDir string

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "tokens-softhsm-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	tokdir := filepath.Join(dir, "tokens")
	if err := os.Mkdir(tokdir, 0o700); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	text := "directories.tokendir = " + tokdir + "\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n"
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	os.Setenv("SOFTHSM2_CONF", conf)
	softhsmDir = dir
	return m.Run()
}

// softhsm returns the shared SoftHSM2 module, skipping when it is not installed.
func softhsm(t testing.TB) *Module {
	t.Helper()
	if _, err := os.Stat(softhsmPath); err != nil {
		t.Skipf("SoftHSM2 not installed (%s): apt-get install softhsm2", softhsmPath)
	}
	m, err := OpenModule(softhsmPath)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

var labelSeq atomic.Int64

// uniqueLabel makes a token label unique in this process.
func uniqueLabel(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, labelSeq.Add(1))
}

// freeToken returns the uninitialised spare token SoftHSM2 always offers.
func freeToken(t testing.TB, m *Module) TokenInfo {
	t.Helper()
	toks, err := m.Tokens()
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range toks {
		if !tok.Initialized {
			return tok
		}
	}
	t.Fatalf("no uninitialised SoftHSM slot among %v", toks)
	return TokenInfo{}
}

// newToken initialises a fresh token labelled label with the test PINs.
func newToken(t testing.TB, m *Module, label string) TokenInfo {
	t.Helper()
	tok, err := m.InitToken(freeToken(t, m), testSOPIN, label, testUserPIN, "", nil)
	if err != nil {
		t.Fatalf("InitToken %s: %v", label, err)
	}
	return tok
}
