package app

// Fields that guide (issue 12, item 7): a fresh form is quiet, a problem
// shows once the field was typed in or Next was pressed; the member code
// follows the profile's prefix for the class; a public address is never a
// loopback, private, CGNAT or link-local one; fingerprints break only
// between blocks; hints and placeholders can be read.

import (
	"image/color"
	"math"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// shownTexts are the texts a person sees under o: visible labels and
// canvas texts (a form's hints and errors), and "error mark" for every
// visible error icon (an entry's red mark).
func shownTexts(o fyne.CanvasObject) []string {
	var out []string
	var visit func(fyne.CanvasObject)
	visit = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch x := o.(type) {
		case *widget.Label:
			out = append(out, x.Text)
		case *canvas.Text:
			out = append(out, x.Text)
		case *canvas.Image:
			if x.Resource != nil && strings.HasPrefix(x.Resource.Name(), "error_") {
				out = append(out, "error mark")
			}
		}
		switch x := o.(type) {
		case *fyne.Container:
			for _, c := range x.Objects {
				visit(c)
			}
		case fyne.Widget:
			if r := test.WidgetRenderer(x); r != nil {
				for _, c := range r.Objects() {
					visit(c)
				}
			}
		}
	}
	visit(o)
	return out
}

// orgErrors are every message the Organisation form can show.
func orgErrors() []string {
	out := []string{"error mark"}
	for _, k := range []string{"org.err.class", "org.err.code", "org.err.name", "org.err.server_code", "org.err.server_code_cyrillic"} {
		out = append(out, T(k))
	}
	for _, c := range []string{"GOV", "COM"} {
		out = append(out, T("org.err.code_prefix", map[string]any{"Class": c, "Prefix": map[string]string{"GOV": "7", "COM": "6"}[c]}))
	}
	return out
}

func anyShown(w fyne.Window, wz *wizard, msgs []string) []string {
	shown := append(shownTexts(w.Canvas().Content()), wz.message.Text)
	var found []string
	for _, s := range shown {
		for _, m := range msgs {
			if s != "" && strings.Contains(s, m) {
				found = append(found, s)
			}
		}
	}
	return found
}

func TestOrgFormQuietUntilTypedOrNext(t *testing.T) {
	wz, w := newTestWizard(t, nil)
	test.Tap(wz.next)
	if wz.stepID() != stepOrganisation {
		t.Fatalf("at %s", wz.stepID())
	}
	if got := anyShown(w, wz, orgErrors()); len(got) > 0 || wz.next.Disabled() {
		t.Fatalf("a fresh Organisation form shows %q (Next disabled %v)", got, wz.next.Disabled())
	}

	// Typing a code that does not fit the class: that field speaks, the
	// others (still empty) stay quiet.
	wz.org.class.SetSelected("GOV")
	test.Type(wz.org.code, "60000061")
	want := T("org.err.code_prefix", map[string]any{"Class": "GOV", "Prefix": "7"})
	if wz.message.Text != want || !strings.Contains(want, "7") || !wz.next.Disabled() {
		t.Fatalf("bad code typed: message %q, want %q (Next disabled %v)", wz.message.Text, want, wz.next.Disabled())
	}
	if err := wz.org.code.Validate(); err == nil || err.Error() != hintError(want).Error() {
		t.Errorf("the field's own error: %v", err)
	}
	if got := anyShown(w, wz, []string{T("org.err.name"), T("org.err.server_code")}); len(got) > 0 {
		t.Errorf("untouched fields speak: %q", got)
	}
	// COM codes begin with 6: the same code fits once the class changes.
	wz.org.class.SetSelected("COM")
	if wz.message.Text != "" {
		t.Errorf("COM 60000061: message %q", wz.message.Text)
	}
	if !strings.HasPrefix(wz.org.code.PlaceHolder, T("app.example", map[string]any{"Example": "60000001"})) {
		t.Errorf("COM placeholder %q", wz.org.code.PlaceHolder)
	}

	// A fresh form and Next: every problem is told, and each entry marks it.
	wz2, w2 := newTestWizard(t, nil)
	test.Tap(wz2.next)
	test.Tap(wz2.next)
	if wz2.stepID() != stepOrganisation || !strings.HasPrefix(wz2.message.Text, T("org.err.class")) || !wz2.next.Disabled() {
		t.Fatalf("Next on a fresh form: at %s, message %q", wz2.stepID(), wz2.message.Text)
	}
	for _, e := range []*widget.Entry{wz2.org.code, wz2.org.name, wz2.org.serverCode} {
		if !e.AlwaysShowValidationError || e.Validate() == nil {
			t.Errorf("entry %q not marked after Next", e.PlaceHolder)
		}
	}
	if got := anyShown(w2, wz2, []string{"error mark"}); len(got) == 0 {
		t.Error("after Next no entry shows its error mark")
	}
	// Fixing the form lets Next go on.
	fillOrg(wz2, validOrg())
	if wz2.message.Text != "" || wz2.next.Disabled() {
		t.Fatalf("valid form: message %q", wz2.message.Text)
	}
	test.Tap(wz2.next)
	if wz2.stepID() != stepServer {
		t.Fatalf("valid form did not pass: %s", wz2.stepID())
	}
}

