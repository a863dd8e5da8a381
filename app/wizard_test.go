package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// newTestWizard builds the wizard in a test window (no display needed).
func newTestWizard(t testing.TB, prefs Prefs) (*wizard, fyne.Window) {
	t.Helper()
	a := test.NewTempApp(t)
	if err := SetLanguage("en"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = SetLanguage("en") })
	if prefs == nil {
		prefs = mapPrefs{}
	}
	w := a.NewWindow("test")
	wz := newWizard(a, w, prefs, testProfile(t), "/tmp/test.log")
	wz.submit.storeDir = t.TempDir() // never the user's own submissions
	w.SetContent(wz.build())
	w.Resize(fyne.NewSize(1100, 760))
	t.Cleanup(w.Close)
	return wz, w
}

func (wz *wizard) stepID() string { return wz.steps[wz.cur].id }

func fillOrg(wz *wizard, o Organisation) {
	wz.org.class.SetSelected(o.MemberClass)
	for _, f := range []struct {
		e *widget.Entry
		v string
	}{{wz.org.code, o.MemberCode}, {wz.org.name, o.Name}, {wz.org.serverCode, o.ServerCode}} {
		f.e.SetText("")
		test.Type(f.e, f.v)
	}
}

func TestNavigationNextBack(t *testing.T) {
	wz, _ := newTestWizard(t, nil)
	if wz.stepID() != stepWelcome || !wz.back.Disabled() || wz.next.Disabled() {
		t.Fatalf("start: step %s back disabled %v next disabled %v", wz.stepID(), wz.back.Disabled(), wz.next.Disabled())
	}
	test.Tap(wz.next)
	if wz.stepID() != stepOrganisation {
		t.Fatalf("after Next: %s", wz.stepID())
	}
	// A fresh form is quiet; Next tells what is missing and stays.
	if wz.next.Disabled() || wz.message.Text != "" {
		t.Fatalf("empty organisation: next disabled %v, message %q", wz.next.Disabled(), wz.message.Text)
	}
	test.Tap(wz.next)
	if wz.stepID() != stepOrganisation || !wz.next.Disabled() || !strings.HasPrefix(wz.message.Text, T("org.err.class")) {
		t.Fatalf("Next on the empty organisation: at %s, next disabled %v, message %q", wz.stepID(), wz.next.Disabled(), wz.message.Text)
	}
	fillOrg(wz, validOrg())
	test.Tap(wz.next)
	if wz.stepID() != stepServer {
		t.Fatalf("valid organisation did not move on: %s (%q)", wz.stepID(), wz.message.Text)
	}
	test.Tap(wz.next) // this computer: nothing to fill
	if wz.stepID() != stepReadiness {
		t.Fatalf("server step: %s", wz.stepID())
	}
	for _, want := range []string{stepInstall, stepToken, stepCertificates, stepConfigure, stepSubmit} {
		test.Tap(wz.next)
		if wz.stepID() != want {
			t.Fatalf("want %s, at %s", want, wz.stepID())
		}
	}
	// Submit blocks Next until both CSRs are made; then Register, Connect,
	// Health, and the Summary is last.
	if !wz.next.Disabled() {
		t.Error("Next enabled on Submit without CSRs")
	}
	setTestCSRs(t, wz)
	wz.refreshNav() // made on other pages in a real run
	for _, want := range []string{stepRegister, stepConnect, stepHealth, stepSummary} {
		test.Tap(wz.next)
		if wz.stepID() != want {
			t.Fatalf("want %s, at %s", want, wz.stepID())
		}
	}
	if !wz.next.Disabled() {
		t.Error("Next enabled on the last step")
	}
	test.Tap(wz.next)
	if wz.stepID() != stepSummary {
		t.Error("Next moved past the last step")
	}
	for i := len(wz.steps) - 2; i >= 0; i-- {
		test.Tap(wz.back)
		if wz.cur != i {
			t.Fatalf("Back: at %d, want %d", wz.cur, i)
		}
	}
	if !wz.back.Disabled() {
		t.Error("Back enabled on the first step")
	}
}

