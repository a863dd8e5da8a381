package app

// Help where the user is stuck (issue 12, item 6): the operator's and the
// CA's names and contacts from the profile on Welcome, Submit, Register,
// About and the errors only the operator can clear; who acts next while
// the user waits; nothing the profile does not give.

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
)

// operatorShown: the operator's title and each contact the profile gives,
// in the current language, are among shown.
func operatorShown(t *testing.T, wz *wizard, where string, shown string) {
	t.Helper()
	lang := CurrentLanguage()
	op := wz.profile.Operator
	for _, want := range []string{op.Title.In(lang), op.Contact.Phone, op.Contact.Web, op.Contact.Address.In(lang)} {
		if want == "" || !strings.Contains(shown, want) {
			t.Errorf("%s %s: lacks %q:\n%s", lang, where, want, shown)
		}
	}
	// The profile gives no e-mail of the operator: no e-mail line is made up.
	if strings.Contains(shown, T("app.contact.email", map[string]any{"Value": ""})) {
		t.Errorf("%s %s: an e-mail line the profile does not give:\n%s", lang, where, shown)
	}
}

func TestContactsOnTheScreensThatNeedThem(t *testing.T) {
	for _, code := range Languages {
		wz, _ := newTestWizard(t, nil)
		if err := SetLanguage(code); err != nil {
			t.Fatal(err)
		}
		wz.rebuild()
		ca := wz.profile.CA.Title.In(code)
		if code != "en" && ca != "ГУ «Кызмат»" {
			t.Errorf("%s: the CA is %q, not as the seeds name it", code, ca)
		}

		// Welcome.
		shown := strings.Join(texts(wz.page), "\n")
		operatorShown(t, wz, "Welcome", shown)
		if !strings.Contains(shown, T("app.ca", map[string]any{"CA": ca})) || !strings.Contains(shown, T("app.ca.no_contact")) {
			t.Errorf("%s Welcome: the CA is not named, or its missing contact not said:\n%s", code, shown)
		}

		// Submit: who acts next (the CA), the recipient by the CA's name.
		wz.cur = wz.stepIndex(stepSubmit)
		wz.showStep()
		shown = strings.Join(texts(wz.page), "\n")
		operatorShown(t, wz, "Submit", shown)
		if !strings.Contains(shown, T("app.wait.ca", map[string]any{"CA": ca})) || !strings.Contains(shown, ca) {
			t.Errorf("%s Submit: who acts next is not said:\n%s", code, shown)
		}
		if code != "en" && strings.Contains(shown, "GU Kyzmat") {
			t.Errorf("%s Submit: the CA's name in Latin letters:\n%s", code, shown)
		}
		// No typical time: the seeds give none.
		if strings.Contains(shown, strings.TrimSuffix(T("app.wait.typical", map[string]any{"Time": ""}), ".")) {
			t.Errorf("%s Submit: a typical wait the profile does not give:\n%s", code, shown)
		}

		// Register: who acts next (the operator).
		wz.state.Server = Server{Remote: true, Host: "ss1.agency.gov.kg", User: "admin", Auth: AuthAgent}
		wz.cur = wz.stepIndex(stepRegister)
		wz.showStep()
		shown = strings.Join(texts(wz.page), "\n")
		operatorShown(t, wz, "Register", shown)
		if !strings.Contains(shown, T("app.wait.operator", map[string]any{"Operator": wz.profile.Operator.Title.In(code)})) {
			t.Errorf("%s Register: who acts next is not said:\n%s", code, shown)
		}

		// About: where the log is and whom to send it to.
		shown = strings.Join(texts(wz.aboutContent()), "\n")
		operatorShown(t, wz, "About", shown)
		if !strings.Contains(shown, "/tmp/test.log") || !strings.Contains(shown, T("about.send_log", map[string]any{"Operator": wz.profile.Operator.Title.In(code)})) {
			t.Errorf("%s About: the log and where to send it:\n%s", code, shown)
		}
	}
	_ = SetLanguage("en")
}

// A typical wait the operator puts in its profile is said; without one,
// only who acts next.
func TestNextCardTypicalWait(t *testing.T) {
	wz, _ := newTestWizard(t, nil)
	without := strings.Join(texts(wz.nextCard(false)), "\n")
	wz.profile.Operator.TypicalWait = i18n.Text{EN: "about two days", RU: "около двух дней", KY: "болжол менен эки күн"}
	with := strings.Join(texts(wz.nextCard(false)), "\n")
	if strings.Contains(without, "about two days") || !strings.Contains(with, T("app.wait.typical", map[string]any{"Time": "about two days"})) {
		t.Errorf("typical wait: without %q, with %q", without, with)
	}
}

// The errors only the operator can clear carry its contacts; others not.
func TestOperatorErrorsCarryContacts(t *testing.T) {
	wz, _ := newTestWizard(t, nil)
	phone := wz.profile.Operator.Contact.Phone
	for key, want := range map[string]bool{
		configureErrKey("anchor_instance"): true,
		configureErrKey("ca_choice"):       true,
		configureErrKey("approval_wait"):   true,
		configureErrKey("pin_wrong"):       false,
	} {
		card := wz.errorCard(&configure.Error{Key: key, Data: map[string]any{"Got": "x", "Want": "central-server"}})
		got := strings.Contains(strings.Join(texts(card), "\n"), phone)
		if got != want {
			t.Errorf("%s: the operator's phone shown %v, want %v", key, got, want)
		}
	}
	_ = test.NewTempApp
}

// The help never makes a page wider: names and contacts wrap.
func TestHelpNeverWidensThePage(t *testing.T) {
	for _, code := range Languages {
		wz, _ := newTestWizard(t, nil)
		if err := SetLanguage(code); err != nil {
			t.Fatal(err)
		}
		for _, ca := range []bool{true, false} {
			if w := wz.nextCard(ca).MinSize().Width; w > 320 {
				t.Errorf("%s: the next-step card needs %.0f px", code, w)
			}
		}
		if w := wz.caContact().MinSize().Width; w > 320 {
			t.Errorf("%s: the CA's contact needs %.0f px", code, w)
		}
	}
	_ = SetLanguage("en")
}