// A value brought from an earlier run counts as typed: a bad one shows at
// once, in the user's language.
func TestOrgFormRestoredBadValueShows(t *testing.T) {
	prefs := mapPrefs{prefMemberClass: "COM", prefMemberCode: "70000001", prefOrgName: "ОсОО Тест", prefServerCode: "SS1"}
	wz, _ := newTestWizard(t, prefs)
	if err := SetLanguage("ru"); err != nil {
		t.Fatal(err)
	}
	wz.goTo(wz.stepIndex(stepOrganisation))
	want := T("org.err.code_prefix", map[string]any{"Class": "COM", "Prefix": "6"})
	if wz.message.Text != want || !strings.Contains(want, "начинаются с 6") {
		t.Errorf("restored COM 70000001: message %q, want %q", wz.message.Text, want)
	}
}

// The Server step: a public IP that is not public is refused with why.
func TestServerPublicIPRefusesNonPublic(t *testing.T) {
	wz, _ := newTestWizard(t, nil)
	test.Tap(wz.next)
	fillOrg(wz, validOrg())
	test.Tap(wz.next)
	if wz.stepID() != stepServer || wz.message.Text != "" {
		t.Fatalf("at %s, message %q", wz.stepID(), wz.message.Text)
	}
	for ip, key := range map[string]string{"127.0.0.1": "server.err.public_ip_loopback", "192.168.1.10": "server.err.public_ip_private",
		"100.64.0.7": "server.err.public_ip_cgnat", "169.254.1.1": "server.err.public_ip_link_local", "203.0.113.10": "server.err.public_ip_reserved"} {
		wz.server.pubIP.SetText("")
		test.Type(wz.server.pubIP, ip)
		want := T(key, map[string]any{"Address": ip})
		if wz.message.Text != want || !strings.Contains(want, ip) || !wz.next.Disabled() {
			t.Errorf("%s: message %q, want %q", ip, wz.message.Text, want)
		}
	}
	wz.server.pubIP.SetText("")
	test.Type(wz.server.pubIP, "93.184.216.34")
	if wz.message.Text != "" || wz.next.Disabled() {
		t.Errorf("public IP refused: %q", wz.message.Text)
	}
}