func TestInvalidMemberCodeBlocksNext(t *testing.T) {
	wz, _ := newTestWizard(t, nil)
	test.Tap(wz.next)
	for _, bad := range []string{"7000001", "ABCDEFGH", "7000 001"} {
		o := validOrg()
		o.MemberCode = bad
		fillOrg(wz, o)
		if !wz.next.Disabled() {
			t.Errorf("%q: Next enabled", bad)
		}
		if wz.message.Text != T("org.err.code") || !strings.Contains(wz.message.Text, "8") {
			t.Errorf("%q: message %q", bad, wz.message.Text)
		}
		if err := wz.org.code.Validate(); err == nil || err.Error() != hintError(T("org.err.code")).Error() {
			t.Errorf("%q: field validation %v", bad, err)
		}
		test.Tap(wz.next)
		wz.Next()
		if wz.stepID() != stepOrganisation {
			t.Fatalf("%q: Next moved to %s", bad, wz.stepID())
		}
		// Jumping ahead through the step list is blocked too.
		wz.list.Select(wz.stepIndex(stepReadiness))
		if wz.stepID() != stepOrganisation {
			t.Fatalf("%q: step list jumped to %s", bad, wz.stepID())
		}
	}
	o := validOrg()
	o.ServerCode = "СС1" // Cyrillic
	fillOrg(wz, o)
	if !wz.next.Disabled() || wz.message.Text != T("org.err.server_code_cyrillic") {
		t.Errorf("Cyrillic server code: disabled %v message %q", wz.next.Disabled(), wz.message.Text)
	}
	fillOrg(wz, validOrg())
	if wz.next.Disabled() || wz.message.Text != "" {
		t.Fatalf("valid: disabled %v message %q", wz.next.Disabled(), wz.message.Text)
	}
	test.Tap(wz.next)
	if wz.stepID() != stepServer {
		t.Fatalf("valid code did not pass: %s", wz.stepID())
	}
}

func TestPreferencesRestore(t *testing.T) {
	prefs := mapPrefs{}
	wz, _ := newTestWizard(t, prefs)
	test.Tap(wz.next)
	fillOrg(wz, validOrg())
	test.Tap(wz.next)
	wz.server.mode.SetSelected(T("server.mode.remote"))
	for _, f := range []struct {
		e *widget.Entry
		v string
	}{{wz.server.host, "10.20.30.40"}, {wz.server.user, "admin"}, {wz.server.jump, "ops@bastion:2222"}} {
		test.Type(f.e, f.v)
	}
	wz.server.port.SetText("2200")
	wz.server.auth.SetSelected(T("server.auth.password"))
	test.Type(wz.server.password, "Top-Secret-42")
	if wz.state.Server.Password != "Top-Secret-42" {
		t.Fatal("password not held in memory")
	}

	// A new start with the same preferences.
	wz2, _ := newTestWizard(t, prefs)
	want := wz.state.Org
	if !reflect.DeepEqual(wz2.state.Org, want) {
		t.Errorf("organisation restored as %+v, want %+v", wz2.state.Org, want)
	}
	s := wz2.state.Server
	if !s.Remote || s.Host != "10.20.30.40" || s.Port != "2200" || s.User != "admin" || s.Auth != AuthPassword || s.Jump != "ops@bastion:2222" {
		t.Errorf("server restored as %+v", s)
	}
	if s.Password != "" {
		t.Error("password restored from preferences")
	}
	for k, v := range prefs {
		if fmt.Sprint(v) == "Top-Secret-42" {
			t.Errorf("password saved under %s", k)
		}
	}
	wz2.goTo(wz2.stepIndex(stepOrganisation))
	if wz2.org.code.Text != "70000001" || wz2.org.class.Selected != "GOV" {
		t.Errorf("form shows %q %q", wz2.org.code.Text, wz2.org.class.Selected)
	}
}

func TestLanguageSwitch(t *testing.T) {
	prefs := mapPrefs{}
	wz, w := newTestWizard(t, prefs)
	test.Tap(wz.next)
	if wz.next.Text != "Next" || wz.heading.Text != "Organisation" {
		t.Fatalf("English: %q %q", wz.next.Text, wz.heading.Text)
	}
	test.Tap(wz.next) // the empty form's problems, told once Next is pressed
	wz.langSelect.SetSelected("Русский")
	if wz.next.Text != "Далее" || wz.heading.Text != "Организация" || !strings.HasPrefix(wz.message.Text, "Выберите класс участника: GOV или COM.") {
		t.Errorf("Russian: %q %q %q", wz.next.Text, wz.heading.Text, wz.message.Text)
	}
	if prefs.String(prefLanguage) != "ru" || CurrentLanguage() != "ru" {
		t.Errorf("language pref %q current %q", prefs.String(prefLanguage), CurrentLanguage())
	}
	if got := lang.L("Cancel"); got != "Отмена" {
		t.Errorf("fyne's own Cancel in Russian: %q", got)
	}
	if wz.stepID() != stepOrganisation || w.Content() == nil {
		t.Error("switch lost the step")
	}
	wz.langSelect.SetSelected("Кыргызча")
	if wz.next.Text != "Кийинки" || wz.heading.Text != "Уюм" {
		t.Errorf("Kyrgyz: %q %q", wz.next.Text, wz.heading.Text)
	}
	wz.langSelect.SetSelected("English")
	if wz.next.Text != "Next" || lang.L("Cancel") != "Cancel" {
		t.Errorf("back to English: %q %q", wz.next.Text, lang.L("Cancel"))
	}

	// The remembered language is used at the next start.
	if err := SetLanguage(prefs.String(prefLanguage)); err != nil {
		t.Fatal(err)
	}
	prefs.SetString(prefLanguage, "ky")
	_ = SetLanguage(prefs.String(prefLanguage))
	if T("nav.back") != "Артка" {
		t.Errorf("ky after restart: %q", T("nav.back"))
	}
}

