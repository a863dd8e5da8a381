package tokens

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestCheckFactoryPINs(t *testing.T) {
	ready := TokenInfo{Initialized: true}
	cases := []struct {
		name     string
		tok      TokenInfo
		user, so string
		factory  []string
		want     *FactoryPINError
	}{
		{"own PINs", ready, "own-user-pin", "own-so-pin", nil, nil},
		{"factory user PIN", ready, "12345678", "", nil, &FactoryPINError{User: true}},
		{"factory SO PIN", ready, "", "87654321", nil, &FactoryPINError{SO: true}},
		{"both", ready, "12345678", "87654321", nil, &FactoryPINError{User: true, SO: true}},
		// Either factory value counts for either PIN: a person may have set them crosswise.
		{"crosswise", ready, "87654321", "12345678", nil, &FactoryPINError{User: true, SO: true}},
		{"nothing typed", ready, "", "", nil, nil},
		{"user flagged to be changed", TokenInfo{Initialized: true, UserPINToBeChanged: true}, "own-user-pin", "", nil, &FactoryPINError{User: true}},
		{"SO flagged to be changed", TokenInfo{Initialized: true, SOPINToBeChanged: true}, "own-user-pin", "", nil, &FactoryPINError{SO: true}},
		{"flags of a token never initialised mean nothing", TokenInfo{UserPINToBeChanged: true, SOPINToBeChanged: true}, "", "own-so-pin", nil, nil},
		{"a new token's SO PIN", TokenInfo{}, "", "87654321", nil, &FactoryPINError{SO: true, NewToken: true}},
		{"the profile's list", ready, "00000000", "", []string{"00000000"}, &FactoryPINError{User: true}},
		{"the profile's list replaces the default", ready, "12345678", "", []string{"00000000"}, nil},
	}
	for _, c := range cases {
		err := CheckFactoryPINs(c.tok, c.user, c.so, c.factory)
		var fe *FactoryPINError
		switch {
		case c.want == nil && err != nil:
			t.Errorf("%s: %v, want nil", c.name, err)
		case c.want != nil && (!errors.As(err, &fe) || *fe != *c.want):
			t.Errorf("%s: %#v, want %#v", c.name, err, c.want)
		}
		if err != nil && (strings.Contains(err.Error(), c.user) && c.user != "" || strings.Contains(err.Error(), c.so) && c.so != "") {
			t.Errorf("%s: the error holds a PIN: %q", c.name, err)
		}
	}
}

func TestExplainFactory(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{&FactoryPINError{User: true}, "token.err.factory_user"},
		{&FactoryPINError{SO: true}, "token.err.factory_so"},
		{&FactoryPINError{SO: true, NewToken: true}, "token.err.factory_so_new"},
		{fmt.Errorf("keygen: %w", &FactoryPINError{User: true, SO: true}), "token.err.factory_both"},
	} {
		if m := Explain(c.err, 0); len(m) != 1 || m[0].Key != c.want {
			t.Errorf("%v: %v, want %s", c.err, m, c.want)
		}
	}
}

