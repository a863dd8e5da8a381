package configure

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"strings"
)

// maxAnchor bounds an anchor file: real ones are a few KB, and the API
// takes 50 KB bodies at most.
const maxAnchor = 50 << 10

// anchorHash is the hash X-Road shows for an anchor, in its API and on
// the central server: SHA-224 of the file, upper-case hex. X-Road 7.4.2
// SystemService.java (calculateAnchorHexHash) and CryptoUtils.java
// (DEFAULT_ANCHOR_HASH_ALGORITHM_ID = SHA224_ID; the central server's
// calculateAnchorHashDelimited writes the same digest with colons).
func anchorHash(data []byte) string {
	sum := sha256.Sum224(data)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

func readAnchor(data []byte) (AnchorInfo, error) {
	bad := func() (AnchorInfo, error) {
		return AnchorInfo{}, &Error{Key: "configure.err.anchor_bad"}
	}
	if len(data) == 0 || len(data) > maxAnchor {
		return bad()
	}
	// The anchor's root element and namespace differ between releases;
	// these two children are in every one.
	var a struct {
		Generated string `xml:"generatedAt"`
		Instance  string `xml:"instanceIdentifier"`
	}
	if err := xml.Unmarshal(data, &a); err != nil || strings.TrimSpace(a.Instance) == "" {
		return bad()
	}
	return AnchorInfo{Instance: strings.TrimSpace(a.Instance), Hash: anchorHash(data),
		Created: strings.TrimSpace(a.Generated)}, nil
}

// NormalizeAnchorHash reads a SHA-224 as people copy it: upper or lower
// case, with or without colons or spaces between the pairs (the central
// server shows "92:62:34:..."). ok is false unless 56 hex digits remain.
func NormalizeAnchorHash(s string) (string, bool) {
	h := strings.ToUpper(strings.NewReplacer(":", "", " ", "", "\t", "").Replace(strings.TrimSpace(s)))
	if len(h) != sha256.Size224*2 {
		return h, false
	}
	_, err := hex.DecodeString(h)
	return h, err == nil
}

// ColonHash writes a hash as X-Road's central server and admin UI show
// it: upper-case pairs joined by colons (CryptoUtils.calculateAnchorHashDelimited,
// the UI's colonize filter).
func ColonHash(h string) string {
	h, _ = NormalizeAnchorHash(h)
	var b strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i:min(i+2, len(h))])
	}
	return b.String()
}

// checkAnchorHash compares the file's hash with those the operator
// published (the profile's) and the user typed; an empty one is unknown.
func checkAnchorHash(p Params, info AnchorInfo) error {
	for _, want := range []struct{ key, hash string }{
		{"configure.err.anchor_hash_profile", p.AnchorSHA224},
		{"configure.err.anchor_hash_typed", p.AnchorSHA224Given},
	} {
		if strings.TrimSpace(want.hash) == "" {
			continue
		}
		h, ok := NormalizeAnchorHash(want.hash)
		if !ok {
			return &Error{Key: "configure.err.anchor_hash_bad", Data: map[string]any{"Given": want.hash}}
		}
		if h != info.Hash {
			return &Error{Key: want.key, Data: map[string]any{"Got": ColonHash(info.Hash), "Want": ColonHash(h)}}
		}
	}
	return nil
}

// previewAnchor refuses an anchor of another instance, or one whose hash
// is not the published one, before the server sees it; then asks the
// server to read it (validating the instance once the server has an
// owner) and checks the server reads the same hash.
func (s *Session) previewAnchor(ctx context.Context, p Params, data []byte) (AnchorInfo, error) {
	info, err := readAnchor(data)
	if err != nil {
		return info, err
	}
	if p.Instance != "" && info.Instance != p.Instance {
		return info, &Error{Key: "configure.err.anchor_instance", Data: map[string]any{"Got": info.Instance, "Want": p.Instance}}
	}
	if err := checkAnchorHash(p, info); err != nil {
		return info, err
	}
	st, err := s.c.InitializationStatus(ctx)
	if err != nil {
		return info, err
	}
	// X-Road 7.4.2 SystemService.verifyAnchorInstance compares with the
	// owner's instance: there is none before the owner is saved.
	a, err := s.c.PreviewAnchor(ctx, data, st.ServerOwnerInitialized)
	if err != nil {
		return info, err
	}
	if got, _ := NormalizeAnchorHash(a.Hash); got != info.Hash {
		return info, &Error{Key: "configure.err.anchor_hash_server", Data: map[string]any{"Got": ColonHash(a.Hash), "Want": ColonHash(info.Hash)}}
	}
	if a.CreatedAt != "" {
		info.Created = a.CreatedAt
	}
	return info, nil
}
