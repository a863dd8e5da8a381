package tokens

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"sync"
	"time"

	"github.com/miekg/pkcs11"
)

// DefaultKeyBits is the signing key size when none is given.
const DefaultKeyBits = 2048

// MinKeyBits is the smallest RSA signing key X-Road accepts.
const MinKeyBits = 2048

// ErrKeySize means the requested key size is outside what X-Road or the token allows.
var ErrKeySize = errors.New("unsupported RSA key size")

// ErrKeyNotFound means no key with the given CKA_ID is on the token.
var ErrKeyNotFound = errors.New("no key with this ID on the token")

// KeyRef names a key pair on a token; X-Road finds it by ID (CKA_ID).
type KeyRef struct {
	TokenSerial       string
	ID                []byte
	Label             string
	Bits              int
	Public            *rsa.PublicKey
	AttributesRelaxed bool // the token refused CKA_SENSITIVE/CKA_EXTRACTABLE, key made without them
}

// IDHex returns the CKA_ID in hex, as X-Road shows it.
func (k *KeyRef) IDHex() string { return hex.EncodeToString(k.ID) }

// generateKeyPair is C_GenerateKeyPair; a test replaces it to act as a
// token that refuses some attributes.
var generateKeyPair = func(c *pkcs11.Ctx, sh pkcs11.SessionHandle, mech []*pkcs11.Mechanism, pub, priv []*pkcs11.Attribute) (pkcs11.ObjectHandle, pkcs11.ObjectHandle, error) {
	return c.GenerateKeyPair(sh, mech, pub, priv)
}

// afterKeygenHook, when set by a test, runs right after C_GenerateKeyPair;
// an error from it must leave no key on the token.
var afterKeygenHook func() error

