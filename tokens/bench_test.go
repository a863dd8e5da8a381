package tokens

import (
	"context"
	"crypto"
	"crypto/sha256"
	"slices"
	"testing"
	"time"

	"github.com/miekg/pkcs11"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

// The budget: the whole key + CSR pipeline at most 10% over the
// bare PKCS#11 calls it cannot avoid (C_GenerateKeyPair and one C_Sign).
// build/bench-token.sh runs BenchmarkPipelineVsBare and prints the ratio.
// SoftHSM's RSA generation is a random prime search (100-600 ms here), so
// two runs of the same call differ far more than the 10% asked about:
// each run also times its own C_GenerateKeyPair, and the overhead (run
// minus that call) is compared, which the prime search does not blur.

// benchSetup makes a token and the CSR subject for one benchmark.
func benchSetup(b *testing.B, name string) (*Module, TokenInfo, Subject) {
	m := softhsm(b)
	tok := newToken(b, m, uniqueLabel(name))
	p, err := profile.Default()
	if err != nil {
		b.Fatal(err)
	}
	subj, err := SignSubject(p, Participant{MemberClass: "GOV", MemberCode: "70000001", OrgName: "Агентство", ServerCode: "SS1", Instance: "central-server"})
	if err != nil {
		b.Fatal(err)
	}
	return m, tok, subj
}

// pipelineOnce is what token prepare does after initialising: the key,
// a signer over it, the CSR. It returns the key's ID for the cleanup.
func pipelineOnce(b *testing.B, m *Module, tok TokenInfo, subj Subject) []byte {
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
	return ref.ID
}

// bareOnce is the least any route does: a logged-in session, the key pair
// and one signature. It returns what to undo (untimed).
func bareOnce(b *testing.B, c *pkcs11.Ctx, tok TokenInfo) func() {
	digest := sha256.Sum256([]byte("tbs"))
	msg := append(append([]byte{}, digestInfoPrefix[crypto.SHA256]...), digest[:]...)
	sh, err := c.OpenSession(tok.SlotID, pkcs11.CKF_SERIAL_SESSION|pkcs11.CKF_RW_SESSION)
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Login(sh, pkcs11.CKU_USER, testUserPIN); err != nil {
		b.Fatal(err)
	}
	pub, priv, err := generateKeyPair(c, sh, []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_RSA_PKCS_KEY_PAIR_GEN, nil)},
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
	return func() {
		c.DestroyObject(sh, pub)
		c.DestroyObject(sh, priv)
		c.Logout(sh)
		c.CloseSession(sh)
	}
}

func BenchmarkPipeline(b *testing.B) {
	m, tok, subj := benchSetup(b, "bench-pipe")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id := pipelineOnce(b, m, tok, subj)
		b.StopTimer()
		if err := m.DeleteKey(tok, testUserPIN, id); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

func BenchmarkBare(b *testing.B) {
	m, tok, _ := benchSetup(b, "bench-bare")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		undo := bareOnce(b, m.ctx, tok)
		b.StopTimer()
		undo()
		b.StartTimer()
	}
}

// timeKeygen makes generateKeyPair add the time of every C_GenerateKeyPair
// to *in, for as long as the benchmark runs.
func timeKeygen(b *testing.B, in *time.Duration) {
	orig := generateKeyPair
	generateKeyPair = func(c *pkcs11.Ctx, sh pkcs11.SessionHandle, mech []*pkcs11.Mechanism, pub, priv []*pkcs11.Attribute) (pkcs11.ObjectHandle, pkcs11.ObjectHandle, error) {
		t := time.Now()
		defer func() { *in += time.Since(t) }()
		return orig(c, sh, mech, pub, priv)
	}
	b.Cleanup(func() { generateKeyPair = orig })
}

// BenchmarkPipelineVsBare alternates the two (which goes first alternates
// too, so load from elsewhere falls on both) and reports medians in ms:
// each route's time, its overhead (time minus its own C_GenerateKeyPair),
// and the ratio with the pipeline's extra overhead added to the bare
// route's median.
func BenchmarkPipelineVsBare(b *testing.B) {
	m, tok, subj := benchSetup(b, "bench-vs")
	var keygen time.Duration
	timeKeygen(b, &keygen)
	var pipe, bare, pipeOver, bareOver []float64
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	runPipe := func() {
		keygen = 0
		t := time.Now()
		id := pipelineOnce(b, m, tok, subj)
		d := time.Since(t)
		pipe, pipeOver = append(pipe, ms(d)), append(pipeOver, ms(d-keygen))
		if err := m.DeleteKey(tok, testUserPIN, id); err != nil {
			b.Fatal(err)
		}
	}
	runBare := func() {
		keygen = 0
		t := time.Now()
		undo := bareOnce(b, m.ctx, tok)
		d := time.Since(t)
		bare, bareOver = append(bare, ms(d)), append(bareOver, ms(d-keygen))
		undo()
	}
	for i := 0; i < b.N; i++ {
		if i%2 == 0 {
			runPipe()
			runBare()
		} else {
			runBare()
			runPipe()
		}
	}
	extra := median(pipeOver) - median(bareOver)
	b.ReportMetric(median(pipe), "pipeline-ms")
	b.ReportMetric(median(bare), "bare-ms")
	b.ReportMetric(median(pipeOver), "overhead-ms")
	b.ReportMetric(slices.Min(pipeOver), "overhead-min-ms")
	b.ReportMetric(slices.Max(pipeOver), "overhead-max-ms")
	b.ReportMetric(median(bareOver), "bare-overhead-ms")
	b.ReportMetric((median(bare)+extra)/median(bare), "ratio")
	b.ReportMetric(median(pipe)/median(bare), "raw-ratio")
	b.ReportMetric(0, "ns/op") // the ns/op of a pair of runs means nothing here
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		panic("median of nothing")
	}
	s := slices.Sorted(slices.Values(xs))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
