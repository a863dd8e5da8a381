package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// The server is not ready: the signing CSR goes alone with a letter that
// says the authentication CSR follows (--auth-csr-later); days later the
// authentication CSR goes as part 2 of the same application (--follows
// ID, the organisation taken from the submission). The store shows one
// application with two parts; status tells both, in the user's language.
func TestSubmitInParts(t *testing.T) {
	e := newSubmitEnv(t)
	usb := filepath.Join(t.TempDir(), "usb")
	org := []string{"--member-class", "GOV", "--member-code", "70000001", "--name", submitOrg, "--server-code", "SS1",
		"--server-address", "93.184.216.34", "--store", e.store}
	code, out, errOut := e.run("", append([]string{"submit", "--via", "folder", "--out", usb, "--sign-csr", e.signCSR,
		"--sign-key", "Rutoken 0a1b2c3d", "--auth-csr-later", "--format", "json"}, org...)...)
	if code != exitOK {
		t.Fatalf("part 1: exit %d: %s %s", code, out, errOut)
	}
	o := decodeSubmit(t, out)
	follows := i18n.T("en", "cli.submit.follows_auth", map[string]any{"ID": o.ID})
	if o.Part != 1 || !slices.Equal(o.Follows, []enroll.Usage{enroll.UsageAuth}) || !o.Delivered || !slices.Contains(o.Messages, follows) {
		t.Fatalf("part 1 output %+v", o)
	}
	if p, err := enroll.Open(o.Folder); err != nil || p.Manifest.Part != 1 || strings.Contains(strings.Join(p.Names(), ","), "auth.csr") {
		t.Fatalf("part 1 copy: %v", err)
	}

	// The rest, with nothing but the submission's ID and the new CSR.
	code, out, errOut = e.run("", "submit", "--via", "folder", "--out", usb, "--follows", o.ID, "--auth-csr", e.authCSR,
		"--store", e.store, "--format", "json")
	if code != exitOK {
		t.Fatalf("part 2: exit %d: %s %s", code, out, errOut)
	}
	o2 := decodeSubmit(t, out)
	if o2.ID != o.ID || o2.Part != 2 || len(o2.Follows) != 0 || o2.Folder != filepath.Join(usb, o.ID+"-part2") {
		t.Fatalf("part 2 output %+v", o2)
	}
	code, out, _ = e.run("", "submit", "list", "--store", e.store, "--format", "json")
	l := decodeSubmit(t, out)
	if code != exitOK || len(l.Records) != 1 || len(l.Records[0].Parts) != 2 || len(l.Records[0].Awaited()) != 0 {
		t.Fatalf("list: one application with two parts wanted: %s", out)
	}
	code, out, _ = e.run("", "submit", "status", o.ID, "--store", e.store, "--lang", "ky")
	for _, want := range []string{
		i18n.T("ky", "cli.submit.part_of", map[string]any{"Part": 2}),
		i18n.T("ky", "cli.submit.csr.sign", nil), i18n.T("ky", "cli.submit.csr.auth", nil),
	} {
		if code != exitOK || !strings.Contains(out, want) {
			t.Errorf("status lacks %q: %d\n%s", want, code, out)
		}
	}

	// Not the rest: another organisation name is refused, nothing made.
	code, _, errOut = e.run("", "submit", "--via", "folder", "--out", usb, "--follows", o.ID, "--auth-csr",
		writeCSR(t, filepath.Join(e.dir, "auth2.der"), "SS1", false), "--name", "Другое учреждение", "--store", e.store, "--lang", "ru")
	if code != exitCannot || !strings.Contains(errOut, i18n.T("ru", "enroll.err.nothing_awaited", map[string]any{"ID": o.ID})) {
		t.Errorf("a complete application continued: %d %s", code, errOut)
	}
	// Given and said to follow: refused before anything is made.
	code, _, errOut = e.run("", append([]string{"submit", "--via", "folder", "--out", usb, "--auth-csr", e.authCSR,
		"--auth-csr-later", "--sign-csr", e.signCSR}, org...)...)
	if code != exitCannot || !strings.Contains(errOut, "--auth-csr-later") {
		t.Errorf("later and given: %d %s", code, errOut)
	}
	if code, out, _ = e.run("", "submit", "list", "--store", e.store, "--format", "json"); len(decodeSubmit(t, out).Records) != 1 {
		t.Errorf("refusals made applications: %s", out)
	}
}

// --follows of an application that waits, with a changed participant,
// says what it awaits and makes nothing.
func TestSubmitFollowsNotTheRest(t *testing.T) {
	e := newSubmitEnv(t)
	usb := filepath.Join(t.TempDir(), "usb")
	code, out, errOut := e.run("", "submit", "--via", "folder", "--out", usb, "--sign-csr", e.signCSR, "--auth-csr-later",
		"--member-class", "GOV", "--member-code", "70000001", "--name", submitOrg, "--server-code", "SS1",
		"--server-address", "93.184.216.34", "--store", e.store, "--format", "json")
	if code != exitOK {
		t.Fatalf("part 1: %d %s", code, errOut)
	}
	id := decodeSubmit(t, out).ID
	code, _, errOut = e.run("", "submit", "--via", "folder", "--out", usb, "--follows", id, "--auth-csr", e.authCSR,
		"--server-address", "93.184.216.35", "--store", e.store, "--lang", "en")
	if code != exitCannot || !strings.Contains(errOut, i18n.T("en", "enroll.err.not_the_rest", map[string]any{"ID": id, "Awaited": "auth"})) {
		t.Errorf("another address: %d %s", code, errOut)
	}
	if code, out, _ = e.run("", "submit", "status", id, "--store", e.store, "--format", "json"); len(decodeSubmit(t, out).Records[0].Parts) != 1 {
		t.Errorf("a part was made: %s", out)
	}
}
