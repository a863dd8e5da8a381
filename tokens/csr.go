package tokens

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/template"
	"unicode/utf8"

	"github.com/tunduk-onboard/tunduk-onboard/internal/atomicfile"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Participant is the organisation data the profile's subject and key label
// templates are filled with.
type Participant struct {
	MemberClass string // GOV or COM
	MemberCode  string // 8 digits assigned by the operator
	OrgName     string // the member's name, as registered (may be Cyrillic)
	ServerCode  string // security server code (Latin letters, digits, - and _)
	Instance    string // X-Road instance; the profile's when empty
}

// Attribute is one attribute of a subject: one RDN with one value.
type Attribute struct {
	Type  asn1.ObjectIdentifier
	Name  string // the short name as written in the profile (C, CN, serialNumber, or the dotted OID)
	Value string
}

// Subject is a distinguished name in the order it is encoded: the first
// attribute is the first RDN (the C=KG of the Tunduk profile). Go's
// pkix.Name reorders attributes, so the subject is kept as a list.
type Subject []Attribute

// knownTypes are the short names a profile may use; other types must be
// dotted OIDs. "SN" is deliberately absent: in X.520 it is surname
// (2.5.4.4), while people often mean serialNumber (2.5.4.5) by it.
var knownTypes = map[string]asn1.ObjectIdentifier{
	"c":            {2, 5, 4, 6},
	"o":            {2, 5, 4, 10},
	"ou":           {2, 5, 4, 11},
	"cn":           {2, 5, 4, 3},
	"l":            {2, 5, 4, 7},
	"st":           {2, 5, 4, 8},
	"serialnumber": {2, 5, 4, 5},
}

var (
	oidCountry      = asn1.ObjectIdentifier{2, 5, 4, 6}
	oidSerialNumber = asn1.ObjectIdentifier{2, 5, 4, 5}
)

// ParseAttributeType maps a profile's type (C, O, OU, CN, L, ST,
// serialNumber, any case, or a dotted OID such as 2.5.4.97) to its OID.
func ParseAttributeType(name string) (asn1.ObjectIdentifier, error) {
	if oid, ok := knownTypes[strings.ToLower(name)]; ok {
		return oid, nil
	}
	if strings.EqualFold(name, "SN") {
		return nil, errors.New(`"SN" is ambiguous (surname 2.5.4.4 in X.520, often meant as serialNumber 2.5.4.5): write serialNumber or the dotted OID`)
	}
	parts := strings.Split(name, ".")
	if len(parts) < 2 {
		return nil, fmt.Errorf("unknown attribute type %q: use C, O, OU, CN, L, ST, serialNumber or a dotted OID", name)
	}
	oid := make(asn1.ObjectIdentifier, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || p == "" || (len(p) > 1 && p[0] == '0') {
			return nil, fmt.Errorf("attribute type %q is not a dotted OID", name)
		}
		oid[i] = n
	}
	if oid[0] > 2 || (oid[0] < 2 && oid[1] > 39) {
		return nil, fmt.Errorf("attribute type %q is not a valid OID", name)
	}
	return oid, nil
}

// SignSubject fills the profile's signing-certificate subject template
// (csr.sign_subject) with the participant's data, keeping its order.
// A value that renders empty is an error naming the field.
func SignSubject(p *profile.Profile, who Participant) (Subject, error) {
	if p == nil {
		return nil, errors.New("csr subject: no profile")
	}
	if who.Instance == "" {
		who.Instance = p.XRoad.Instance
	}
	if len(p.CSR.SignSubject) == 0 {
		return nil, errors.New("csr subject: the profile's csr.sign_subject is empty")
	}
	var s Subject
	for i, f := range p.CSR.SignSubject {
		field := fmt.Sprintf("csr.sign_subject[%d] (%s)", i, f.Type)
		oid, err := ParseAttributeType(f.Type)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", field, err)
		}
		t, err := template.New(field).Option("missingkey=error").Parse(f.Value)
		if err != nil {
			return nil, fmt.Errorf("%s: template %q: %w", field, f.Value, err)
		}
		var b strings.Builder
		if err := t.Execute(&b, who); err != nil {
			return nil, fmt.Errorf("%s: template %q: %w", field, f.Value, err)
		}
		v := strings.TrimSpace(b.String())
		if v == "" {
			return nil, fmt.Errorf("%s: the value %q is empty for this organisation (fill in the data it names)", field, f.Value)
		}
		a := Attribute{Type: oid, Name: f.Type, Value: v}
		if err := a.check(); err != nil {
			return nil, fmt.Errorf("%s: %w", field, err)
		}
		s = append(s, a)
	}
	return s, nil
}

