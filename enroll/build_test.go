package enroll

import (
	"encoding/json"
	"encoding/pem"
	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestBuildWritesPackageAndManifest(t *testing.T) {
	parent := t.TempDir()
	in := testInput(t)
	p, err := Build(parent, in)
	if err != nil {
		t.Fatal(err)
	}
	if p.Dir != filepath.Join(parent, p.Manifest.ID) {
		t.Fatalf("dir %s, id %s", p.Dir, p.Manifest.ID)
	}
	if !strings.HasPrefix(p.Manifest.ID[9:], "GOV-70000001-SS1-") || len(p.Manifest.ID) != len("20261122-GOV-70000001-SS1-3f2a") {
		t.Errorf("id %q", p.Manifest.ID)
	}
	// Only the package is left in parent: no temporary folder.
	ents, _ := os.ReadDir(parent)
	if len(ents) != 1 {
		t.Fatalf("parent holds %d entries", len(ents))
	}
	var names []string
	ents, _ = os.ReadDir(p.Dir)
	for _, e := range ents {
		names = append(names, e.Name())
	}
	want := []string{"auth.csr.der", "auth.csr.pem", "manifest.json", "participant.json", "readiness.html", "readiness.json", "sign.csr.der", "sign.csr.pem"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("files %v, want %v", names, want)
	}
	// The manifest on disk lists every other file with its real hash.
	var m Manifest
	data, _ := os.ReadFile(filepath.Join(p.Dir, "manifest.json"))
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if m.Schema != "tunduk-onboard.enrollment/v1" || len(m.Files) != len(want)-1 {
		t.Fatalf("manifest %+v", m)
	}
	roles := map[string]string{}
	for _, f := range m.Files {
		b, err := os.ReadFile(filepath.Join(p.Dir, f.Name))
		if err != nil {
			t.Fatal(err)
		}
		if sha256Hex(b) != f.SHA256 || int64(len(b)) != f.Size {
			t.Errorf("%s: manifest %s/%d, file %s/%d", f.Name, f.SHA256, f.Size, sha256Hex(b), len(b))
		}
		roles[f.Name] = f.Role
	}
	if roles["auth.csr.der"] != RoleCSRDER || roles["sign.csr.pem"] != RoleCSRPEM || roles["participant.json"] != RoleParticipant {
		t.Errorf("roles %v", roles)
	}
	// DER and PEM hold the same CSR as given.
	der, _ := os.ReadFile(filepath.Join(p.Dir, "sign.csr.der"))
	pemData, _ := os.ReadFile(filepath.Join(p.Dir, "sign.csr.pem"))
	blk, _ := pem.Decode(pemData)
	if string(der) != string(in.CSRs[1].DER) || blk == nil || blk.Type != "CERTIFICATE REQUEST" || string(blk.Bytes) != string(der) {
		t.Error("sign CSR differs between input, DER and PEM")
	}
	// Open agrees, and participant.json says which CSR is which.
	q, err := Open(p.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if q.Manifest.ID != p.Manifest.ID || q.Manifest.Participant.Name != orgName {
		t.Errorf("opened %+v", q.Manifest)
	}
	part, csrs, lang, err := q.Info()
	if err != nil || part.Name != orgName || lang != "ky" || len(csrs) != 2 ||
		csrs[0].Usage != UsageAuth || csrs[1].Source != "Rutoken 0a1b2c3d" {
		t.Errorf("info %+v %+v %q %v", part, csrs, lang, err)
	}
}

// The Cyrillic (and Kyrgyz) organisation name survives the manifest and
// participant.json byte for byte.
func TestBuildCyrillicNameRoundTrips(t *testing.T) {
	p := buildTest(t)
	q, err := Open(p.Dir)
	if err != nil {
		t.Fatal(err)
	}
	part, _, _, _ := q.Info()
	if q.Manifest.Participant.Name != orgName || part.Name != orgName {
		t.Fatalf("%q / %q", q.Manifest.Participant.Name, part.Name)
	}
	raw, _ := os.ReadFile(filepath.Join(p.Dir, "participant.json"))
	if !strings.Contains(string(raw), "Түндүк") {
		t.Errorf("participant.json does not hold the name as UTF-8: %s", raw)
	}
}

func TestOpenNamesTheChangedOrMissingFile(t *testing.T) {
	p := buildTest(t)
	f := filepath.Join(p.Dir, "auth.csr.pem")
	orig, _ := os.ReadFile(f)
	// One byte changed, same size.
	bad := append([]byte(nil), orig...)
	bad[len(bad)/2] ^= 1
	os.WriteFile(f, bad, 0o644)
	_, err := Open(p.Dir)
	if errKey(err) != "enroll.err.file_changed" || err.(*Error).Data["File"] != "auth.csr.pem" {
		t.Fatalf("changed file: %v", err)
	}
	os.WriteFile(f, orig, 0o644)
	if _, err := Open(p.Dir); err != nil {
		t.Fatalf("restored: %v", err)
	}
	os.Remove(filepath.Join(p.Dir, "readiness.json"))
	_, err = Open(p.Dir)
	if errKey(err) != "enroll.err.file_missing" || err.(*Error).Data["File"] != "readiness.json" {
		t.Fatalf("missing file: %v", err)
	}
	// A manifest that points outside the package is refused, not followed.
	data, _ := os.ReadFile(filepath.Join(p.Dir, "manifest.json"))
	os.WriteFile(filepath.Join(p.Dir, "manifest.json"), []byte(strings.Replace(string(data), `"name": "participant.json"`, `"name": "../participant.json"`, 1)), 0o644)
	if _, err := Open(p.Dir); errKey(err) != "enroll.err.manifest" {
		t.Fatalf("escaping name: %v", err)
	}
}

func TestBuildRefusesBadInputLeavingNothing(t *testing.T) {
	good := testInput(t)
	broken := append([]byte(nil), good.CSRs[0].DER...)
	broken[len(broken)-5] ^= 0xff // inside the signature: parses, does not verify
	cases := []struct {
		name string
		mod  func(in *Input)
		key  string
	}{
		{"broken signature", func(in *Input) { in.CSRs[0].DER = broken }, "enroll.err.csr_signature"},
		{"not a CSR", func(in *Input) { in.CSRs[1].DER = []byte("hello") }, "enroll.err.csr_parse"},
		{"two auth", func(in *Input) { in.CSRs[1].Usage = UsageAuth }, "enroll.err.csr_duplicate"},
		{"no CSR", func(in *Input) { in.CSRs = nil }, "enroll.err.csr_count"},
		{"same key twice", func(in *Input) { in.CSRs[1].DER = in.CSRs[0].DER }, "enroll.err.csr_same_key"},
		{"unknown usage", func(in *Input) { in.CSRs[1].Usage = "tls" }, "enroll.err.csr_usage"},
		{"empty member code", func(in *Input) { in.Participant.MemberCode = " " }, "enroll.err.participant_field"},
		{"empty address", func(in *Input) { in.Participant.ServerAddress = "" }, "enroll.err.participant_field"},
		{"report not JSON", func(in *Input) { in.ReportJSON = []byte("{") }, "enroll.err.report_json"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := good
			in.CSRs = append([]CSR(nil), good.CSRs...)
			c.mod(&in)
			parent := t.TempDir()
			_, err := Build(parent, in)
			if errKey(err) != c.key {
				t.Fatalf("err %v, want key %s", err, c.key)
			}
			ents, _ := os.ReadDir(parent)
			if len(ents) != 0 {
				t.Fatalf("parent holds %d entries after a refusal", len(ents))
			}
		})
	}
	// The broken CSR really is one that parses: the signature check, not
	// the parser, refused it.
	if _, err := parseOnly(broken); err != nil {
		t.Fatalf("broken CSR does not parse: %v", err)
	}
}

// A package with one CSR and no report is fine too.
func TestBuildOneCSRNoReport(t *testing.T) {
	in := testInput(t)
	in.CSRs = in.CSRs[:1]
	in.ReportJSON, in.ReportHTML = nil, nil
	p, err := Build(t.TempDir(), in)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range p.Manifest.Files {
		names = append(names, f.Name)
	}
	sort.Strings(names)
	if strings.Join(names, ",") != "auth.csr.der,auth.csr.pem,participant.json" {
		t.Fatalf("files %v", names)
	}
}

// TestOpenRefusesEndlessOrOversizedPackageFiles: a package whose file is
// /dev/zero, a FIFO nobody writes to or over readcap.PackageFile is
// refused at once, naming the file (and the limit), before memory grows.
func TestOpenRefusesEndlessOrOversizedPackageFiles(t *testing.T) {
	for _, tc := range []struct {
		name, key string
		make      func(path string) error
	}{
		{"dev zero", "enroll.err.file_not_regular", func(p string) error { return os.Symlink("/dev/zero", p) }},
		{"fifo", "enroll.err.file_not_regular", func(p string) error { return syscall.Mkfifo(p, 0o644) }},
		{"oversized", "enroll.err.file_too_large", func(p string) error {
			f, err := os.Create(p)
			if err != nil {
				return err
			}
			defer f.Close()
			return f.Truncate(readcap.PackageFile + 1)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := buildTest(t)
			f := filepath.Join(p.Dir, "readiness.json")
			os.Remove(f)
			if err := tc.make(f); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { _, err := Open(p.Dir); done <- err }()
			select {
			case err := <-done:
				if errKey(err) != tc.key || err.(*Error).Data["File"] != "readiness.json" {
					t.Fatalf("got %v, want %s naming readiness.json", err, tc.key)
				}
				if tc.key == "enroll.err.file_too_large" && err.(*Error).Data["MiB"] != int64(readcap.PackageFile>>20) {
					t.Fatalf("limit %v", err.(*Error).Data)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("Open still reading after 10 s")
			}
		})
	}
}
