//go:build cgo

package main

import (
	"encoding/hex"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/sirupsen/logrus"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
	"github.com/tunduk-onboard/tunduk-onboard/tokens"
)

func runCSR(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "sign" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			csrUsage(stdout, langOf(args))
			return nil
		}
		if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
			lang := langOf(args)
			return unknownVerb(stderr, lang, "csr", args[0], func(w io.Writer) { csrUsage(w, lang) })
		}
		csrUsage(stderr, langOf(args))
		return errUsage
	}
	c := &tokenCmd{stdout: stdout, stderr: stderr}
	defer c.done()
	return c.csrSign(args[1:], stdin)
}

// csrUsage is the help of csr, in lang.
func csrUsage(w io.Writer, lang string) {
	printUsage(w, lang, `tunduk-onboard-cli csr sign --id HEX --member-code M --org-name NAME
         --member-class GOV|COM --server-code C [--out DIR] [FLAGS]`, "cli.help.csr")
}

// csrJSON is the result of csr sign as --format json prints it.
type csrJSON struct {
	Subject         string                `json:"subject"`
	KeyBits         int                   `json:"key_bits"`
	PublicKeySHA256 string                `json:"public_key_sha256"`
	KeyID           string                `json:"key_id"`
	TokenSerial     string                `json:"token_serial"`
	PEM             string                `json:"pem_file"`
	DER             string                `json:"der_file"`
	DevicesINI      string                `json:"devices_ini"`
	Handover        []tokens.HandoverStep `json:"handover"`
}

// csrOpts are the csr sign flags that token prepare takes too: the
// organisation's data and where the files go.
type csrOpts struct {
	who                     tokens.Participant
	outDir, name, serverLib string
}

func (o *csrOpts) register(fs *flag.FlagSet) {
	fs.StringVar(&o.who.MemberCode, "member-code", "", "the organisation's member `CODE` (8 digits)")
	fs.StringVar(&o.who.OrgName, "org-name", "", "the organisation's registered `NAME` (Cyrillic allowed)")
	fs.StringVar(&o.who.MemberClass, "member-class", "", "the organisation's member `CLASS` (e.g. GOV or COM)")
	fs.StringVar(&o.who.ServerCode, "server-code", "", "the security server's `CODE` (Latin letters, digits)")
	fs.StringVar(&o.outDir, "out", ".", "write the CSR files into `DIR`")
	fs.StringVar(&o.name, "name", "", "base `NAME` of the files (default: SERVERCODE-sign-csr)")
	fs.StringVar(&o.serverLib, "server-library", "", "the token library's `PATH` on the security server, for devices.ini (default: its vendor's, e.g. /usr/lib/librtpkcs11ecp.so)")
}

// subject checks the options against the profile, makes the output
// folder and returns the CSR subject: all before any PIN is asked, so a
// typo never costs a token operation.
func (o *csrOpts) subject(p *profile.Profile) (tokens.Subject, error) {
	o.who.Instance = p.XRoad.Instance
	if err := checkParticipant(p, o.who, true); err != nil {
		return nil, err
	}
	if !p.SigningKey.Allows(profile.PlacementUSBToken) {
		// The operator wants the signing key made at the server.
		return nil, errKey("cli.token.err.usb_not_allowed", nil)
	}
	subject, err := tokens.SignSubject(p, o.who)
	if err != nil {
		return nil, err
	}
	if o.name == "" {
		o.name = o.who.ServerCode + "-sign-csr"
	}
	if err := os.MkdirAll(o.outDir, 0o755); err != nil {
		return nil, &fileErr{op: "mkdir", path: o.outDir, err: err}
	}
	if st, err := os.Stat(o.outDir); err != nil || !st.IsDir() {
		return nil, &fileErr{op: "mkdir", path: o.outDir, err: syscall.ENOTDIR}
	}
	if err := writableDir(o.outDir); err != nil {
		return nil, err
	}
	return subject, nil
}

// sign signs the CSR with the key id on tok and writes its files.
func (c *tokenCmd) signCSR(o *csrOpts, subject tokens.Subject, tok tokens.TokenInfo, pin string, id []byte) (csrJSON, error) {
	signer, err := c.mod.Signer(tok, pin, id)
	if err != nil {
		return csrJSON{}, err
	}
	defer signer.Close()
	csr, err := tokens.CreateCSR(signer, subject)
	if err != nil {
		return csrJSON{}, err
	}
	pemPath, derPath, err := csr.WriteFiles(o.outDir, o.name)
	if err != nil {
		// tokens names its temporary file; the user named the folder.
		return csrJSON{}, &fileErr{op: "write", path: filepath.Join(o.outDir, o.name+".pem"), err: err}
	}
	logrus.WithFields(logrus.Fields{"serial": tok.Serial, "id": hex.EncodeToString(id), "subject": csr.Subject, "file": pemPath}).Info("csr signed")
	return csrJSON{
		Subject: csr.Subject, KeyBits: csr.KeyBits, PublicKeySHA256: csr.PublicKeySHA256,
		KeyID: hex.EncodeToString(id), TokenSerial: tok.Serial, PEM: pemPath, DER: derPath,
		DevicesINI: tokens.DevicesINI(c.handoverVendor(), o.serverLib, tok.Serial),
		Handover:   tokens.HandoverSteps(c.lang, c.handoverVendor(), o.serverLib, tok.Serial),
	}, nil
}

func (c *tokenCmd) csrSignFlags(idHex *string, o *csrOpts) *flag.FlagSet {
	fs := c.newFlagSet("csr sign", "csr sign --id HEX --member-code M --org-name NAME --member-class GOV|COM --server-code C [--out DIR] [FLAGS]")
	fs.StringVar(idHex, "id", "", "the signing key's CKA_ID in `HEX` (as token keygen printed it)")
	o.register(fs)
	return fs
}

func (c *tokenCmd) csrSign(args []string, stdin io.Reader) error {
	var idHex string
	var o csrOpts
	fs := c.csrSignFlags(&idHex, &o)
	if err := parseTokenVerb(fs, c, args, stdin); err != nil {
		return err
	}
	id, err := hex.DecodeString(strings.TrimPrefix(strings.ReplaceAll(idHex, ":", ""), "0x"))
	if err != nil || len(id) == 0 {
		return c.fail(errKey("cli.token.err.id_hex", map[string]any{"Value": i18n.Line(idHex, 100)}))
	}
	subject, err := o.subject(c.profile)
	if err != nil {
		return c.fail(err)
	}
	tok, err := c.open()
	if err != nil {
		return c.fail(err)
	}
	pin, err := c.pins.read(pinUser)
	if err != nil {
		return c.fail(err)
	}
	out, err := c.signCSR(&o, subject, tok, pin, id)
	if err != nil {
		return c.fail(err)
	}
	if c.format == "json" {
		return c.writeJSON(out)
	}
	printCSR(c.stdout, c.lang, c.handoverVendor(), o.serverLib, out)
	return nil
}
