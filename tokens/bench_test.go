package tokens

import (
	"context"
	"crypto/sha256"
	"testing"

	"github.com/miekg/pkcs11"
	"github.com/tunduk-onboard/tunduk-onboard/checks"
)

// The budget: the whole key + CSR pipeline at most 10% over the
// bare PKCS#11 calls it cannot avoid (C_GenerateKeyPair and one C_Sign).
// build/bench-token.sh runs both and prints the ratio; SoftHSM's RSA
// generation varies a lot between runs, so it asks for many iterations.

func BenchmarkPipeline(b *testing.B) {
	m := softhsm(b)
	tok := newToken(b, m, uniqueLabel("bench-pipe"))
	p, err := checks.DefaultProfile()
	if err != nil {
		b.Fatal(err)
	}
	subj, err := SignSubject(p, Participant{MemberClass: "GOV", MemberCode: "70000001", OrgName: "Агентство", ServerCode: "SS1", Instance: "central-server"})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ref, err := m.GenerateSigningKey(context.Background(), tok, testUserPIN, 2048, "SS1 sign")
		if err != nil {
			b.Fatal(err)
		}
		s, err := m.Signer(tok, testUserPIN, ref.ID)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := CreateCSR(s, subj); err != nil {
			b.Fatal(err)
		}
		s.Close()
		b.StopTimer()
		if err := m.DeleteKey(tok, testUserPIN, ref.ID); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

func BenchmarkBare(b *testing.B) {
	m := softhsm(b)
	tok := newToken(b, m, uniqueLabel("bench-bare"))
	c := m.ctx
	digest := sha256.Sum256([]byte("tbs"))
	msg := append([]byte{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}, digest[:]...)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sh, err := c.OpenSession(tok.SlotID, pkcs11.CKF_SERIAL_SESSION|pkcs11.CKF_RW_SESSION)
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Login(sh, pkcs11.CKU_USER, testUserPIN); err != nil {
			b.Fatal(err)
		}
		pub, priv, err := c.GenerateKeyPair(sh, []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_RSA_PKCS_KEY_PAIR_GEN, nil)},
			[]*pkcs11.Attribute{
				pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
				pkcs11.NewAttribute(pkcs11.CKA_VERIFY, true),
				pkcs11.NewAttribute(pkcs11.CKA_MODULUS_BITS, 2048),
				pkcs11.NewAttribute(pkcs11.CKA_PUBLIC_EXPONENT, []byte{1, 0, 1}),
			},
			[]*pkcs11.Attribute{
				pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
				pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, true),
				pkcs11.NewAttribute(pkcs11.CKA_SIGN, true),
				pkcs11.NewAttribute(pkcs11.CKA_SENSITIVE, true),
				pkcs11.NewAttribute(pkcs11.CKA_EXTRACTABLE, false),
			})
		if err != nil {
			b.Fatal(err)
		}
		if err := c.SignInit(sh, []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_RSA_PKCS, nil)}, priv); err != nil {
			b.Fatal(err)
		}
		if _, err := c.Sign(sh, msg); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		c.DestroyObject(sh, pub)
		c.DestroyObject(sh, priv)
		c.Logout(sh)
		c.CloseSession(sh)
		b.StartTimer()
	}
}
