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
	sum := sha256.Sum256(data)
	return AnchorInfo{Instance: strings.TrimSpace(a.Instance), Hash: strings.ToUpper(hex.EncodeToString(sum[:])),
		Created: strings.TrimSpace(a.Generated)}, nil
}

// previewAnchor refuses an anchor of another instance before the server
// sees it, then asks the server to read it (validating the instance once
// the server has one).
func (s *Session) previewAnchor(ctx context.Context, p Params, data []byte) (AnchorInfo, error) {
	info, err := readAnchor(data)
	if err != nil {
		return info, err
	}
	if p.Instance != "" && info.Instance != p.Instance {
		return info, &Error{Key: "configure.err.anchor_instance", Data: map[string]any{"Got": info.Instance, "Want": p.Instance}}
	}
	st, err := s.c.InitializationStatus(ctx)
	if err != nil {
		return info, err
	}
	a, err := s.c.PreviewAnchor(ctx, data, st.ServerCodeInitialized)
	if err != nil {
		return info, err
	}
	info.Hash = a.Hash
	if a.CreatedAt != "" {
		info.Created = a.CreatedAt
	}
	return info, nil
}