// GenerateSigningKey makes an RSA signing key pair of bits (0 = DefaultKeyBits)
// on tok with a random 16-byte CKA_ID and label. If any step after the key
// generation fails (ctx cancelled too), both halves are destroyed.
func (m *Module) GenerateSigningKey(ctx context.Context, tok TokenInfo, userPIN string, bits int, label string) (*KeyRef, error) {
	if bits == 0 {
		bits = DefaultKeyBits
	}
	if bits < MinKeyBits {
		return nil, fmt.Errorf("%w: %d bits; X-Road needs at least %d", ErrKeySize, bits, MinKeyBits)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	slot, err := m.slotLocked(tok)
	if err != nil {
		return nil, err
	}
	// The last guard: whatever the front end checked, no key is made on a
	// token whose user PIN is a factory one or that asks for a PIN change
	// (read fresh: the PINs may have changed since tok was listed).
	fresh, err := m.tokenInfoLocked(slot)
	if err != nil {
		return nil, err
	}
	if err := CheckFactoryPINs(fresh, userPIN, "", nil); err != nil {
		p11log.WithField("slot", slot).Debug("key generation refused: factory PIN")
		return nil, err
	}
	mi, err := m.ctx.GetMechanismInfo(slot, []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_RSA_PKCS_KEY_PAIR_GEN, nil)})
	if err != nil {
		return nil, fmt.Errorf("%s cannot generate RSA keys: %w", tok, err)
	}
	if (mi.MinKeySize != 0 && uint(bits) < mi.MinKeySize) || (mi.MaxKeySize != 0 && uint(bits) > mi.MaxKeySize) {
		return nil, fmt.Errorf("%w: %d bits; the token supports %d to %d", ErrKeySize, bits, mi.MinKeySize, mi.MaxKeySize)
	}
	sh, err := m.session(slot, true)
	if err != nil {
		return nil, err
	}
	defer m.ctx.CloseSession(sh)
	err = m.login(sh, slot, pkcs11.CKU_USER, userPIN)
	if err != nil {
		return nil, err
	}
	defer m.logout(sh, slot)

	id := make([]byte, 16)
	if _, err := io.ReadFull(rand.Reader, id); err != nil {
		return nil, fmt.Errorf("random key ID: %w", err)
	}
	ref := &KeyRef{TokenSerial: tok.Serial, ID: id, Label: label, Bits: bits}
	pubT := []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PUBLIC_KEY),
		pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, pkcs11.CKK_RSA),
		pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, false),
		pkcs11.NewAttribute(pkcs11.CKA_VERIFY, true),
		pkcs11.NewAttribute(pkcs11.CKA_MODULUS_BITS, bits),
		pkcs11.NewAttribute(pkcs11.CKA_PUBLIC_EXPONENT, []byte{0x01, 0x00, 0x01}),
		pkcs11.NewAttribute(pkcs11.CKA_ID, id),
		pkcs11.NewAttribute(pkcs11.CKA_LABEL, label),
	}
	privBase := []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PRIVATE_KEY),
		pkcs11.NewAttribute(pkcs11.CKA_KEY_TYPE, pkcs11.CKK_RSA),
		pkcs11.NewAttribute(pkcs11.CKA_TOKEN, true),
		pkcs11.NewAttribute(pkcs11.CKA_PRIVATE, true),
		pkcs11.NewAttribute(pkcs11.CKA_SIGN, true),
		pkcs11.NewAttribute(pkcs11.CKA_ID, id),
		pkcs11.NewAttribute(pkcs11.CKA_LABEL, label),
	}
	privT := append(append([]*pkcs11.Attribute{}, privBase...),
		pkcs11.NewAttribute(pkcs11.CKA_SENSITIVE, true),
		pkcs11.NewAttribute(pkcs11.CKA_EXTRACTABLE, false),
	)
	mech := []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_RSA_PKCS_KEY_PAIR_GEN, nil)}
	log := p11log.WithFields(map[string]any{"slot": slot, "bits": bits, "id": hex.EncodeToString(id)})
	log.Debug("C_GenerateKeyPair")
	start := time.Now()
	pub, priv, err := generateKeyPair(m.ctx, sh, mech, pubT, privT)
	if err != nil && attributeRefused(err) {
		log.WithError(err).Debug("token refused SENSITIVE/EXTRACTABLE, retrying without them")
		ref.AttributesRelaxed = true
		pub, priv, err = generateKeyPair(m.ctx, sh, mech, pubT, privBase)
	}
	if err != nil {
		return nil, fmt.Errorf("generate the key pair on %s: %w", tok, err)
	}
	log.WithField("took", time.Since(start).String()).Debug("key pair generated")

	fail := func(err error) (*KeyRef, error) {
		derr := errors.Join(m.destroyIfPresent(sh, priv), m.destroyIfPresent(sh, pub))
		if derr != nil {
			log.WithError(derr).Debug("cleanup of the half-made key pair failed")
			return nil, fmt.Errorf("%w (and removing the half-made key pair failed: %v; delete key ID %s by hand)", err, derr, hex.EncodeToString(id))
		}
		log.Debug("half-made key pair removed")
		return nil, err
	}
	if afterKeygenHook != nil {
		if err := afterKeygenHook(); err != nil {
			return fail(err)
		}
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	attrs, err := m.ctx.GetAttributeValue(sh, pub, []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_MODULUS, nil),
		pkcs11.NewAttribute(pkcs11.CKA_PUBLIC_EXPONENT, nil),
		pkcs11.NewAttribute(pkcs11.CKA_ID, nil),
	})
	if err != nil || len(attrs) != 3 {
		return fail(fmt.Errorf("read back the public key: %w", err))
	}
	pk, err := rsaPublic(attrs[0].Value, attrs[1].Value)
	if err != nil {
		return fail(err)
	}
	if pk.N.BitLen() != bits {
		return fail(fmt.Errorf("the token made a %d-bit key instead of %d", pk.N.BitLen(), bits))
	}
	if !bytes.Equal(attrs[2].Value, id) {
		return fail(errors.New("the public key's CKA_ID differs from the one requested"))
	}
	if got := m.attr(sh, priv, pkcs11.CKA_ID); !bytes.Equal(got, id) {
		return fail(errors.New("the private key's CKA_ID differs from the one requested"))
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	ref.Public = pk
	return ref, nil
}

