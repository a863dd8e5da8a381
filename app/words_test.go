package app

// Every word the wizard can show, in Russian and Kyrgyz: its own
// catalogue and the report catalogue's messages it renders (readiness
// results, the installer's, the configure and enroll flows', file
// reasons). No sentence left in English, no command-line flag or CLI
// command (the wizard has buttons for those), and the operator's words
// where the glossary (../shared/GLOSSARY.md) fixes them.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// reportShown are the first parts of the report catalogue's keys the
// wizard shows; reportNotShown are the CLI's (cli.*) and the token
// messages the wizard has twins of in its own catalogue (token.*: T reads
// those). A new first part must be put in one of the two.
var (
	reportShown = []string{"rule", "req", "obs", "note", "class", "status", "report", "installer", "configure",
		"enroll", "xroad", "handover", "csr", "file", "onboarding", "print", "call", "connect", "health", "backup"}
	reportNotShown = []string{"cli", "token"}
	// reportNotShownPrefixes are parts of a shown group the wizard never
	// shows: alerts are sent by the CLI's status only.
	reportNotShownPrefixes = []string{"health.alert."}
)

// allowedASCII are whole texts that stay Latin in every language: the
// product's name, a language's own name, program names, a token's name
// as its maker writes it in every language.
var allowedASCII = map[string]bool{"Tunduk Onboard": true, "English": true, "ssh-agent": true, "JaCarta PKI": true}

// allowedFlags are flags of other programs that a fix may quote (sudo
// systemctl enable --now pcscd).
var allowedFlags = map[string]bool{"--now": true}

// cliCommands are the CLI's commands: the wizard's words never send the
// user to them.
var cliCommands = []string{"tunduk-onboard-cli", "submit flush", "submit status", "submit list", "server init",
	"server csr", "server import", "server register", "server status", "register --wait", "token list",
	"token pin", "check --format"}

var (
	reTemplate = regexp.MustCompile(`\{\{[^}]*\}\}`)
	reURL      = regexp.MustCompile(`https?://\S+`)
	reLatin    = regexp.MustCompile(`[A-Za-z]`)
	reFlag     = regexp.MustCompile(`(?:^|[\s(«"'])(--[a-z][a-z0-9-]*)`)
	reAdminAPI = regexp.MustCompile(`(?i)\badmin API`)
	// An identifier or code: a token with a digit or one of ._/@:#=, or
	// all capitals (GOV, CSR, PIN, DHCP), or punctuation alone.
	reIdent = regexp.MustCompile(`^(?:[^A-Za-z]*|.*[0-9._/@:#=].*|[^a-z]*)$`)
	// The Kyrgyz pages write ВЭӨТ with these endings only (the glossary):
	// ВЭӨТкө, ВЭӨТтө, ВЭӨТтүн, and the ablative and accusative that
	// follow the same harmony.
	reVEOT      = regexp.MustCompile(`ВЭӨТ([\p{L}']*)`)
	veotEndings = map[string]bool{"": true, "кө": true, "тө": true, "түн": true, "төн": true, "тү": true}
)

// englishSentence reports whether s (a message with its placeholders) is
// English left untranslated: Latin letters only, and not just identifiers,
// codes, file names or URLs.
func englishSentence(s string) bool {
	s = reURL.ReplaceAllString(reTemplate.ReplaceAllString(s, ""), "")
	s = strings.TrimSpace(s)
	if allowedASCII[s] || !reLatin.MatchString(s) {
		return false
	}
	for _, r := range s {
		if r > 0x7f {
			return false // a letter of another script: a translated sentence
		}
	}
	for _, tok := range strings.Fields(s) {
		if !reIdent.MatchString(strings.Trim(tok, `()[],;"'`)) {
			return true
		}
	}
	return false
}

// wizardTexts are the messages the wizard can show in lang, by key
// ("report:" before a report catalogue key).
func wizardTexts(t *testing.T, lang string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for k, v := range loadCatalog(t, lang) {
		out[k] = v
	}
	report, err := i18n.CatalogKeys(lang)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range report {
		first, _, _ := strings.Cut(k, ".")
		switch {
		case slices.ContainsFunc(reportNotShownPrefixes, func(p string) bool { return strings.HasPrefix(k, p) }):
		case contains(reportShown, first):
			out["report:"+k] = v
		case !contains(reportNotShown, first):
			t.Errorf("report catalogue key %s: is %q shown by the wizard? Add it to reportShown or reportNotShown", k, first)
		}
	}
	return out
}

