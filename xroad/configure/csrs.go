package configure

import (
	"context"
	"crypto/x509"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
)

// Key labels the flow gives its keys on the server.
const (
	labelAuth = "tunduk-auth"
	labelSign = "tunduk-sign"
)

func (s *Session) makeCSRs(ctx context.Context, p Params, o CSROptions, progress func(Progress)) (CSRs, error) {
	var out CSRs
	if err := s.checkForCSRs(ctx, p); err != nil {
		return out, err
	}
	if o.SignOnServer && o.SignOnSoftToken {
		return out, &Error{Key: "configure.err.sign_one_place"}
	}
	if o.SignOnServer && strings.TrimSpace(o.HWTokenID) == "" {
		// The ID the server lists, never one assumed (hwtoken.go).
		toks, err := s.c.Tokens(ctx)
		if err != nil {
			return out, err
		}
		t, err := Status{Tokens: tokenInfos(toks)}.HardwareToken("")
		if err != nil {
			return out, err
		}
		o.HWTokenID = t.ID
	}
	if err := s.ensureLogin(ctx, xroad.SoftwareTokenID, o.SoftPIN, progress, "login"); err != nil {
		return out, err
	}
	ca := "" // chosen once, when a new CSR is needed
	pickCA := func() (string, error) {
		if ca != "" {
			return ca, nil
		}
		var err error
		ca, err = s.chooseCA(ctx, p)
		return ca, err
	}
	var err error
	out.Auth, err = s.keyCSR(ctx, p, xroad.SoftwareTokenID, xroad.UsageAuthentication, pickCA, progress)
	switch {
	case err != nil:
		return out, err
	case o.SignOnSoftToken:
		// X-Road 7.4.2 allows a signing key on the software token: only
		// authentication CSRs are bound to it (signer
		// GenerateCertReqReqHandler.java: auth_cert_under_softtoken;
		// admin-service PossibleActionsRuleEngine.java: GENERATE_SIGN_CSR
		// has no token condition). Same session, same login.
		out.Sign, err = s.keyCSR(ctx, p, xroad.SoftwareTokenID, xroad.UsageSigning, pickCA, progress)
		return out, err
	case !o.SignOnServer:
		return out, nil
	}
	if err := s.ensureLogin(ctx, o.HWTokenID, o.HWPIN, progress, "hw_login"); err != nil {
		return out, err
	}
	out.Sign, err = s.keyCSR(ctx, p, o.HWTokenID, xroad.UsageSigning, pickCA, progress)
	return out, err
}

// checkForCSRs is what a CSR needs checked first: the identifiers, the
// server's own (when set), the operator's certificate profile class.
func (s *Session) checkForCSRs(ctx context.Context, p Params) error {
	if err := p.checkIDs(); err != nil {
		return err
	}
	if err := s.checkServerIDIfSet(ctx, p); err != nil {
		return err
	}
	return s.checkProfileClass(ctx, p)
}

// chooseCA is the approved CA named like the profile's, or the only one.
func (s *Session) chooseCA(ctx context.Context, p Params) (string, error) {
	cas, err := s.c.CertificateAuthorities(ctx, "")
	if err != nil {
		return "", err
	}
	var names []string
	for _, ca := range cas {
		if p.CAName != "" && strings.EqualFold(strings.TrimSpace(ca.Name), strings.TrimSpace(p.CAName)) {
			return ca.Name, nil
		}
		names = append(names, ca.Name)
	}
	if len(cas) == 1 {
		return cas[0].Name, nil
	}
	return "", &Error{Key: "configure.err.ca_choice", Data: map[string]any{"Want": p.CAName, "Names": strings.Join(names, ", ")}}
}