func (a Attribute) check() error {
	if !utf8.ValidString(a.Value) {
		return fmt.Errorf("value %q is not valid UTF-8", a.Value)
	}
	for _, r := range a.Value {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return fmt.Errorf("value %q holds a control character", a.Value)
		}
	}
	switch {
	case a.Type.Equal(oidCountry):
		if len(a.Value) != 2 || !isPrintable(a.Value) || strings.ToUpper(a.Value) != a.Value {
			return fmt.Errorf("country %q must be a two-letter ISO 3166 code such as KG", a.Value)
		}
	case a.Type.Equal(oidSerialNumber):
		if !isPrintable(a.Value) {
			return fmt.Errorf("serialNumber %q must use Latin letters, digits and simple punctuation (PrintableString)", a.Value)
		}
	}
	if n := utf8.RuneCountInString(a.Value); n > 64 && !isDotted(a.Name) {
		return fmt.Errorf("value %q has %d characters; X.520 allows at most 64 for this attribute", a.Value, n)
	}
	return nil
}

func isDotted(name string) bool { return strings.Contains(name, ".") }

// isPrintable reports whether s fits ASN.1 PrintableString: A-Z a-z 0-9
// space ' ( ) + , - . / : = ?
func isPrintable(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte(" '()+,-./:=?", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// DER encodes the subject as an RDNSequence, one attribute per RDN, in
// order. Values that fit PrintableString are encoded as PrintableString
// (C and serialNumber must), all others (Cyrillic names, '&', '@') as
// UTF8String. Go's encoder would pick IA5String for ASCII such as '&',
// which a CA may refuse in a name, hence the explicit tags here.
func (s Subject) DER() ([]byte, error) {
	if len(s) == 0 {
		return nil, errors.New("empty subject")
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, a := range s {
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(a.Type)
					tag := cbasn1.UTF8String
					if isPrintable(a.Value) {
						tag = cbasn1.PrintableString
					}
					b.AddASN1(tag, func(b *cryptobyte.Builder) { b.AddBytes([]byte(a.Value)) })
				})
			})
		}
	})
	return b.Bytes()
}

// String returns the subject as RFC 2253 writes it (last RDN first).
func (s Subject) String() string {
	der, err := s.DER()
	if err != nil {
		return ""
	}
	return rdnString(der)
}

func rdnString(der []byte) string {
	var seq pkix.RDNSequence
	if rest, err := asn1.Unmarshal(der, &seq); err != nil || len(rest) > 0 {
		return ""
	}
	return seq.String()
}

// CSR is a PKCS#10 certificate signing request, with what a person checks
// before sending it to the certification authority.
type CSR struct {
	DER             []byte `json:"-"`
	Subject         string `json:"subject"`           // RFC 2253
	KeyBits         int    `json:"key_bits"`          // RSA modulus size
	PublicKeySHA256 string `json:"public_key_sha256"` // hex, over the SubjectPublicKeyInfo DER
}

// CreateCSR signs a request for subject with signer (SHA256withRSA), and
// verifies the signature before returning it: a token that signed wrongly
// must not produce a request the CA rejects days later.
func CreateCSR(signer crypto.Signer, subject Subject) (*CSR, error) {
	if signer == nil {
		return nil, errors.New("csr: no signer")
	}
	pub, ok := signer.Public().(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("csr: the key is %T, X-Road signing keys must be RSA", signer.Public())
	}
	raw, err := subject.DER()
	if err != nil {
		return nil, fmt.Errorf("csr subject: %w", err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{
		RawSubject:         raw,
		SignatureAlgorithm: x509.SHA256WithRSA,
	}, signer)
	if err != nil {
		return nil, fmt.Errorf("csr: signing: %w", err)
	}
	req, err := x509.ParseCertificateRequest(der)
	if err != nil {
		return nil, fmt.Errorf("csr: %w", err)
	}
	if err := req.CheckSignature(); err != nil {
		return nil, fmt.Errorf("csr: the token's signature does not verify: %w", err)
	}
	sum := sha256.Sum256(req.RawSubjectPublicKeyInfo)
	return &CSR{
		DER:             der,
		Subject:         rdnString(req.RawSubject),
		KeyBits:         pub.N.BitLen(),
		PublicKeySHA256: hex.EncodeToString(sum[:]),
	}, nil
}

// PEM returns the request as a PEM "CERTIFICATE REQUEST" block.
func (c *CSR) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: c.DER})
}

// WriteFiles writes dir/base.pem and dir/base.der (mode 0644). Each file
// is written to a temporary name and renamed into place; when either
// fails, nothing this call wrote is left behind.
func (c *CSR) WriteFiles(dir, base string) (pemPath, derPath string, err error) {
	if base == "" || base != filepath.Base(base) || base == "." || base == ".." {
		return "", "", fmt.Errorf("csr: file name %q must be a plain name", base)
	}
	if len(c.DER) == 0 {
		return "", "", errors.New("csr: empty request")
	}
	pemPath = filepath.Join(dir, base+".pem")
	derPath = filepath.Join(dir, base+".der")
	if err := writeAtomic(pemPath, c.PEM()); err != nil {
		return "", "", err
	}
	if err := writeAtomic(derPath, c.DER); err != nil {
		os.Remove(pemPath)
		return "", "", err
	}
	return pemPath, derPath, nil
}

// writeAtomic writes a CSR file whole or not at all (CSRs are public: 0644).
func writeAtomic(path string, data []byte) error {
	if err := atomicfile.Write(path, data, 0o644); err != nil {
		return fmt.Errorf("csr: writing %s: %w", path, err)
	}
	return nil
}