func TestDefaultLanguage(t *testing.T) {
	if !supported(DefaultLanguage()) {
		t.Errorf("default %q", DefaultLanguage())
	}
}

func sample(st checks.Status, id string) checks.Result {
	return checks.Result{ID: id, Status: st,
		Title:    i18n.Text{EN: "Title " + id, RU: "Заголовок " + id, KY: "Аталыш " + id},
		Observed: i18n.Same("obs\x1b[31m" + id), Required: i18n.Text{EN: "req " + id, RU: "треб " + id, KY: "талап " + id},
		Why: i18n.Text{EN: "why", RU: "почему", KY: "эмне үчүн"},
		Fix: i18n.Text{EN: "fix", RU: "исправить", KY: "оңдоо"}}
}

func TestResultRows(t *testing.T) {
	_ = test.NewTempApp(t)
	_ = SetLanguage("en")
	t.Cleanup(func() { _ = SetLanguage("en") })
	want := map[checks.Status]string{checks.Pass: "Passed", checks.Warn: "Warning", checks.Fail: "Failed", checks.Unknown: "Unknown", checks.Info: "Info"}
	seen := map[string]checks.Status{}
	for st, label := range want {
		row := newResultRow(sample(st, string(st)), "en")
		if row.status.Text != label {
			t.Errorf("%s: label %q", st, row.status.Text)
		}
		name := row.icon.Resource.Name()
		if name != statusIcon(st).Name() {
			t.Errorf("%s: icon %s", st, name)
		}
		if other, dup := seen[name]; dup {
			t.Errorf("%s and %s share icon %s", st, other, name)
		}
		seen[name] = st
		if row.title.Text != "Title "+string(st) {
			t.Errorf("%s: title %q", st, row.title.Text)
		}
		if strings.ContainsRune(row.values.Text, 0x1b) || !strings.Contains(row.values.Text, "req "+string(st)) {
			t.Errorf("%s: values %q", st, row.values.Text)
		}
		if open := row.details.open && row.details.body.Visible(); open != (st == checks.Fail) {
			t.Errorf("%s: details open = %v", st, open)
		}
	}
	for st, icon := range map[checks.Status]string{checks.Pass: "success", checks.Warn: "warning", checks.Fail: "error", checks.Info: "primary", checks.Unknown: "disabled"} {
		if !strings.Contains(statusIcon(st).Name(), icon) {
			t.Errorf("%s icon %s is not %s-coloured", st, statusIcon(st).Name(), icon)
		}
	}
	_ = SetLanguage("ru")
	row := newResultRow(sample(checks.Warn, "ram"), "ru")
	if row.status.Text != "Предупреждение" || row.title.Text != "Заголовок ram" || !strings.HasPrefix(row.values.Text, "Обнаружено:") {
		t.Errorf("ru row: %q %q %q", row.status.Text, row.title.Text, row.values.Text)
	}
	_ = SetLanguage("ky")
	row = newResultRow(sample(checks.Fail, "disk"), "ky")
	if row.status.Text != "Өткөн жок" || row.title.Text != "Аталыш disk" {
		t.Errorf("ky row: %q %q", row.status.Text, row.title.Text)
	}
}

// toReadiness fills a valid organisation and opens the readiness step.
func toReadiness(t testing.TB, wz *wizard) {
	t.Helper()
	test.Tap(wz.next)
	fillOrg(wz, validOrg())
	test.Tap(wz.next)
	test.Tap(wz.next)
	if wz.stepID() != stepReadiness {
		t.Fatalf("at %s", wz.stepID())
	}
}

func runAndWait(t *testing.T, r *readiness) {
	t.Helper()
	done := make(chan struct{})
	r.afterRun = func() { close(done) }
	test.Tap(r.v.check)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("check did not finish")
	}
	r.afterRun = nil
}

