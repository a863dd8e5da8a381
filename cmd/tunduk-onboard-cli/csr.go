//go:build cgo

package main

import (
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/sirupsen/logrus"
	"github.com/tunduk-onboard/tunduk-onboard/tokens"
)

func runCSR(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "sign" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			csrUsage(stdout)
			return exitOK
		}
		csrUsage(stderr)
		return exitCannot
	}
	c := &tokenCmd{stdout: stdout, stderr: stderr}
	defer c.done()
	return c.csrSign(args[1:], stdin)
}

func csrUsage(w io.Writer) {
	fmt.Fprint(w, `Usage: tunduk-onboard-cli csr sign --id HEX --member-code M --org-name NAME
         --member-class GOV|COM --server-code C [--out DIR] [FLAGS]

Signs a certificate signing request (CSR) for the signing key with CKA_ID
HEX on the token, with the subject of the operator profile, writes it as
PEM and DER, and prints the devices.ini section and the steps to move the
token to the security server. Run "tunduk-onboard-cli csr sign -h" for all flags.
`)
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

func (c *tokenCmd) csrSign(args []string, stdin io.Reader) int {
	fs := c.newFlagSet("csr sign", `csr sign --id HEX --member-code M --org-name NAME --member-class GOV|COM --server-code C [--out DIR] [FLAGS]

PIN asked (one line with --pin-stdin): the user PIN.`)
	var idHex, outDir, name, lang, serverLib string
	var who tokens.Participant
	fs.StringVar(&idHex, "id", "", "the signing key's CKA_ID in `HEX` (as token keygen printed it)")
	fs.StringVar(&who.MemberCode, "member-code", "", "the member `CODE` (8 digits)")
	fs.StringVar(&who.OrgName, "org-name", "", "the organisation's registered `NAME` (Cyrillic allowed)")
	fs.StringVar(&who.MemberClass, "member-class", "", "the member `CLASS`: GOV or COM")
	fs.StringVar(&who.ServerCode, "server-code", "", "the security server `CODE`")
	fs.StringVar(&outDir, "out", ".", "write the CSR files into `DIR`")
	fs.StringVar(&name, "name", "", "base `NAME` of the files (default: SERVERCODE-sign-csr)")
	fs.StringVar(&lang, "lang", defaultLang(), "language of the handover steps: en, ru or ky")
	fs.StringVar(&serverLib, "server-library", tokens.ServerRutokenLibrary, "the Rutoken library's `PATH` on the security server, for devices.ini")
	if code := parseTokenVerb(fs, c, args, stdin); code >= 0 {
		return code
	}
	if err := checkLang(lang); err != nil {
		return c.fail(err)
	}
	id, err := hex.DecodeString(strings.TrimPrefix(strings.ReplaceAll(idHex, ":", ""), "0x"))
	if err != nil || len(id) == 0 {
		return c.fail(fmt.Errorf("--id %q: give the key's CKA_ID in hex", idHex))
	}
	who.Instance = c.profile.XRoad.Instance
	if err := checkParticipant(c.profile, who, true); err != nil {
		return c.fail(err)
	}
	subject, err := tokens.SignSubject(c.profile, who)
	if err != nil {
		return c.fail(err)
	}
	if name == "" {
		name = who.ServerCode + "-sign-csr"
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return c.fail(fmt.Errorf("--out %s: cannot create the folder: %w", outDir, err))
	}
	if st, err := os.Stat(outDir); err != nil || !st.IsDir() {
		return c.fail(fmt.Errorf("--out %s is not a folder", outDir))
	}
	tok, err := c.open()
	if err != nil {
		return c.fail(err)
	}
	pin, err := c.pins.read("user PIN")
	if err != nil {
		return c.fail(err)
	}
	signer, err := c.mod.Signer(tok, pin, id)
	if err != nil {
		return c.fail(err)
	}
	defer signer.Close()
	csr, err := tokens.CreateCSR(signer, subject)
	if err != nil {
		return c.fail(err)
	}
	pemPath, derPath, err := csr.WriteFiles(outDir, name)
	if err != nil {
		return c.fail(err)
	}
	logrus.WithFields(logrus.Fields{"serial": tok.Serial, "id": hex.EncodeToString(id), "subject": csr.Subject, "file": pemPath}).Info("csr signed")
	out := csrJSON{
		Subject: csr.Subject, KeyBits: csr.KeyBits, PublicKeySHA256: csr.PublicKeySHA256,
		KeyID: hex.EncodeToString(id), TokenSerial: tok.Serial, PEM: pemPath, DER: derPath,
		DevicesINI: tokens.DevicesINI(serverLib, tok.Serial),
		Handover:   tokens.HandoverSteps(lang, serverLib, tok.Serial),
	}
	if c.format == "json" {
		return c.writeJSON(out)
	}
	fmt.Fprintf(c.stdout, "Certificate signing request written:\n  %s\n  %s\n", pemPath, derPath)
	fmt.Fprintf(c.stdout, "  Subject:            %s\n", csr.Subject)
	fmt.Fprintf(c.stdout, "  Key size:           %d bits\n", csr.KeyBits)
	fmt.Fprintf(c.stdout, "  Public key SHA-256: %s\n", csr.PublicKeySHA256)
	fmt.Fprintf(c.stdout, "  Key CKA_ID:         %s (token %s)\n\n", out.KeyID, tok.Serial)
	fmt.Fprint(c.stdout, out.DevicesINI+"\n")
	fmt.Fprint(c.stdout, tokens.HandoverText(lang, serverLib, tok.Serial))
	return exitOK
}
