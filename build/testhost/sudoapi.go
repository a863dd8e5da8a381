package testhost

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// Where a test run again as a sudo user finds the admin API (not secrets:
// the password travels on standard input only).
const (
	envSudoAPIAddr = "TUNDUK_TEST_API_ADDR"
	envSudoAPICert = "TUNDUK_TEST_API_CERT"
)

// RunAsSudoUserWithAPI is the parent side of a test that reads the admin
// API as a user who is not root and whose sudo asks for a password: it
// makes such a user (SudoUser), keeps a copy of the API's certificate at
// certPath from that user as X-Road keeps it (RootOnlyFile), runs the
// test named test again as the user (RunTestAs, the password on stdin),
// and fails unless that run passed and never printed the password. The
// run reads its side with SudoAPIChild.
func RunAsSudoUserWithAPI(t testing.TB, test, addr, certPath string) {
	t.Helper()
	name, pw := SudoUser(t)
	pemBytes, err := os.ReadFile(certPath)
	if err != nil {
		t.Fatal(err)
	}
	cert := RootOnlyFile(t, "proxy-ui-api.crt", pemBytes)
	out, err := RunTestAs(t, name, test, []string{envSudoAPIAddr + "=" + addr, envSudoAPICert + "=" + cert}, pw+"\n")
	if err != nil || !strings.Contains(out, "--- PASS: "+test) {
		t.Fatalf("as %s: %v\n%s", name, err, out)
	}
	if strings.Contains(out, pw) {
		t.Fatal("the sudo password appears in the output")
	}
}

// SudoAPIChild is the side of a test run by RunAsSudoUserWithAPI: the
// sudo password from standard input, and the admin API's address and
// root-only certificate path.
func SudoAPIChild(t testing.TB) (password, addr, certPath string) {
	t.Helper()
	pw, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(pw, "\n"), os.Getenv(envSudoAPIAddr), os.Getenv(envSudoAPICert)
}
