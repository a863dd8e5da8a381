package tokens

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

const orgName = "Государственное агентство «Тест»"

var (
	keyOnce sync.Once
	testKey *rsa.PrivateKey
)

func rsaKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	keyOnce.Do(func() {
		var err error
		if testKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			t.Fatal(err)
		}
	})
	return testKey
}

func testProfile(t *testing.T) *profile.Profile {
	t.Helper()
	p, err := profile.Default()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var who = Participant{MemberClass: "GOV", MemberCode: "70000001", OrgName: orgName, ServerCode: "ss-01"}

type rdn struct {
	oid asn1.ObjectIdentifier
	tag cbasn1.Tag
	val string
}

// parseRDNs walks an RDNSequence and returns each attribute with the
// string tag it was encoded with.
func parseRDNs(t *testing.T, der []byte) []rdn {
	t.Helper()
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
		t.Fatal("subject is not one SEQUENCE")
	}
	var out []rdn
	for !seq.Empty() {
		var set, atv cryptobyte.String
		if !seq.ReadASN1(&set, cbasn1.SET) || !set.ReadASN1(&atv, cbasn1.SEQUENCE) || !set.Empty() {
			t.Fatal("RDN is not a SET of one SEQUENCE")
		}
		var r rdn
		var val cryptobyte.String
		if !atv.ReadASN1ObjectIdentifier(&r.oid) || !atv.ReadAnyASN1(&val, &r.tag) || !atv.Empty() {
			t.Fatal("bad AttributeTypeAndValue")
		}
		r.val = string(val)
		out = append(out, r)
	}
	return out
}

func TestSignSubjectOrderAndEncoding(t *testing.T) {
	s, err := SignSubject(testProfile(t), who)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := CreateCSR(rsaKey(t), s)
	if err != nil {
		t.Fatal(err)
	}
	req, err := x509.ParseCertificateRequest(csr.DER)
	if err != nil {
		t.Fatal(err)
	}
	if err := req.CheckSignature(); err != nil {
		t.Fatalf("signature: %v", err)
	}
	if req.SignatureAlgorithm != x509.SHA256WithRSA {
		t.Errorf("algorithm %v", req.SignatureAlgorithm)
	}
	got := parseRDNs(t, req.RawSubject)
	want := []rdn{
		{asn1.ObjectIdentifier{2, 5, 4, 6}, cbasn1.PrintableString, "KG"},
		{asn1.ObjectIdentifier{2, 5, 4, 5}, cbasn1.PrintableString, "70000001"},
		{asn1.ObjectIdentifier{2, 5, 4, 3}, cbasn1.UTF8String, orgName},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d RDNs, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if !got[i].oid.Equal(want[i].oid) || got[i].tag != want[i].tag || got[i].val != want[i].val {
			t.Errorf("RDN %d = %v tag %d %q, want %v tag %d %q", i, got[i].oid, got[i].tag, got[i].val, want[i].oid, want[i].tag, want[i].val)
		}
	}
	if want := "CN=" + orgName + ",SERIALNUMBER=70000001,C=KG"; csr.Subject != want {
		t.Errorf("Subject = %q, want %q", csr.Subject, want)
	}
	if csr.KeyBits != 2048 {
		t.Errorf("KeyBits %d", csr.KeyBits)
	}
	spki, _ := x509.MarshalPKIXPublicKey(&rsaKey(t).PublicKey)
	sum := sha256.Sum256(spki)
	if csr.PublicKeySHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("PublicKeySHA256 %s", csr.PublicKeySHA256)
	}
}

