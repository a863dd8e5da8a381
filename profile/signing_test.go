package profile

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/tokens/vendors"
)

// The embedded profile allows all three placements with the USB token
// (the hardware token the operator's page names) first, and knows every
// production token's USB vendor id.
func TestDefaultSigningKey(t *testing.T) {
	p, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	sk := p.SigningKey
	if strings.Join(sk.Offered(), ",") != "usb_token,server_hw_token,server_soft_token" || sk.Default != PlacementUSBToken || sk.Vendor() != "rutoken" {
		t.Errorf("signing_key %+v", sk)
	}
	for _, id := range vendors.IDs(false) {
		v, _ := vendors.ByID(id)
		if _, ok := p.USBTokenVendors[v.USBVendor]; !ok {
			t.Errorf("usb_token_vendors lacks %s (%s)", v.USBVendor, v.Name)
		}
	}
}

// A signing_key the loader refuses names its field.
func TestSigningKeyErrorsNameTheField(t *testing.T) {
	good, err := os.ReadFile("../assets/profiles/tunduk.json")
	if err != nil {
		t.Fatal(err)
	}
	const placements = `"placements": ["usb_token", "server_hw_token", "server_soft_token"]`
	for _, c := range []struct{ name, from, to, field string }{
		{"none", placements, `"placements": []`, "signing_key.placements"},
		{"unknown", placements, `"placements": ["usb_token", "cloud_hsm"]`, "signing_key.placements[1]"},
		{"twice", placements, `"placements": ["usb_token", "usb_token"]`, "signing_key.placements[1]"},
		{"default not allowed", placements, `"placements": ["server_soft_token"]`, "signing_key.default"},
		{"default unknown", `"default": "usb_token"`, `"default": "somewhere"`, "signing_key.default"},
		{"vendor", `"token_vendor": "rutoken"`, `"token_vendor": "yubikey"`, "signing_key.token_vendor"},
		{"test token", `"token_vendor": "rutoken"`, `"token_vendor": "softhsm"`, "signing_key.token_vendor"},
		{"typo", `"token_vendor": "rutoken"`, `"token_vendors": "rutoken"`, "token_vendors"},
	} {
		data := strings.Replace(string(good), c.from, c.to, 1)
		if data == string(good) {
			t.Fatalf("%s: %q is not in the profile", c.name, c.from)
		}
		_, err := Parse([]byte(data), "test.json")
		var pe *Error
		if !errors.As(err, &pe) || pe.Field != c.field {
			t.Errorf("%s: %v, want field %s", c.name, err, c.field)
		}
	}
	// A profile that allows only the software token, with it as default.
	only := strings.Replace(strings.Replace(string(good), placements, `"placements": ["server_soft_token"]`, 1),
		`"default": "usb_token"`, `"default": "server_soft_token"`, 1)
	p, err := Parse([]byte(only), "soft.json")
	if err != nil || p.SigningKey.Allows(PlacementUSBToken) || !p.SigningKey.Allows(PlacementServerSoftToken) {
		t.Errorf("soft token only: %v %+v", err, p)
	}
}