// A token set up with the Rutoken factory PINs (SoftHSM2 has none of its
// own; a test token is given them) gets no key until its user PIN is
// changed; the refusal leaves no object and does not even log in.
func TestKeygenRefusesFactoryPIN(t *testing.T) {
	m := softhsm(t)
	tok, err := m.InitToken(freeToken(t, m), "87654321", uniqueLabel("factory"), "12345678", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	logins := 0
	loginHook = func(uint) { logins++ }
	defer func() { loginHook = nil }()
	_, err = m.GenerateSigningKey(context.Background(), tok, "12345678", 2048, "refused")
	var fe *FactoryPINError
	if !errors.As(err, &fe) || !fe.User {
		t.Fatalf("keygen with the factory user PIN: %v", err)
	}
	if logins != 0 {
		t.Errorf("%d logins for a refused keygen", logins)
	}
	loginHook = nil
	if objs, err := m.Objects(tok, "12345678"); err != nil || len(objs) != 0 {
		t.Fatalf("objects after the refusal: %v %v", objs, err)
	}
	if err := m.ChangeUserPIN(tok, "12345678", "own-user-pin-1"); err != nil {
		t.Fatal(err)
	}
	key, err := m.GenerateSigningKey(context.Background(), tok, "own-user-pin-1", 2048, "allowed")
	if err != nil || key.Bits != 2048 {
		t.Fatalf("keygen after the change: %v", err)
	}
}

func TestLibraryInfo(t *testing.T) {
	li := softhsm(t).Library()
	if li.Kind != LibrarySoftHSM || !strings.Contains(li.Manufacturer, "SoftHSM") || li.File != "libsofthsm2.so" || li.Version == "" {
		t.Errorf("SoftHSM2 library: %+v", li)
	}
	for _, c := range []struct {
		file, manufacturer, description string
		want                            LibraryKind
	}{
		{"librtpkcs11ecp.so", "", "", LibraryRutoken},
		{"rtpkcs11ecp.dll", "Aktiv Co.", "Rutoken ECP PKCS #11 library", LibraryRutoken},
		{"pkcs11.so", "Aktiv Co.", "", LibraryRutoken},
		{"opensc-pkcs11.so", "OpenSC Project", "OpenSC smartcard framework", LibraryOpenSC},
		{"opensc-pkcs11.so", "", "", LibraryOpenSC},
		{"libsofthsm2.so", "SoftHSM", "Implementation of PKCS11", LibrarySoftHSM},
		// The library's own words win over a misleading file name.
		{"librtpkcs11ecp.so", "SoftHSM", "Implementation of PKCS11", LibrarySoftHSM},
		{"libeTPkcs11.so", "SafeNet, Inc.", "SafeNet eToken PKCS#11", LibraryOther},
	} {
		if got := classifyLibrary(c.file, c.manufacturer, c.description); got != c.want {
			t.Errorf("%s %q %q: %s, want %s", c.file, c.manufacturer, c.description, got, c.want)
		}
	}
}

func TestVerifySOPIN(t *testing.T) {
	m := softhsm(t)
	tok := newToken(t, m, uniqueLabel("verify-so"))
	if err := m.VerifySOPIN(tok, testSOPIN); err != nil {
		t.Fatalf("the right SO PIN: %v", err)
	}
	var pe *PINError
	if err := m.VerifySOPIN(tok, "not-the-so-pin"); !errors.As(err, &pe) || pe.Who != "so" {
		t.Fatalf("a wrong SO PIN: %v", err)
	}
	// Nothing changed: the SO PIN still works, and the user PIN too.
	if err := m.VerifySOPIN(tok, testSOPIN); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Objects(tok, testUserPIN); err != nil {
		t.Fatal(err)
	}
}

// The SO PIN is probed with the factory value, changing nothing: found
// factory, found own; a refused probe sets the token's "a try failed"
// flag and no probe tries again until the owner logs in as SO.
func TestProbeFactorySOPIN(t *testing.T) {
	m := softhsm(t)
	tok, err := m.InitToken(freeToken(t, m), FactorySOPIN, uniqueLabel("probe"), "own-user-pin-2", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	refresh := func() TokenInfo {
		t.Helper()
		ti, err := m.Find(tok.Serial)
		if err != nil {
			t.Fatal(err)
		}
		return ti
	}
	if got, err := m.ProbeFactorySOPIN(tok, FactorySOPIN); got != SOFactory || err != nil {
		t.Fatalf("factory SO PIN: %v %v", got, err)
	}
	if ti := refresh(); ti.SOPINCountLow || ti.Label != tok.Label {
		t.Fatalf("the probe changed the token: %+v", ti)
	}
	if err := m.ChangeSOPIN(tok, FactorySOPIN, "own-so-pin-2"); err != nil {
		t.Fatal(err)
	}
	if got, err := m.ProbeFactorySOPIN(refresh(), FactorySOPIN); got != SOOwn || err != nil {
		t.Fatalf("own SO PIN: %v %v", got, err)
	}
	if !refresh().SOPINCountLow {
		t.Skip("this PKCS#11 module does not flag a failed SO login: the guard cannot be shown here")
	}
	tries := 0
	loginHook = func(uint) { tries++ }
	defer func() { loginHook = nil }()
	if got, err := m.ProbeFactorySOPIN(refresh(), FactorySOPIN); got != SONotTried || err != nil || tries != 0 {
		t.Fatalf("after a failed try: %v %v, %d logins; want no try", got, err, tries)
	}
	loginHook = nil
	if err := m.VerifySOPIN(tok, "own-so-pin-2"); err != nil {
		t.Fatal(err)
	}
	if got, err := m.ProbeFactorySOPIN(refresh(), FactorySOPIN); got != SOOwn || err != nil {
		t.Fatalf("after the owner's SO login: %v %v", got, err)
	}
}
