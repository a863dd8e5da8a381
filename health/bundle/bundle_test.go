package bundle

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func pemKey(t *testing.T, typ string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

// TestBundleHoldsNoSecret: every kind of secret the bundle must catch is
// put into the inputs; the archive is opened and every byte of it
// searched; the manifest's sizes and hashes are checked against it.
func TestBundleHoldsNoSecret(t *testing.T) {
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalECPrivateKey(ek)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(rk)
	rsaPEM := pemKey(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rk))
	ecPEM := pemKey(t, "EC PRIVATE KEY", ecDER)
	p8PEM := pemKey(t, "PRIVATE KEY", pkcs8)

	const (
		pin      = "4711-0815"
		smtpPass = "Sm7p-pa55word!"
		kvPass   = "hunter2-kv-secret"
		jsonPass = "json-pass-s3cret"
		bearer   = "eyJhbGciOiJIUzI1NiJ9.bearer-secret"
		apiKey   = "9f1c3e7a-1b2c-4d5e-8f90-api-key-secret"
		botToken = "7012345678:AAF-secretBotTokenValue_0123456789abcd"
		soPin    = "so-pin-value-77"
	)
	secrets := []string{pin, smtpPass, kvPass, jsonPass, bearer, apiKey, botToken, soPin}
	// The caller knows these; the others the patterns must find.
	known := []string{pin, smtpPass, soPin, "12"}

	logDir := t.TempDir()
	os.WriteFile(filepath.Join(logDir, "tunduk-onboard-cli-20261201-100000-1.log"), []byte(
		"level=info msg=\"sending\" url=https://api.telegram.org/bot"+botToken+"/sendMessage\n"+
			"level=debug msg=\"smtp\" password="+kvPass+" user=ops\n"+
			"level=info msg=\"token login\" pin entered: "+pin+"\n"), 0o600)
	// A log larger than MaxFile whose kept end starts inside a key: the
	// key's second half, its END line, then MaxFile-len/2 bytes of log.
	after := strings.Repeat("level=info msg=filler\n", MaxFile/22+1)[:MaxFile-len(p8PEM)/2]
	big := strings.Repeat("level=info msg=before\n", 10) + p8PEM + after
	os.WriteFile(filepath.Join(logDir, "tunduk-onboard-20261202-100000-2.log"), []byte(big), 0o600)
	os.WriteFile(filepath.Join(logDir, "not-a-log.txt"), []byte(pin), 0o600)

	in := Input{
		Readiness: []byte(`{"schema":"tunduk-onboard.check/v1","smtp":{"password": "` + jsonPass + `"},"host":"ss1"}`),
		Health:    []byte(`{"schema":"tunduk-onboard.health/v1","host":"ss1","note":"SO PIN ` + soPin + `"}`),
		Journal:   []byte(`{"steps":[{"cmd":"curl -H 'X-Road-ApiKey token=` + apiKey + `' https://localhost:4000/api/v1/tokens"}, {"smtp":"` + smtpPass + `"}]}`),
		Versions:  map[string]string{"tunduk-onboard": "0.9.0", "xroad": "7.4.2"},
		LogDir:    logDir,
		ServiceLogs: map[string][]byte{
			"xroad-proxy.log":  []byte("2026-12-02 INFO request\nAuthorization: Bearer " + bearer + "\nnext line\n"),
			"xroad-signer.log": []byte("loading key\n" + rsaPEM + "and\n" + ecPEM + "done\n"),
			"../../etc/passwd": []byte("root:x:0:0\n"),
		},
		Secrets: known,
		Now:     time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC),
	}
	out := filepath.Join(t.TempDir(), "support.tar.gz")
	m, err := Write(out, in)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(out); st.Mode().Perm() != 0o600 {
		t.Errorf("bundle mode %v, want 0600", st.Mode())
	}

	files, raw := openBundle(t, out)
	// Nothing of a secret anywhere in the archive, headers included.
	var keyLines []string
	for _, k := range []string{rsaPEM, ecPEM, p8PEM} {
		for _, l := range strings.Split(k, "\n") {
			if len(l) >= 40 && !strings.HasPrefix(l, "-----") {
				keyLines = append(keyLines, l)
			}
		}
	}
	for _, s := range append(secrets, keyLines...) {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("the bundle holds a secret: %.30q", s)
		}
	}
	if bytes.Contains(raw, []byte("PRIVATE KEY-----\nMI")) {
		t.Error("a private key's body is in the bundle")
	}

	// The manifest: every file listed, sizes and hashes true.
	var got Manifest
	if err := json.Unmarshal(files[ManifestName], &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Files) != len(m.Files) || len(got.Redactions) != len(m.Redactions) {
		t.Errorf("the manifest returned differs from the one in the archive")
	}
	if len(got.Files) != len(files)-1 {
		t.Errorf("manifest lists %d files, the archive holds %d besides it", len(got.Files), len(files)-1)
	}
	for _, f := range got.Files {
		data, ok := files[f.Name]
		sum := sha256.Sum256(data)
		if !ok || f.Size != len(data) || f.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("manifest entry %+v does not match the archive (present %v, size %d)", f, ok, len(data))
		}
	}
	for _, want := range []string{"readiness-report.json", "health-report.json", "install-journal.json", "versions.json",
		"logs/tunduk-onboard-cli-20261201-100000-1.log", "logs/tunduk-onboard-20261202-100000-2.log",
		"xroad-logs/xroad-proxy.log", "xroad-logs/xroad-signer.log", "xroad-logs/passwd"} {
		if _, ok := files[want]; !ok {
			t.Errorf("%s missing from the bundle", want)
		}
	}
	if _, ok := files["logs/not-a-log.txt"]; ok {
		t.Error("a file that is not a log was taken")
	}
	// Each kind found where it was, by file and line.
	kinds := map[string]bool{}
	for _, r := range got.Redactions {
		kinds[r.File+" "+r.Kind] = true
	}
	for _, want := range []string{
		"logs/tunduk-onboard-cli-20261201-100000-1.log telegram_token",
		"logs/tunduk-onboard-cli-20261201-100000-1.log password",
		"logs/tunduk-onboard-cli-20261201-100000-1.log known_secret",
		"logs/tunduk-onboard-20261202-100000-2.log pem_private_key",
		"readiness-report.json password",
		"health-report.json known_secret",
		"install-journal.json xroad_api_key",
		"install-journal.json known_secret",
		"xroad-logs/xroad-proxy.log authorization",
		"xroad-logs/xroad-signer.log pem_private_key",
	} {
		if !kinds[want] {
			t.Errorf("no redaction %q in %v", want, got.Redactions)
		}
	}
	if !strings.Contains(string(files["xroad-logs/xroad-proxy.log"]), "Authorization: [REDACTED:authorization]\nnext line") {
		t.Errorf("proxy log: %q", files["xroad-logs/xroad-proxy.log"])
	}
	for _, r := range got.Redactions {
		if r.File == "xroad-logs/xroad-proxy.log" && r.Line != 2 {
			t.Errorf("authorization on line %d, want 2", r.Line)
		}
	}
	if len(got.Notes) != 1 || !strings.Contains(got.Notes[0], "2 characters") {
		t.Errorf("notes %q: the too-short secret must be told", got.Notes)
	}
	var cut bool
	for _, f := range got.Files {
		cut = cut || f.Name == "logs/tunduk-onboard-20261202-100000-2.log" && f.Cut
	}
	if !cut {
		t.Error("the large log was not marked cut")
	}
	if ents, _ := os.ReadDir(filepath.Dir(out)); len(ents) != 1 {
		t.Errorf("files beside the bundle: %v", ents)
	}
}

// openBundle returns each file of the archive (without its folder) and
// the whole uncompressed tar stream.
func openBundle(t *testing.T, path string) (map[string][]byte, []byte) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(gz)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	tr := tar.NewReader(bytes.NewReader(raw))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		dir, name, _ := strings.Cut(h.Name, "/")
		if dir != "tunduk-support-20261202-120000" || strings.Contains(name, "..") {
			t.Errorf("entry %q outside the bundle's folder", h.Name)
		}
		files[name], _ = io.ReadAll(tr)
	}
	return files, raw
}

func TestRedactLeavesOrdinaryText(t *testing.T) {
	in := "level=info msg=\"pin accepted\" tries_left=3 password_policy ok\nhost=ss1 port=4000\n"
	got, red := redact("x", []byte(in), []string{"ss"})
	if string(got) != in || len(red) != 0 {
		t.Errorf("ordinary text changed: %q %v", got, red)
	}
}
