//go:build cgo

package main

import (
	"strings"
	"testing"
)

// A token that still has the Rutoken factory PINs gets no key, from
// keygen or prepare, and the refusal names the command that changes the
// PIN, in the user's language; once the PINs are changed, keygen works.
func TestFactoryPINsRefused(t *testing.T) {
	label := softToken(t, "factory")
	dir := t.TempDir()
	keygenArgs := []string{"token", "keygen", "--token", label, "--pin-stdin", "--server-code", "ss-01", "--member-code", "70000001"}
	code, out, errOut := tok(t, factoryUser+"\n", keygenArgs...)
	if code != exitCannot || !strings.Contains(errOut, "factory user PIN") || !strings.Contains(errOut, "tunduk-onboard-cli token pin change-user") {
		t.Errorf("keygen with the factory user PIN: exit %d %q", code, errOut)
	}
	noSecrets(t, out+errOut, factoryUser)
	code, _, errOut = tok(t, factoryUser+"\n", append(keygenArgs, "--lang", "ky")...)
	if code != exitCannot || !strings.Contains(errOut, "колдонуучунун заводдук PIN-коду") || !strings.Contains(errOut, "token pin change-user") {
		t.Errorf("keygen --lang ky: exit %d %q", code, errOut)
	}

	// prepare: a factory SO PIN is refused before the token is touched
	// (C_InitToken would keep it), naming change-so.
	code, out, errOut = prepare(t, factorySO+"\n"+prepUser+"\n"+prepUser+"\n", label, dir, "--label", "renamed", "--lang", "ru")
	if code != exitCannot || !strings.Contains(errOut, "заводской PIN-код администратора") || !strings.Contains(errOut, "tunduk-onboard-cli token pin change-so") {
		t.Errorf("prepare with the factory SO PIN: exit %d %q", code, errOut)
	}
	noSecrets(t, out+errOut, factorySO, prepUser)
	if ti := listToken(t, label); ti.Label != label {
		t.Errorf("the refused prepare relabelled the token to %q", ti.Label)
	}
	if keys := keysOn(t, label, factoryUser); len(keys) != 0 {
		t.Fatalf("a key was made on a token with factory PINs: %v", keys)
	}

	// The PINs changed as the messages say: keygen and prepare work.
	const ownSO, ownUser = "own-so-pin-31", "own-user-pin-31"
	if code, _, errOut := tok(t, factoryUser+"\n"+ownUser+"\n"+ownUser+"\n", "token", "pin", "change-user", "--token", label, "--pin-stdin"); code != exitOK {
		t.Fatalf("change-user: exit %d %s", code, errOut)
	}
	// The SO PIN nobody typed is still the factory one: the token says so
	// when asked, and keygen names change-so.
	code, out, errOut = tok(t, ownUser+"\n", keygenArgs...)
	if code != exitCannot || !strings.Contains(errOut, "tunduk-onboard-cli token pin change-so") {
		t.Fatalf("keygen under the factory SO PIN: exit %d %s%s", code, out, errOut)
	}
	if keys := keysOn(t, label, ownUser); len(keys) != 0 {
		t.Fatalf("a key was made under the factory SO PIN: %v", keys)
	}
	if code, _, errOut := tok(t, factorySO+"\n"+ownSO+"\n"+ownSO+"\n", "token", "pin", "change-so", "--token", label, "--pin-stdin"); code != exitOK {
		t.Fatalf("change-so: exit %d %s", code, errOut)
	}
	code, out, errOut = tok(t, ownUser+"\n", keygenArgs...)
	if code != exitOK || !strings.Contains(out, "CKA_ID") {
		t.Fatalf("keygen after the changes: exit %d %s", code, errOut)
	}
	serial := listToken(t, label).Serial
	code, _, errOut = prepare(t, ownSO+"\n"+ownUser+"\n"+ownUser+"\n", label, dir, "--label", label, "--yes-wipe", serial)
	if code != exitOK {
		t.Fatalf("prepare after the change: exit %d %s", code, errOut)
	}
	if keys := keysOn(t, label, ownUser); len(keys) != 1 {
		t.Errorf("keys after prepare: %v", keys)
	}
}
