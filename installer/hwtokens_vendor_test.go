package installer

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/tokens/vendors"
	"github.com/tunduk-onboard/tunduk-onboard/tokens/vendors/vendorstest"
)

// The devices.ini step writes the section of the token chosen (the
// option, else the profile's signing_key.token_vendor; the Rutoken by
// default), and what it writes is a module X-Road's signer loads with
// that vendor's library, beside an administrator's packaged file.
func TestHWTokensWritesTheVendorsSection(t *testing.T) {
	for _, c := range []struct {
		option, profile, want string
	}{
		{"", "", "rutoken"},
		{"jacarta", "", "jacarta"},
		{"", "jacarta", "jacarta"},
		{"rutoken", "jacarta", "rutoken"},
	} {
		v, _ := vendors.ByID(c.want)
		h := newHWTokensHost(t)
		p := testProfile(t)
		p.Install.RutokenLibrary = h.lib
		p.SigningKey.TokenVendor = c.profile
		opt := options()
		opt.TokenOnServer, opt.TokenVendor = true, c.option
		steps, err := Plan(p, report(), opt)
		if err != nil {
			t.Fatal(err)
		}
		h.step = step(t, steps, "hwtokens")
		lib := h.lib
		if c.want != "rutoken" {
			lib = v.Server.Library // the table's path, moved into the folder like devices.ini
			for _, s := range []*string{&h.step.Check, &h.step.Apply} {
				*s = strings.ReplaceAll(*s, lib, h.lib)
			}
		}
		if err := os.WriteFile(h.ini, []byte(vendorstest.PackagedINI), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := h.run(h.step.Apply); err != nil {
			t.Fatalf("%+v: apply: %v\n%s", c, err, out)
		}
		if out, err := h.run(h.step.Check); err != nil {
			t.Errorf("%+v: the check fails after the step: %v\n%s", c, err, out)
		}
		data, _ := os.ReadFile(h.ini)
		mods, err := vendorstest.ParseDevicesINI(string(data))
		if err != nil || len(mods) != 1 || mods[v.Server.Section]["library"] != h.lib {
			t.Errorf("%+v: the signer reads %v (%v) from\n%s", c, mods, err, data)
		}
		if !strings.Contains(h.step.Title.EN, v.Name) || !strings.Contains(h.step.Title.RU, "Поддержка аппаратного токена") {
			t.Errorf("%+v: title %+v", c, h.step.Title)
		}
		if c.want != "rutoken" && !strings.Contains(h.step.Apply, "install '"+v.Server.Package+"'") {
			t.Errorf("%+v: the vendor's package is not installed:\n%s", c, h.step.Apply)
		}
		for _, it := range Summary(p, opt) {
			if it.Key == "installer.summary.hwtokens" && !strings.Contains(it.Text("ru"), "/etc/xroad/devices.ini") {
				t.Errorf("summary: %s", it.Text("ru"))
			}
		}
	}
	// A test token or an unknown one is refused with the option named.
	p := testProfile(t)
	for _, id := range []string{"softhsm", "yubikey"} {
		opt := options()
		opt.TokenOnServer, opt.TokenVendor = true, id
		_, err := Plan(p, report(), opt)
		var oe OptionErrors
		if !errors.As(err, &oe) || len(oe) != 1 || oe[0].Field != FieldTokenVendor || !strings.Contains(oe[0].Error(), "rutoken, jacarta") {
			t.Errorf("%s: %v", id, err)
		}
	}
}