// Table: what may be a security server's public address in an application
// (the CSR package, the registration), and what never.
func TestPublicAddress(t *testing.T) {
	for _, c := range []struct {
		name string
		s    Server
		want string
		key  string // the Server step's problem with PublicIP, "" for none
	}{
		{"loopback IP", Server{PublicIP: "127.0.0.1"}, "", "server.err.public_ip_loopback"},
		{"10/8", Server{PublicIP: "10.1.2.3"}, "", "server.err.public_ip_private"},
		{"172.16/12", Server{PublicIP: "172.20.0.1"}, "", "server.err.public_ip_private"},
		{"192.168/16", Server{PublicIP: "192.168.0.10"}, "", "server.err.public_ip_private"},
		{"CGNAT", Server{PublicIP: "100.100.1.1"}, "", "server.err.public_ip_cgnat"},
		{"link-local", Server{PublicIP: "169.254.0.5"}, "", "server.err.public_ip_link_local"},
		{"IPv6 loopback", Server{PublicIP: "::1"}, "", "server.err.public_ip"},
		{"IPv6 ULA", Server{PublicIP: "fd00::5"}, "", "server.err.public_ip"},
		{"IPv6 link-local", Server{PublicIP: "fe80::5"}, "", "server.err.public_ip"},
		{"public", Server{PublicIP: "93.184.216.34"}, "93.184.216.34", ""},
		{"public, next to 172.16/12", Server{PublicIP: "172.32.0.1"}, "172.32.0.1", ""},
		{"no public IP, private host", Server{Remote: true, Host: "10.0.0.5"}, "", ""},
		{"no public IP, loopback host", Server{Remote: true, Host: "127.0.0.1"}, "", ""},
		{"no public IP, localhost", Server{Remote: true, Host: "localhost"}, "", ""},
		{"no public IP, one-label name", Server{Remote: true, Host: "ss1"}, "", ""},
		{"no public IP, public host", Server{Remote: true, Host: "212.42.96.1"}, "212.42.96.1", ""},
		{"no public IP, DNS name", Server{Remote: true, Host: " ss1.agency.gov.kg "}, "ss1.agency.gov.kg", ""},
		{"this computer, nothing given", Server{}, "", ""},
	} {
		if got := c.s.PublicAddress(); got != c.want {
			t.Errorf("%s: PublicAddress %q, want %q", c.name, got, c.want)
		}
		if got := serverAddress(c.s); got != c.want {
			t.Errorf("%s: the application's address %q, want %q", c.name, got, c.want)
		}
		var keys []string
		for _, p := range c.s.Problems() {
			if p.Field == "public_ip" {
				keys = append(keys, p.Key)
			}
		}
		if strings.Join(keys, ",") != c.key {
			t.Errorf("%s: public IP problems %v, want %q", c.name, keys, c.key)
		}
	}
}