// keyCSR returns the key of usage on token with its CSR: an existing one
// when there is (its CSR downloaded again), else a CSR for a key made on
// the token beforehand (no usage, no CSR, no certificate: a Rutoken key
// made locally), else a new key with a CSR.
func (s *Session) keyCSR(ctx context.Context, p Params, token, usage string, pickCA func() (string, error), progress func(Progress)) (*KeyState, error) {
	step, label := "auth_csr", labelAuth
	if usage == xroad.UsageSigning {
		step, label = "sign_csr", labelSign
	}
	tok, err := s.token(ctx, token)
	if err != nil {
		return nil, err
	}
	var blank *xroad.Key
	for i, k := range tok.Keys {
		// A key with a certificate counts too: X-Road may drop the CSR
		// once its certificate is imported.
		if k.Usage == usage && (len(k.CSRs) > 0 || len(k.Certificates) > 0) {
			ks, err := s.keyState(ctx, token, k)
			if err == nil {
				report(progress, step, StateSkipped)
			}
			return ks, err
		}
		if k.Usage == "" && len(k.CSRs) == 0 && len(k.Certificates) == 0 && blank == nil {
			blank = &tok.Keys[i]
		}
	}
	var ks *KeyState
	err = s.run(ctx, progress, step, func() error {
		ca, err := pickCA()
		if err != nil {
			return err
		}
		req, err := s.csrRequest(ctx, p, ca, usage)
		if err != nil {
			return err
		}
		if blank != nil && usage == xroad.UsageSigning {
			if _, err := s.c.GenerateCSR(ctx, blank.ID, req); err != nil {
				return err
			}
			k, err := s.c.Key(ctx, blank.ID)
			if err != nil {
				return err
			}
			ks, err = s.keyState(ctx, token, k)
			return err
		}
		ks, err = s.addKeyCSR(ctx, token, label, req)
		return err
	})
	return ks, err
}

// addKeyCSR makes a key labelled label on token with a CSR of req and
// returns it with the CSR's DER.
func (s *Session) addKeyCSR(ctx context.Context, token, label string, req xroad.CSRGenerate) (*KeyState, error) {
	kc, err := s.c.AddKeyWithCSR(ctx, token, label, req)
	if err != nil {
		return nil, err
	}
	return s.keyState(ctx, token, kc.Key)
}

// keyState downloads k's (last) CSR as DER and checks it parses.
func (s *Session) keyState(ctx context.Context, token string, k xroad.Key) (*KeyState, error) {
	ks := &KeyState{TokenID: token, KeyID: k.ID, Label: k.Label}
	if len(k.Certificates) > 0 {
		c := k.Certificates[0]
		ks.Cert = &c
	}
	if len(k.CSRs) == 0 {
		return ks, nil
	}
	ks.CSRID = k.CSRs[len(k.CSRs)-1].ID
	der, err := s.c.DownloadCSR(ctx, k.ID, ks.CSRID, xroad.FormatDER)
	if err != nil {
		return nil, err
	}
	if _, err := x509.ParseCertificateRequest(der); err != nil {
		return nil, &Error{Key: "configure.err.csr_bad", Err: err}
	}
	ks.CSR = der
	return ks, nil
}

// csrRequest fills the CA's subject fields: read-only ones and defaults
// as the server gives them, the organisation name from p; required
// fields left empty are named in the error.
func (s *Session) csrRequest(ctx context.Context, p Params, ca, usage string) (xroad.CSRGenerate, error) {
	member := ""
	if usage == xroad.UsageSigning {
		member = p.memberID()
	}
	fields, err := s.c.CSRSubjectFields(ctx, ca, usage, member, false)
	if err != nil {
		return xroad.CSRGenerate{}, err
	}
	ours := map[string]string{"O": p.OrgName, "CN": p.MemberCode}
	values := map[string]string{}
	var missing []string
	for _, f := range fields {
		v := f.DefaultValue
		if !f.ReadOnly && v == "" {
			v = strings.TrimSpace(ours[f.ID])
		}
		if !f.ReadOnly && f.ID == "O" && strings.TrimSpace(p.OrgName) != "" {
			v = strings.TrimSpace(p.OrgName) // the name the user gave wins
		}
		if v == "" {
			if f.Required {
				name := f.Label
				if name == "" {
					name = f.ID
				}
				missing = append(missing, name)
			}
			continue
		}
		values[f.ID] = v
	}
	if len(missing) > 0 {
		return xroad.CSRGenerate{}, &Error{Key: "configure.err.csr_fields", Data: map[string]any{"Fields": strings.Join(missing, ", ")}}
	}
	return xroad.CSRGenerate{KeyUsageType: usage, CAName: ca, CSRFormat: xroad.FormatDER,
		MemberID: member, SubjectFieldValues: values}, nil
}
