package configure_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// opensslSHA224 is the SHA-224 of path as the openssl program computes
// it, upper case: a computation that shares no code with ours.
func opensslSHA224(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("openssl", "dgst", "-sha224", "-r", path).Output()
	if err != nil {
		t.Fatalf("openssl dgst: %v", err)
	}
	f := strings.Fields(string(out))
	if len(f) == 0 || len(f[0]) != 56 {
		t.Fatalf("openssl said %q", out)
	}
	return strings.ToUpper(f[0])
}

// TestAnchorHash: the hash shown for an anchor is X-Road's, SHA-224 in
// upper-case hex, equal to openssl's for the same file and to the
// server's; a file whose hash is not the published one (profile or
// typed, in any of the forms people copy) is refused before anything is
// uploaded.
func TestAnchorHash(t *testing.T) {
	e := start(t, xroadtest.Options{})
	ctx := context.Background()
	anchor := e.f.Anchor(xroadtest.Instance)
	path := filepath.Join(t.TempDir(), "configuration-anchor.xml")
	if err := os.WriteFile(path, anchor, 0o644); err != nil {
		t.Fatal(err)
	}
	want := opensslSHA224(t, path)
	info, err := configure.ReadAnchor(anchor)
	if err != nil || info.Hash != want {
		t.Fatalf("ReadAnchor hash %q, openssl %q (%v)", info.Hash, want, err)
	}
	got, err := e.s.PreviewAnchor(ctx, params, anchor)
	if err != nil || got.Hash != want {
		t.Fatalf("the server's hash %q, openssl %q (%v)", got.Hash, want, err)
	}
	colon := configure.ColonHash(want)
	if len(colon) != 56+27 || strings.ReplaceAll(colon, ":", "") != want {
		t.Fatalf("colon form %q", colon)
	}

	other := strings.Replace(want, want[:2], "00", 1)
	if other == want {
		other = "11" + want[2:]
	}
	for _, tc := range []struct {
		name    string
		p       func(*configure.Params)
		key     string
		refused bool
	}{
		{"profile matches (colons, lower case)", func(p *configure.Params) { p.AnchorSHA224 = strings.ToLower(colon) }, "", false},
		{"typed matches (spaces)", func(p *configure.Params) { p.AnchorSHA224Given = " " + strings.ReplaceAll(colon, ":", " ") }, "", false},
		{"profile differs", func(p *configure.Params) { p.AnchorSHA224 = other }, "configure.err.anchor_hash_profile", true},
		{"typed differs", func(p *configure.Params) { p.AnchorSHA224, p.AnchorSHA224Given = want, other }, "configure.err.anchor_hash_typed", true},
		{"typed is no SHA-224", func(p *configure.Params) { p.AnchorSHA224Given = want[:40] }, "configure.err.anchor_hash_bad", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := params
			tc.p(&p)
			err := configure.CheckAnchorHash(p, info)
			if !tc.refused {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			data := wantKey(t, err, tc.key)
			if tc.key != "configure.err.anchor_hash_bad" && (data["Got"] != colon || data["Want"] != configure.ColonHash(other)) {
				t.Fatalf("data %v", data)
			}
		})
	}

	p := params
	p.AnchorSHA224Given = other
	err = e.s.Initialize(ctx, p, anchor, softPIN, e.progress)
	wantKey(t, err, "configure.err.anchor_hash_typed")
	if e.f.AnchorImported() || uploads(e.f) != 0 {
		t.Fatal("an anchor with the wrong hash was uploaded")
	}
	p.AnchorSHA224Given = strings.ToLower(want)
	if err := e.s.Initialize(ctx, p, anchor, softPIN, e.progress); err != nil {
		t.Fatal(err)
	}
	if !e.f.AnchorImported() {
		t.Fatal("the anchor with the published hash was not uploaded")
	}
}
