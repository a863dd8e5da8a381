package configure

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// publicKey is what crypto's public keys all implement.
type publicKey interface{ Equal(x crypto.PublicKey) bool }

// parseCert reads a certificate in DER or PEM.
func parseCert(b []byte) (*x509.Certificate, error) {
	if blk, _ := pem.Decode(b); blk != nil {
		if blk.Type != "CERTIFICATE" {
			return nil, &Error{Key: "configure.err.cert_bad"}
		}
		b = blk.Bytes
	}
	c, err := x509.ParseCertificate(b)
	if err != nil {
		return nil, &Error{Key: "configure.err.cert_bad", Err: err}
	}
	return c, nil
}

func certHash(c *x509.Certificate) string {
	return strings.ToUpper(sha256Hex(c.Raw))
}

func (s *Session) importCert(ctx context.Context, certBytes []byte, csrs [][]byte) (Imported, error) {
	cert, err := parseCert(certBytes)
	if err != nil {
		return Imported{}, err
	}
	// The certificate must answer one of our CSRs: checked here, before
	// the server is asked anything, so a certificate mailed for another
	// organisation or server never lands on this one.
	matched := false
	for _, b := range csrs {
		csr, err := x509.ParseCertificateRequest(b)
		if err != nil {
			return Imported{}, &Error{Key: "configure.err.csr_bad", Err: err}
		}
		if pk, ok := csr.PublicKey.(publicKey); ok && pk.Equal(cert.PublicKey) {
			matched = true
			break
		}
	}
	if !matched {
		return Imported{}, &Error{Key: "configure.err.cert_no_csr", Data: map[string]any{"Subject": cert.Subject.String(), "Serial": cert.SerialNumber.String()}}
	}
	hash := certHash(cert)
	added := false
	tc, err := s.c.Certificate(ctx, hash)
	var ae *xroad.Error
	switch {
	case err == nil: // already imported: a resumed run
	case errors.As(err, &ae) && ae.Status == http.StatusNotFound:
		if err := s.change(ctx); err != nil {
			return Imported{}, err
		}
		if tc, err = s.c.ImportCertificate(ctx, cert.Raw); err != nil {
			return Imported{}, err
		}
		added = true
	default:
		return Imported{}, err
	}
	return Imported{Hash: tc.Details.Hash, Usage: s.usageOf(ctx, tc.Details.Hash, cert), Cert: tc, New: added}, nil
}

// usageOf is the usage of the key holding the certificate, from the
// tokens; failing that, from the certificate's key usage bits.
func (s *Session) usageOf(ctx context.Context, hash string, cert *x509.Certificate) string {
	if toks, err := s.c.Tokens(ctx); err == nil {
		for _, t := range toks {
			for _, k := range t.Keys {
				for _, c := range k.Certificates {
					if strings.EqualFold(c.Details.Hash, hash) && k.Usage != "" {
						return k.Usage
					}
				}
			}
		}
	}
	if cert.KeyUsage&x509.KeyUsageContentCommitment != 0 {
		return xroad.UsageSigning
	}
	return xroad.UsageAuthentication
}

func (s *Session) register(ctx context.Context, hash, address string) error {
	address = strings.TrimSpace(address)
	if address == "" || strings.ContainsAny(address, " /\\") {
		return &Error{Key: "configure.err.address", Data: map[string]any{"Address": address}}
	}
	tc, err := s.c.Certificate(ctx, hash)
	if err != nil {
		return err
	}
	if tc.Status == xroad.CertRegistrationInProgress || tc.Status == xroad.CertRegistered {
		return nil
	}
	if err := s.change(ctx); err != nil {
		return err
	}
	return s.c.RegisterCertificate(ctx, hash, address)
}

func (s *Session) waitRegistered(ctx context.Context, hash string, every time.Duration, seen func(xroad.TokenCertificate)) error {
	if every <= 0 {
		every = 30 * time.Second
	}
	for {
		tc, err := s.c.Certificate(ctx, hash)
		if err != nil {
			if ctx.Err() != nil {
				return &Error{Key: "configure.err.approval_wait", Err: ctx.Err()}
			}
			return err
		}
		if seen != nil {
			seen(tc)
		}
		switch tc.Status {
		case xroad.CertRegistered:
			return nil
		case xroad.CertRegistrationInProgress:
		default:
			return &Error{Key: "configure.err.not_registering", Data: map[string]any{"Status": tc.Status}}
		}
		t := time.NewTimer(every)
		select {
		case <-ctx.Done():
			t.Stop()
			return &Error{Key: "configure.err.approval_wait", Err: ctx.Err()}
		case <-t.C:
		}
	}
}

func (s *Session) activate(ctx context.Context, hash string) error {
	tc, err := s.c.Certificate(ctx, hash)
	if err != nil || tc.Active {
		return err
	}
	if err := s.change(ctx); err != nil {
		return err
	}
	return s.c.ActivateCertificate(ctx, hash)
}

// status reads where the server stands; keys are those of the flow's
// usages (auth on the software token, sign on any token).
func (s *Session) status(ctx context.Context, p Params) (Status, error) {
	var st Status
	var err error
	if st.Init, err = s.c.InitializationStatus(ctx); err != nil {
		return st, err
	}
	if tsas, err := s.c.ConfiguredTimestampingServices(ctx); err != nil {
		return st, err
	} else {
		st.TSAConfigured = len(tsas) > 0
	}
	toks, err := s.c.Tokens(ctx)
	if err != nil {
		return st, err
	}
	signOurs := false
	st.Tokens = tokenInfos(toks)
	for _, t := range toks {
		if t.ID == xroad.SoftwareTokenID {
			st.SoftTokenLoggedIn = t.LoggedIn
		}
		for _, k := range t.Keys {
			ks := &KeyState{TokenID: t.ID, KeyID: k.ID, Label: k.Label}
			if len(k.CSRs) > 0 {
				ks.CSRID = k.CSRs[len(k.CSRs)-1].ID
			}
			if len(k.Certificates) > 0 {
				c := k.Certificates[0]
				ks.Cert = &c
			}
			switch {
			case k.Usage == xroad.UsageAuthentication && t.ID == xroad.SoftwareTokenID && st.Auth == nil:
				st.Auth = ks
			case k.Usage == xroad.UsageSigning && (st.Sign == nil || (!signOurs && ownedBy(k, p))):
				// A server may hold other members' signing keys: the
				// owner's own is preferred when p names it.
				st.Sign, signOurs = ks, ownedBy(k, p)
			}
		}
	}
	for _, ks := range []*KeyState{st.Auth, st.Sign} {
		if ks != nil && ks.CSRID != "" {
			ks.CSR, err = s.c.DownloadCSR(ctx, ks.KeyID, ks.CSRID, xroad.FormatDER)
			var ae *xroad.Error
			if errors.As(err, &ae) && ae.Status == http.StatusConflict {
				// X-Road 7.4.2 makes the CSR again to download it
				// (TokenCertificateService.regenerateCertRequest), which a
				// logged-out token refuses: 409 action_not_possible. The
				// status stands without it.
				err = nil
			}
			if err != nil {
				return st, err
			}
		}
	}
	return st, nil
}

// ownedBy says whether one of k's CSRs or certificates is p's member's.
func ownedBy(k xroad.Key, p Params) bool {
	if p.MemberCode == "" {
		return false
	}
	for _, c := range k.CSRs {
		if c.OwnerID == p.memberID() {
			return true
		}
	}
	for _, c := range k.Certificates {
		if c.OwnerID == p.memberID() {
			return true
		}
	}
	return false
}