// Fingerprints come in blocks of four, so a line breaks between blocks and
// never inside one.
func TestGroupFingerprint(t *testing.T) {
	for in, want := range map[string]string{
		"SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU": "SHA256: 47DE Qpj8 HBSa +/TI mW+5 JCeu QeRk m5NM pJWZ G3hS uFU",
		"AB:CD:EF:01:23":                   "ABCD EF01 23",
		"e3b0c44298fc1c149afbf4c8996fb924": "e3b0 c442 98fc 1c14 9afb f4c8 996f b924",
		" 0123 4567 89 ":                   "0123 4567 89",
		"":                                 "",
	} {
		if got := groupFingerprint(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
	l := fingerprintLabel("SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU")
	if l.Wrapping != fyne.TextWrapWord || !l.TextStyle.Monospace || !l.Selectable {
		t.Errorf("label: wrapping %v monospace %v", l.Wrapping, l.TextStyle.Monospace)
	}
	// Narrower than the fingerprint: every line is whole blocks.
	_ = test.NewTempApp(t)
	l.Resize(fyne.NewSize(160, 400))
	lines := richLines(l)
	if len(lines) < 3 {
		t.Fatalf("the fingerprint did not wrap at 160 px: %q", lines)
	}
	for _, line := range lines {
		for _, block := range strings.Fields(line) {
			if block != "SHA256:" && len(block) != 4 && block != "uFU" {
				t.Errorf("a line breaks inside a block: %q", line)
			}
		}
	}
}

// richLines are the rendered lines of a label.
func richLines(l *widget.Label) []string {
	var out []string
	walk(l, func(o fyne.CanvasObject) {
		if t, ok := o.(*canvas.Text); ok && t.Text != "" {
			out = append(out, t.Text)
		}
	})
	return out
}

// Secondary text (a low-importance label: the hints and notes of the
// Connect and Health steps; a form item's hint; a placeholder) reads:
// at least 4.5:1 (WCAG AA) against every background it is drawn on, in
// both variants, and still lighter than the text (darker, in the dark
// variant). The colours are the ones Fyne draws those widgets in.
func TestSecondaryTextReadable(t *testing.T) {
	th := newWizardTheme()
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		fg := th.Color(theme.ColorNameForeground, v)
		for _, name := range secondaryColors {
			c := th.Color(name, v)
			for _, bg := range []fyne.ThemeColorName{theme.ColorNameBackground, theme.ColorNameInputBackground,
				theme.ColorNameOverlayBackground, theme.ColorNameMenuBackground} {
				if r := contrast(c, th.Color(bg, v)); r < 4.5 {
					t.Errorf("variant %v: %s text on %s is %.2f:1, under 4.5:1", v, name, bg, r)
				}
			}
			if lc, lf, lb := luminance(c), luminance(fg), luminance(th.Color(theme.ColorNameBackground, v)); (lc-lf)*(lb-lc) <= 0 {
				t.Errorf("variant %v: %s text not between the text and the page", v, name)
			}
		}
	}
	if th.Color(theme.ColorNameForeground, theme.VariantLight) != theme.DefaultTheme().Color(theme.ColorNameForeground, theme.VariantLight) {
		t.Error("the theme changed more than the secondary text")
	}
	// Drawn: a low-importance label and a form item's hint, in the
	// theme users get.
	a := test.NewTempApp(t)
	a.Settings().SetTheme(th)
	low := wrappedLow("a note under a form")
	form := widget.NewForm(&widget.FormItem{Text: "Field", Widget: widget.NewEntry(), HintText: "a hint under a field"})
	w := test.NewWindow(container.NewVBox(low, form))
	defer w.Close()
	drawn := map[string]color.Color{}
	walk(w.Content(), func(o fyne.CanvasObject) {
		if x, ok := o.(*canvas.Text); ok {
			drawn[x.Text] = x.Color
		}
	})
	for _, text := range []string{"a note under a form", "a hint under a field"} {
		c, ok := drawn[text]
		if !ok {
			t.Fatalf("%q not drawn: %v", text, drawn)
		}
		// The variant it was drawn for: the one whose secondary colour it is.
		var v fyne.ThemeVariant = 99
		for _, vv := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
			for _, name := range secondaryColors {
				if colorEq(c, th.Color(name, vv)) {
					v = vv
				}
			}
		}
		if v == 99 {
			t.Errorf("%q drawn in %v, not in the theme's secondary colour", text, c)
		} else if r := contrast(c, th.Color(theme.ColorNameBackground, v)); r < 4.5 {
			t.Errorf("%q drawn at %.2f:1", text, r)
		}
	}
	// Examples read as examples, in each language.
	_ = test.NewTempApp(t)
	for _, code := range Languages {
		if err := SetLanguage(code); err != nil {
			t.Fatal(err)
		}
		if e := example("SS1"); e == "SS1" || !strings.Contains(e, "SS1") {
			t.Errorf("%s: example %q", code, e)
		}
	}
	_ = SetLanguage("en")
}

// A field's hint line never wraps in Fyne: the validator gives it the
// first sentence, cut short, and the page's message the whole text.
func TestHintErrorIsOneShortLine(t *testing.T) {
	long := "203.0.113.10 is a reserved or example address, not one on the internet. Give the dedicated static public (\"white\") IP address."
	got := hintError(long).Error()
	if strings.Contains(got, "Give") || len([]rune(got)) > hintRunes+1 || !strings.HasPrefix(got, "203.0.113.10 is a reserved") {
		t.Fatalf("hint %q", got)
	}
	if got := hintError("Короткий текст").Error(); got != "Короткий текст" {
		t.Fatalf("a short text changed: %q", got)
	}
}

// luminance is c's relative luminance (WCAG 2.x).
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		x := float64(v) / 0xffff
		if x <= 0.03928 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// contrast is the WCAG contrast ratio of a against b, 1 to 21.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

func colorEq(a, b color.Color) bool {
	ar, ag, ab, aa := a.RGBA()
	br, bg, bb, ba := b.RGBA()
	return ar == br && ag == bg && ab == bb && aa == ba
}