func TestReadinessRunShowsRows(t *testing.T) {
	wz, _ := newTestWizard(t, nil)
	toReadiness(t, wz)
	r := wz.readiness
	if !r.v.saveHTML.Disabled() || !r.v.cancel.Disabled() {
		t.Error("save/cancel enabled before a run")
	}
	results := []checks.Result{sample(checks.Pass, "os"), sample(checks.Warn, "ram"), sample(checks.Fail, "disk"), sample(checks.Unknown, "time"), sample(checks.Info, "ip")}
	r.run = func(ctx context.Context, srv Server, on func(checks.Result)) (*checks.Report, error) {
		if srv.Remote {
			t.Error("remote check for this computer")
		}
		rep := &checks.Report{Target: checks.Target{Host: "test", Local: true}}
		for _, res := range results {
			on(res)
			rep.Results = append(rep.Results, res)
		}
		rep.Summary = counts(results)
		return rep, nil
	}
	runAndWait(t, r)
	if len(r.v.shown) != len(results) || len(r.v.rows.Objects) != len(results) {
		t.Fatalf("rows %d/%d, want %d", len(r.v.shown), len(r.v.rows.Objects), len(results))
	}
	if r.v.saveHTML.Disabled() || r.v.saveJSON.Disabled() || r.v.check.Disabled() {
		t.Error("buttons not enabled after the run")
	}
	if r.v.verdict.Text != T("readiness.verdict.fail") {
		t.Errorf("verdict %q", r.v.verdict.Text)
	}
	var summary []string
	for _, o := range r.v.summary.Objects {
		if l, ok := o.(*widget.Label); ok {
			summary = append(summary, l.Text)
		}
	}
	if got := strings.Join(summary, ","); got != "1 passed,1 warning,1 failed,1 unknown" {
		t.Errorf("summary %q", got)
	}
	// Once complete, what needs work comes first.
	var order []string
	for _, row := range r.v.shown {
		order = append(order, row.status.Text)
	}
	if got := strings.Join(order, ","); got != "Failed,Warning,Unknown,Info,Passed" {
		t.Errorf("row order %s", got)
	}
	// Rows follow a language switch.
	wz.langSelect.SetSelected("Русский")
	if wz.readiness.v.shown[0].status.Text != "Не пройдено" || wz.readiness.v.shown[0].title.Text != "Заголовок disk" {
		t.Errorf("after switch: %q %q", wz.readiness.v.shown[0].status.Text, wz.readiness.v.shown[0].title.Text)
	}
	if name := reportFileName(&checks.Report{Target: checks.Target{Host: "ss1/../x"}, CheckedAt: time.Date(2026, 11, 22, 9, 30, 0, 0, time.Local)}, "html"); name != "readiness-ss1_.._x-20261122-0930.html" {
		t.Errorf("file name %q", name)
	}
}

func TestReadinessErrorKeepsForm(t *testing.T) {
	wz, _ := newTestWizard(t, nil)
	toReadiness(t, wz)
	r := wz.readiness
	r.run = func(ctx context.Context, srv Server, on func(checks.Result)) (*checks.Report, error) {
		return nil, &remote.AuthError{User: "admin", Host: "10.0.0.5", Tried: []string{"password"}}
	}
	runAndWait(t, r)
	if len(r.v.errBox.Objects) != 1 {
		t.Fatal("no error shown")
	}
	texts := labelsIn(r.v.errBox)
	if !contains(texts, T("err.auth")) || !contains(texts, T("err.auth.todo")) {
		t.Errorf("error texts %q", texts)
	}
	if !reflect.DeepEqual(wz.state.Org, validOrg()) {
		t.Errorf("form lost: %+v", wz.state.Org)
	}
	// The button in the error goes to the server settings.
	var toServer *widget.Button
	walk(r.v.errBox, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == T("err.to_server") {
			toServer = b
		}
	})
	if toServer == nil {
		t.Fatal("no button to the server settings")
	}
	test.Tap(toServer)
	if wz.stepID() != stepServer {
		t.Errorf("at %s", wz.stepID())
	}
}