func TestWizardWordsInLanguage(t *testing.T) {
	for _, lang := range []string{"ru", "ky"} {
		texts := wizardTexts(t, lang)
		if len(texts) < 500 {
			t.Fatalf("%s: only %d messages found: the walk is broken", lang, len(texts))
		}
		keys := make([]string, 0, len(texts))
		for k := range texts {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			s := texts[k]
			if englishSentence(s) {
				t.Errorf("%s %s is English: %q", lang, k, s)
			}
			for _, m := range reFlag.FindAllStringSubmatch(s, -1) {
				if !allowedFlags[m[1]] {
					t.Errorf("%s %s names the command-line flag %s: %q", lang, k, m[1], s)
				}
			}
			for _, c := range cliCommands {
				if strings.Contains(s, c) {
					t.Errorf("%s %s sends the user to the CLI (%q): %q", lang, k, c, s)
				}
			}
			if reAdminAPI.MatchString(s) {
				t.Errorf("%s %s says \"Admin API\" in a sentence (the glossary: API администрирования, башкаруу API'си): %q", lang, k, s)
			}
			if lang == "ky" {
				// The ВЭӨТ forms: TestVEOTForms, over both whole catalogues.
				if strings.Contains(s, "(anchor)") {
					t.Errorf("ky %s: the configuration anchor has one Kyrgyz form, without \"(anchor)\": %q", k, s)
				}
			}
		}
	}
}

// TestVEOTForms: the Kyrgyz name of the system takes the operator's case
// endings in both catalogues, the CLI's messages included.
func TestVEOTForms(t *testing.T) {
	all := loadCatalog(t, "ky")
	report, err := i18n.CatalogKeys("ky")
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range report {
		all["report:"+k] = v
	}
	n := 0
	for k, s := range all {
		for _, m := range reVEOT.FindAllStringSubmatch(s, -1) {
			n++
			if !veotEndings[m[1]] {
				t.Errorf("ky %s writes %q: the operator writes ВЭӨТкө, ВЭӨТтө, ВЭӨТтүн", k, m[0])
			}
		}
	}
	if n < 10 {
		t.Errorf("only %d uses of ВЭӨТ found: the walk is broken", n)
	}
}

// TestWordChecksCatch: the checks above fail on what they are for, and
// pass identifiers, codes and file names.
func TestWordChecksCatch(t *testing.T) {
	for s, want := range map[string]bool{
		"The report could not be saved": true,
		"link-local":                    true,
		"OK":                            false, // a code, as GOV or CSR
		"CGNAT":                         false,
		"configuration-anchor.xml":      false,
		"certificate.pem / .cer / .der": false,
		"it@agency.gov.kg":              false,
		"{{.NIC}}: DHCP ({{.Source}})":  false,
		"Tunduk Onboard":                false,
		"Отчёт записан: {{.Path}}":      false,
		"https://example.org/x":         false,
	} {
		if got := englishSentence(s); got != want {
			t.Errorf("englishSentence(%q) = %v, want %v", s, got, want)
		}
	}
	for s, bad := range map[string]bool{"укажите --store ПАПКА": true, "sudo systemctl enable --now pcscd": false, "x-road": false} {
		found := false
		for _, m := range reFlag.FindAllStringSubmatch(s, -1) {
			found = found || !allowedFlags[m[1]]
		}
		if found != bad {
			t.Errorf("flag check on %q: %v, want %v", s, found, bad)
		}
	}
	for s, ok := range map[string]bool{"«Түндүк» ВЭӨТкө кошулуу": true, "«Түндүк» ВЭӨТке кошулуу": false, "ВЭӨТтүн": true, "ВЭӨТтин": false} {
		m := reVEOT.FindStringSubmatch(s)
		if got := m != nil && veotEndings[m[1]]; got != ok {
			t.Errorf("ВЭӨТ form of %q accepted %v, want %v", s, got, ok)
		}
	}
}

// TestFileTexts: a file error reaches a card or a dialog as the
// situation and the reason in the user's language, never as the OS's
// English nor the temporary file beside the user's.
func TestFileTexts(t *testing.T) {
	_ = test.NewTempApp(t)
	defer SetLanguage("en")
	tmpErr := &os.LinkError{Op: "rename", Old: "/media/usb/.building-123", New: "/media/usb/pkg", Err: syscall.ENOSPC}
	for _, lang := range []string{"ru", "ky"} {
		if err := SetLanguage(lang); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{causeText(fmt.Errorf("write: %w", tmpErr)), fileText("readiness.save_failed", tmpErr),
			(&fileError{path: "/home/u/auth.cer", key: "register.err.unreadable", err: &fs.PathError{Op: "open", Path: "/home/u/auth.cer", Err: syscall.EACCES}}).text()} {
			if strings.Contains(s, ".building-") || strings.Contains(s, "no space left") || strings.Contains(s, "permission denied") || englishSentence(s) {
				t.Errorf("%s: %q", lang, s)
			}
		}
		if got := causeText(errors.New("HTTP 503")); got != "HTTP 503" {
			t.Errorf("a cause that is no file error is shown as it came: %q", got)
		}
	}
}