func TestSignSubjectTemplates(t *testing.T) {
	p := testProfile(t)
	p.CSR.SignSubject = []profile.SubjectField{
		{Type: "cn", Value: "{{.ServerCode}}"},
		{Type: "O", Value: "Smith & Sons"},
		{Type: "OU", Value: "{{.MemberClass}}/{{.Instance}}"},
		{Type: "2.5.4.97", Value: "NTRKG-{{.MemberCode}}"},
		{Type: "C", Value: "KG"},
	}
	s, err := SignSubject(p, who)
	if err != nil {
		t.Fatal(err)
	}
	der, err := s.DER()
	if err != nil {
		t.Fatal(err)
	}
	got := parseRDNs(t, der)
	vals := []string{"ss-01", "Smith & Sons", "GOV/central-server", "NTRKG-70000001", "KG"}
	tags := []cbasn1.Tag{cbasn1.PrintableString, cbasn1.UTF8String, cbasn1.PrintableString, cbasn1.PrintableString, cbasn1.PrintableString}
	for i := range vals {
		if got[i].val != vals[i] || got[i].tag != tags[i] {
			t.Errorf("RDN %d: %q tag %d, want %q tag %d", i, got[i].val, got[i].tag, vals[i], tags[i])
		}
	}
	if !got[3].oid.Equal(asn1.ObjectIdentifier{2, 5, 4, 97}) {
		t.Errorf("dotted OID: %v", got[3].oid)
	}
}

func TestSignSubjectErrors(t *testing.T) {
	cases := []struct {
		field profile.SubjectField
		who   Participant
		want  string
	}{
		{profile.SubjectField{Type: "serialNumber", Value: "{{.MemberCode}}"}, Participant{OrgName: "x"}, "csr.sign_subject[0] (serialNumber)"},
		{profile.SubjectField{Type: "SN", Value: "x"}, who, "ambiguous"},
		{profile.SubjectField{Type: "E", Value: "x"}, who, "unknown attribute type"},
		{profile.SubjectField{Type: "1.x.3", Value: "x"}, who, "not a dotted OID"},
		{profile.SubjectField{Type: "C", Value: "Kyrgyzstan"}, who, "two-letter"},
		{profile.SubjectField{Type: "serialNumber", Value: "№1"}, who, "PrintableString"},
		{profile.SubjectField{Type: "CN", Value: "{{.Nope}}"}, who, "Nope"},
		{profile.SubjectField{Type: "CN", Value: "a\nb"}, who, "control character"},
		{profile.SubjectField{Type: "CN", Value: strings.Repeat("я", 65)}, who, "at most 64"},
	}
	for _, c := range cases {
		p := testProfile(t)
		p.CSR.SignSubject = []profile.SubjectField{c.field}
		_, err := SignSubject(p, c.who)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err %v, want it to mention %q", c.field, err, c.want)
		}
	}
}

func TestCSRFilesAndOpenSSL(t *testing.T) {
	s, err := SignSubject(testProfile(t), who)
	if err != nil {
		t.Fatal(err)
	}
	csr, err := CreateCSR(rsaKey(t), s)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pemPath, derPath, err := csr.WriteFiles(dir, "ss-01-sign")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{pemPath, derPath} {
		st, err := os.Stat(f)
		if err != nil || st.Mode().Perm() != 0o644 {
			t.Errorf("%s: %v %v", f, err, st)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 2 {
		t.Errorf("left behind: %v", ents)
	}
	data, _ := os.ReadFile(pemPath)
	if b, _ := pem.Decode(data); b == nil || b.Type != "CERTIFICATE REQUEST" || string(b.Bytes) != string(csr.DER) {
		t.Error("PEM does not hold the DER")
	}
	if der, _ := os.ReadFile(derPath); string(der) != string(csr.DER) {
		t.Error("DER file differs")
	}
	if _, _, err := csr.WriteFiles(dir, "../x"); err == nil {
		t.Error("a path as base name was accepted")
	}
	if _, _, err := csr.WriteFiles(filepath.Join(dir, "missing"), "x"); err == nil {
		t.Error("missing folder accepted")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 2 {
		t.Errorf("failed writes left files: %v", ents)
	}
	opensslVerify(t, pemPath, "C=KG,serialNumber=70000001,CN="+orgName)
}

// opensslVerify runs openssl req -verify on a PEM request and compares
// its subject (in encoding order) with want.
func opensslVerify(t *testing.T, pemPath, want string) {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	out, err := exec.Command("openssl", "req", "-in", pemPath, "-noout", "-verify").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "verify OK") {
		t.Fatalf("openssl req -verify: %v\n%s", err, out)
	}
	out, err = exec.Command("openssl", "req", "-in", pemPath, "-noout", "-subject", "-nameopt", "utf8,sep_comma_plus").CombinedOutput()
	if err != nil {
		t.Fatalf("openssl req -subject: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(out)), "subject=")); got != want {
		t.Errorf("openssl subject %q, want %q", got, want)
	}
}