// attributeRefused reports a keygen error that means "template not accepted".
func attributeRefused(err error) bool {
	switch ckrCode(err) {
	case pkcs11.CKR_ATTRIBUTE_READ_ONLY, pkcs11.CKR_ATTRIBUTE_TYPE_INVALID,
		pkcs11.CKR_ATTRIBUTE_VALUE_INVALID, pkcs11.CKR_TEMPLATE_INCONSISTENT,
		pkcs11.CKR_TEMPLATE_INCOMPLETE:
		return true
	}
	return false
}

func (m *Module) destroyIfPresent(sh pkcs11.SessionHandle, h pkcs11.ObjectHandle) error {
	if err := m.ctx.DestroyObject(sh, h); err != nil && !isCode(err, pkcs11.CKR_OBJECT_HANDLE_INVALID) {
		return err
	}
	return nil
}

func rsaPublic(n, e []byte) (*rsa.PublicKey, error) {
	if len(n) == 0 || len(e) == 0 || len(e) > 8 {
		return nil, errors.New("the token returned an invalid RSA public key")
	}
	E := new(big.Int).SetBytes(e)
	if !E.IsInt64() || E.Int64() < 3 || E.Int64() > 1<<31-1 {
		return nil, errors.New("the token returned an invalid RSA public exponent")
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(E.Int64())}, nil
}

// DeleteKey destroys the private and public key objects with CKA_ID id.
func (m *Module) DeleteKey(tok TokenInfo, userPIN string, id []byte) error {
	if len(id) == 0 {
		return fmt.Errorf("%w: empty ID", ErrKeyNotFound)
	}
	return m.withSession(tok, true, pkcs11.CKU_USER, userPIN, func(slot uint, sh pkcs11.SessionHandle) error {
		return m.deleteKeyLocked(slot, sh, id)
	})
}

func (m *Module) deleteKeyLocked(slot uint, sh pkcs11.SessionHandle, id []byte) error {
	var hs []pkcs11.ObjectHandle
	for _, class := range []uint{pkcs11.CKO_PRIVATE_KEY, pkcs11.CKO_PUBLIC_KEY} {
		found, err := m.findLocked(sh, []*pkcs11.Attribute{
			pkcs11.NewAttribute(pkcs11.CKA_CLASS, class),
			pkcs11.NewAttribute(pkcs11.CKA_ID, id),
		})
		if err != nil {
			return err
		}
		hs = append(hs, found...)
	}
	if len(hs) == 0 {
		return fmt.Errorf("%w: %s", ErrKeyNotFound, hex.EncodeToString(id))
	}
	p11log.WithFields(map[string]any{"slot": slot, "id": hex.EncodeToString(id), "objects": len(hs)}).Debug("deleting key")
	for _, h := range hs {
		if err := m.ctx.DestroyObject(sh, h); err != nil {
			return fmt.Errorf("delete key %s: %w", hex.EncodeToString(id), err)
		}
	}
	return nil
}

// Signer is a crypto.Signer over an RSA private key on a token, holding one
// logged-in session until Close.
type Signer struct {
	m      *Module
	sh     pkcs11.SessionHandle
	key    pkcs11.ObjectHandle
	pub    *rsa.PublicKey
	slot   uint
	mu     sync.Mutex
	closed bool
}

