package checks_test

// What a hostile or broken host reports reaches no reader unescaped, and
// a report that decides nothing is not a pass.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/checks/checkstest"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

// probeReport judges a probe output as the remote check does.
func probeReport(t *testing.T, probe []byte, local bool) (*checks.Report, error) {
	t.Helper()
	p, err := profile.Default()
	if err != nil {
		t.Fatal(err)
	}
	collect := func(context.Context) (*checks.Facts, error) { return checks.ParseProbe(probe) }
	return checks.Check(context.Background(), checks.Target{Host: "admin@ss1", Local: local}, collect, p, checks.Options{}, nil)
}

// clean fails when s holds a control or escape sequence or bytes that
// are not UTF-8.
func clean(t *testing.T, what, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Errorf("%s is not valid UTF-8", what)
	}
	for _, c := range checkstest.Controls {
		if i := strings.Index(s, c); i >= 0 {
			t.Errorf("%s holds %q: ...%q...", what, c, s[max(0, i-40):min(len(s), i+40)])
		}
	}
}

// Every report format, in every language, shows what the host said with
// its escape sequences gone: observed values, the why and fix texts made
// from host values (a process name in a fix), unknown reasons, the facts.
func TestHostileProbeReachesNoReader(t *testing.T) {
	for _, local := range []bool{false, true} { // the local report names the machine by its host name
		rep, err := probeReport(t, checkstest.HostileProbe(), local)
		if err != nil {
			t.Fatal(err)
		}
		var js bytes.Buffer
		if err := rep.WriteJSON(&js); err != nil {
			t.Fatal(err)
		}
		clean(t, "JSON", js.String())
		if !json.Valid(js.Bytes()) {
			t.Error("JSON not valid")
		}
		for _, lang := range i18n.Languages {
			var text, page bytes.Buffer
			rep.WriteText(&text, lang, false)
			rep.WriteHTML(&page, lang)
			clean(t, lang+" text", text.String())
			clean(t, lang+" HTML", page.String())
		}
		var text bytes.Buffer
		rep.WriteText(&text, "en", false)
		// What the host said is still shown, cleaned.
		for _, want := range []string{"LTS2J", "Xeon2J", "Rutoken2J"} {
			if !strings.Contains(text.String(), want) {
				t.Errorf("text lacks %q:\n%s", want, text.String())
			}
		}
		if !strings.Contains(js.String(), `"ev2Jil.UTF-8"`) || !strings.Contains(js.String(), `"ss12Jevil"`) {
			t.Errorf("the facts lack the host name and the locale, cleaned:\n%s", js.String())
		}
		if local && !strings.Contains(text.String(), "ss12Jevil") {
			t.Errorf("the local report does not name the machine cleaned:\n%s", text.String())
		}
		// A fix made from what the host said (the program on the port).
		if port := result(t, rep, "port.4000"); port.Status != checks.Fail || !strings.Contains(port.Fix.EN, "(ev)") {
			t.Errorf("port 4000: %s, fix %q", port.Status, port.Fix.EN)
		}
	}
}

func result(t *testing.T, rep *checks.Report, id string) checks.Result {
	t.Helper()
	for _, r := range rep.Results {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no result %s", id)
	return checks.Result{}
}

// A probe whose every section is empty decides nothing: an error saying
// the output was unusable, never a report (which would exit 0).
func TestEmptyProbeIsNotAPass(t *testing.T) {
	rep, err := probeReport(t, checkstest.EmptyProbe(), false)
	if !errors.Is(err, checks.ErrProbeOutput) || !errors.Is(err, checks.ErrNothingDecided) || rep != nil {
		t.Fatalf("report %v, err %v; want the probe output unusable", rep, err)
	}
}

// A file the checking user may not read is told as such, not as missing:
// in the results' texts of every language, so in text, JSON and HTML.
func TestUnreadableSaysPermissionDenied(t *testing.T) {
	probe := strings.Replace(string(checkstest.HostileProbe()), `PRETTY_NAME="Ubuntu 22.04.4 LTS`+checkstest.Hostile+`"`+"\nID=ubuntu\nVERSION_ID=\"22.04\"",
		"@@tunduk:unreadable:/etc/os-release@@\n@@tunduk:unreadable:/usr/lib/os-release@@", 1)
	// ens18's only configuration is unreadable.
	probe = strings.Replace(probe, "@@tunduk:file:/etc/netplan/00-", "@@tunduk:unreadable:/etc/netplan/00-", 1)
	rep, err := probeReport(t, []byte(probe), false)
	if err != nil {
		t.Fatal(err)
	}
	words := map[string]string{"en": "permission denied", "ru": "доступ", "ky": "тыюу салынган"}
	for id, file := range map[string]string{"os.release": "/etc/os-release, /usr/lib/os-release", "net.static": "/etc/netplan/00-2J.yaml"} {
		r := result(t, rep, id)
		if r.Status != checks.Unknown {
			t.Fatalf("%s: %s", id, r.Status)
		}
		for _, lang := range i18n.Languages {
			fix := r.Fix.In(lang)
			if !strings.Contains(fix, words[lang]) || !strings.Contains(fix, file) || strings.Contains(fix, "not found") || strings.Contains(fix, "не найден") {
				t.Errorf("%s %s: %q", id, lang, fix)
			}
			var text, page bytes.Buffer
			rep.WriteText(&text, lang, false)
			rep.WriteHTML(&page, lang)
			if !strings.Contains(text.String(), fix) || !strings.Contains(page.String(), words[lang]) {
				t.Errorf("%s %s: the reason is missing from the text or HTML report", id, lang)
			}
		}
	}
	var js bytes.Buffer
	rep.WriteJSON(&js)
	var doc struct {
		Facts struct {
			Unreadable map[string][]string `json:"unreadable"`
		} `json:"facts"`
		Results []checks.Result `json:"results"`
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if got := doc.Facts.Unreadable["os"]; len(got) != 2 || got[0] != "/etc/os-release" {
		t.Errorf("facts.unreadable %v", doc.Facts.Unreadable)
	}
	for _, r := range doc.Results {
		if r.ID == "os.release" && (!strings.Contains(r.Fix.EN, "permission denied") || !strings.Contains(r.Fix.RU, "доступ")) {
			t.Errorf("JSON fix %+v", r.Fix)
		}
	}
}