func TestExplain(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: &net.OpError{Err: syscall.ECONNREFUSED}}
	cases := map[string]error{
		"err.refused":         fmt.Errorf("ssh: dial: %w", refused),
		"err.auth":            &remote.AuthError{User: "u", Host: "h"},
		"err.hostkey_changed": fmt.Errorf("x: %w", &remote.HostKeyChangedError{Host: "h", KnownHostsFile: "/k", Line: 3}),
		"err.hostkey_refused": &remote.HostKeyUnknownError{Host: "h"},
		"err.cancelled":       context.Canceled,
		"err.timeout":         context.DeadlineExceeded,
		"err.dns":             &net.DNSError{Name: "nohost", IsNotFound: true},
		"err.other":           errors.New("boom\x1b[2J"),
	}
	for want, err := range cases {
		e := explain(err)
		if e.What != want {
			t.Errorf("%v: %s, want %s", err, e.What, want)
		}
		if strings.ContainsRune(e.Detail, 0x1b) {
			t.Errorf("control character in detail %q", e.Detail)
		}
	}
	e := explain(&remote.HostKeyChangedError{Host: "h", KnownHostsFile: "/root/.ssh/known_hosts", Line: 7})
	if msg := T(e.Todo, e.Data); !strings.Contains(msg, "/root/.ssh/known_hosts") || !strings.Contains(msg, "7") {
		t.Errorf("changed-key advice %q", msg)
	}
}

func TestHostKeyDialog(t *testing.T) {
	wz, w := newTestWizard(t, nil)
	shown := make(chan struct{}, 1)
	wz.hostKeyShown = func() { shown <- struct{}{} }
	for _, accept := range []bool{true, false} {
		answer := make(chan bool)
		go func() {
			answer <- wz.askHostKey(context.Background(), "10.0.0.5:22", "SHA256:abcDEF123", "ssh-ed25519")
		}()
		select {
		case <-shown:
		case <-time.After(5 * time.Second):
			t.Fatal("no host-key dialog")
		}
		overlay := w.Canvas().Overlays().Top()
		texts := labelsIn(overlay)
		// The fingerprint in blocks that wrap only between blocks.
		for _, want := range []string{"10.0.0.5:22", "SHA256: abcD EF12 3", "ssh-ed25519", "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub", T("hostkey.compare")} {
			if !contains(texts, want) {
				t.Errorf("dialog lacks %q", want)
			}
		}
		button := T("hostkey.refuse")
		if accept {
			button = T("hostkey.accept")
		}
		var b *widget.Button
		walk(overlay, func(o fyne.CanvasObject) {
			if x, ok := o.(*widget.Button); ok && x.Text == button {
				b = x
			}
		})
		if b == nil {
			t.Fatalf("no %q button", button)
		}
		test.Tap(b)
		select {
		case got := <-answer:
			if got != accept {
				t.Errorf("answer %v, want %v", got, accept)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("SSH goroutine still blocked")
		}
	}
	// A cancelled check refuses and closes the dialog.
	ctx, cancel := context.WithCancel(context.Background())
	answer := make(chan bool)
	go func() { answer <- wz.askHostKey(ctx, "h", "SHA256:x", "ssh-rsa") }()
	<-shown
	cancel()
	select {
	case got := <-answer:
		if got {
			t.Error("cancelled host-key question accepted")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("cancel did not unblock")
	}
	if hostKeyFileStem("rsa-sha2-512") != "rsa" || hostKeyFileStem("ecdsa-sha2-nistp256") != "ecdsa" {
		t.Error("host key file stem")
	}
}

// walk visits o and everything inside it.
func walk(o fyne.CanvasObject, visit func(fyne.CanvasObject)) {
	visit(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			walk(c, visit)
		}
	case fyne.Widget:
		r := test.WidgetRenderer(x)
		if r == nil {
			return
		}
		for _, c := range r.Objects() {
			walk(c, visit)
		}
	}
}

func labelsIn(o fyne.CanvasObject) []string {
	var out []string
	walk(o, func(c fyne.CanvasObject) {
		if l, ok := c.(*widget.Label); ok {
			out = append(out, l.Text)
		}
	})
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

type bufCloser struct {
	strings.Builder
	closed bool
}

func (b *bufCloser) Close() error { b.closed = true; return nil }

func TestWriteReport(t *testing.T) {
	rep := &checks.Report{Schema: checks.Schema, Target: checks.Target{Host: "ss1", Local: true},
		Results: []checks.Result{sample(checks.Fail, "disk")}}
	rep.Summary = counts(rep.Results)
	var j bufCloser
	if err := writeReport(&j, rep, "json", "en"); err != nil || !j.closed || !strings.Contains(j.String(), `"schema": "`+checks.Schema) {
		t.Errorf("json: %v closed=%v %.200s", err, j.closed, j.String())
	}
	var h bufCloser
	if err := writeReport(&h, rep, "html", "ru"); err != nil || !h.closed || !strings.Contains(h.String(), "Заголовок disk") {
		t.Errorf("html: %v closed=%v %.300s", err, h.closed, h.String())
	}
}