// Signer logs in to tok and returns a signer for the private key with CKA_ID id.
func (m *Module) Signer(tok TokenInfo, userPIN string, id []byte) (*Signer, error) {
	if len(id) == 0 {
		return nil, fmt.Errorf("%w: empty ID", ErrKeyNotFound)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	slot, err := m.slotLocked(tok)
	if err != nil {
		return nil, err
	}
	sh, err := m.session(slot, false)
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			m.ctx.CloseSession(sh)
		}
	}()
	err = m.login(sh, slot, pkcs11.CKU_USER, userPIN)
	if err != nil {
		return nil, err
	}
	defer func() {
		if !ok {
			m.logout(sh, slot)
		}
	}()
	privs, err := m.findLocked(sh, []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PRIVATE_KEY),
		pkcs11.NewAttribute(pkcs11.CKA_ID, id),
	})
	if err != nil {
		return nil, err
	}
	if len(privs) != 1 {
		if len(privs) == 0 {
			return nil, fmt.Errorf("%w: %s", ErrKeyNotFound, hex.EncodeToString(id))
		}
		return nil, fmt.Errorf("%d private keys share the ID %s", len(privs), hex.EncodeToString(id))
	}
	pub, err := m.publicForLocked(sh, privs[0], id)
	if err != nil {
		return nil, err
	}
	ok = true
	p11log.WithFields(map[string]any{"slot": slot, "id": hex.EncodeToString(id)}).Debug("signer opened")
	return &Signer{m: m, sh: sh, key: privs[0], pub: pub, slot: slot}, nil
}

// publicForLocked reads the public key of id: from the public key object,
// else from the private key's modulus and exponent.
func (m *Module) publicForLocked(sh pkcs11.SessionHandle, priv pkcs11.ObjectHandle, id []byte) (*rsa.PublicKey, error) {
	pubs, err := m.findLocked(sh, []*pkcs11.Attribute{
		pkcs11.NewAttribute(pkcs11.CKA_CLASS, pkcs11.CKO_PUBLIC_KEY),
		pkcs11.NewAttribute(pkcs11.CKA_ID, id),
	})
	if err != nil {
		return nil, err
	}
	h := priv
	if len(pubs) > 0 {
		h = pubs[0]
	}
	n, e := m.attr(sh, h, pkcs11.CKA_MODULUS), m.attr(sh, h, pkcs11.CKA_PUBLIC_EXPONENT)
	return rsaPublic(n, e)
}

// Public returns the RSA public key.
func (s *Signer) Public() crypto.PublicKey { return s.pub }

// digestInfoPrefix is the DER DigestInfo header put before a digest for PKCS#1 v1.5.
var digestInfoPrefix = map[crypto.Hash][]byte{
	crypto.SHA256: {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20},
	crypto.SHA384: {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30},
	crypto.SHA512: {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40},
}

// Sign signs digest (already hashed with opts.HashFunc(): SHA-256/384/512)
// with RSA PKCS#1 v1.5 on the token; PSS is refused.
func (s *Signer) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if _, pss := opts.(*rsa.PSSOptions); pss {
		return nil, errors.New("tokens: RSA-PSS is not supported; use PKCS#1 v1.5")
	}
	h := opts.HashFunc()
	prefix, ok := digestInfoPrefix[h]
	if !ok {
		return nil, fmt.Errorf("tokens: unsupported hash %v; use SHA-256, SHA-384 or SHA-512", h)
	}
	if len(digest) != h.Size() {
		return nil, fmt.Errorf("tokens: digest is %d bytes, %v needs %d", len(digest), h, h.Size())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errors.New("tokens: signer is closed")
	}
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	msg := append(append([]byte{}, prefix...), digest...)
	if err := s.m.ctx.SignInit(s.sh, []*pkcs11.Mechanism{pkcs11.NewMechanism(pkcs11.CKM_RSA_PKCS, nil)}, s.key); err != nil {
		return nil, fmt.Errorf("tokens: sign: %w", err)
	}
	sig, err := s.m.ctx.Sign(s.sh, msg)
	if err != nil {
		return nil, fmt.Errorf("tokens: sign: %w", err)
	}
	return sig, nil
}

// Close logs out (unless another open signer still needs the login) and closes its session; it is safe to call twice.
func (s *Signer) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	s.m.logout(s.sh, s.slot)
	return s.m.ctx.CloseSession(s.sh)
}
