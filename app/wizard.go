package app

import (
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

// Step identifiers, also accepted by TUNDUK_ONBOARD_START_STEP.
const (
	stepWelcome      = "welcome"
	stepOrganisation = "organisation"
	stepServer       = "server"
	stepReadiness    = "readiness"
	stepInstall      = "install"
	stepToken        = "token"
	stepCertificates = "certificates"
	stepConfigure    = "configure"
	stepSubmit       = "submit"
	stepRegister     = "register"
)

// step is one page of the wizard.
type step struct {
	id    string
	title func() string
	// view builds the page from the wizard's state; called on every visit
	// and after a language switch.
	view func() fyne.CanvasObject
	// problems, when set, blocks Next until it returns nothing.
	problems func() []Problem
	// leave, when set, is called when another step is shown (stops work
	// that only runs while the page is visible).
	leave func()
}

// wizard is the window's content: step list, page, Back/Next.
type wizard struct {
	app     fyne.App
	win     fyne.Window
	prefs   Prefs       // the form's preferences, written after a pause (prefs_later.go)
	later   *prefsLater // the same, to write what waits now
	state   *State
	profile *profile.Profile
	logPath string

	steps []*step
	cur   int

	// readiness survives page changes and language switches.
	readiness *readiness
	org       *orgForm    // the organisation page's widgets, when built
	server    *serverForm // the server page's widgets, when built
	token     *tokenStep  // the Token step: module, tokens, the signing key
	certs     *certStep   // the Certificates step: the CSR
	install   *installStep
	configure *configureStep // the Configure step: initialisation and the authentication CSR
	submit    *submitStep    // the Submit step: the enrollment package and its delivery
	register  *registerStep  // the Register step: certificates back, registration
	connect   *connectStep   // the Connect step: subsystems, services, access rights, the first call
	health    *healthStep    // the Health step: the server's health, the support bundle
	csrs      csrSet         // CSRs made this run (or kept from an earlier one), for the Submit step
	rec       *recorder      // the onboarding record: milestones in, step states out
	guide     *fieldGuide    // which problems of a form the user sees yet

	hostKeyShown func()         // tests: called on the UI goroutine once the host-key dialog is up
	backups      backupSettings // where backups are kept; the Health step's Backups section

	printing *printForm // the Summary's print buttons, when built
	// saveAs, when set, replaces the print buttons' file chooser (tests).
	saveAs func(name string, then func(fyne.URIWriteCloser, error))

	// widgets of the current build
	list       *widget.List
	page       *fyne.Container
	heading    *widget.Label
	back, next *widget.Button
	message    *widget.Label
	langSelect *widget.Select
	selecting  bool
}

func newWizard(a fyne.App, w fyne.Window, prefs Prefs, profile *profile.Profile, logPath string) *wizard {
	later := newPrefsLater(prefs, formSaveDelay, fyne.Do)
	wz := &wizard{app: a, win: w, prefs: later, later: later, state: LoadState(prefs), profile: profile, logPath: logPath, guide: newFieldGuide()}
	wz.rec = newRecorder(wz) // in memory until openRecord (Run) gives it its file
	wz.readiness = newReadiness(wz)
	wz.token = newTokenStep(wz)
	wz.certs = newCertStep(wz)
	wz.install = newInstallStep(wz)
	wz.configure, wz.register = newConfigureStep(wz), newRegisterStep(wz)
	wz.submit = newSubmitStep(wz)
	wz.connect = newConnectStep(wz)
	wz.health = newHealthStep(wz)
	wz.register.onStage = wz.submit.onStage // certificates back move the submission on
	// The steps in the order of the work, each after what it needs, so no
	// page speaks of a later one's work as done (order_test.go checks the
	// texts against this list):
	//   - Organisation: the member class, code and server code name every
	//     CSR, the signing key's label and the server's owner.
	//   - Server, then Readiness (reads that server), then Install (its
	//     plan is made from the readiness report).
	//   - Token, then Certificates: the signing key on the Rutoken at this
	//     computer, then its CSR. They need only the Organisation, not the
	//     server: a user whose server is not ready gets this far, and can
	//     send the signing CSR alone (Submit, "the rest follows").
	//   - Configure: needs X-Road (Install: the admin login made there),
	//     the Organisation and the operator's anchor; makes the
	//     authentication CSR. When the signing key is on a token at the
	//     server, that token was prepared on the Token step and handed over
	//     as Certificates tells: Configure's texts speak of both as done.
	//   - Submit: the CSRs of Certificates and Configure (or what is ready).
	//   - Register: the certificates the CA sends back for them, imported
	//     into the configured server.
	//   - Connect: the information system's subsystems, services and
	//     access rights on the registered server, the first call, the
	//     operator told.
	//   - Health: the configured server looked at (its services,
	//     configuration, tokens, certificates...), now and after the
	//     onboarding; the support bundle for the operator's help desk.
	//   - Summary: the record of all of it.
	wz.steps = []*step{
		{id: stepWelcome, title: func() string { return T("step.welcome") }, view: wz.welcomeView},
		{id: stepOrganisation, title: func() string { return T("step.organisation") }, view: wz.orgView,
			problems: func() []Problem { return wz.state.Org.Problems(wz.profile) }},
		{id: stepServer, title: func() string { return T("step.server") }, view: wz.serverView,
			problems: func() []Problem { return wz.state.Server.Problems() }},
		{id: stepReadiness, title: func() string { return T("step.readiness") }, view: wz.readiness.view},
		{id: stepInstall, title: func() string { return T("step.install") }, view: wz.install.view, leave: wz.install.leave},
		{id: stepToken, title: func() string { return T("step.token") }, view: wz.token.view, leave: wz.token.stop},
		{id: stepCertificates, title: func() string { return T("step.certificates") }, view: wz.certs.view},
		{id: stepConfigure, title: func() string { return T("step.configure") }, view: wz.configure.view, leave: wz.configure.leave},
		{id: stepSubmit, title: func() string { return T("step.submit") }, view: wz.submit.view,
			problems: wz.submit.problems, leave: func() { wz.submit.v = nil }},
		{id: stepRegister, title: func() string { return T("step.register") }, view: wz.register.view, leave: wz.register.leave},
		{id: stepConnect, title: func() string { return T("step.connect") }, view: wz.connect.view, leave: wz.connect.leave},
		{id: stepHealth, title: func() string { return T("step.health") }, view: wz.health.view, leave: wz.health.leave},
		{id: stepSummary, title: func() string { return T("step.summary") }, view: wz.summaryView},
	}
	return wz
}

// stepIndex returns the index of the step with id, or -1.
func (wz *wizard) stepIndex(id string) int {
	for i, s := range wz.steps {
		if s.id == id {
			return i
		}
	}
	return -1
}

// build makes the whole window content in the current language.
func (wz *wizard) build() fyne.CanvasObject {
	wz.list = widget.NewList(
		func() int { return len(wz.steps) },
		wz.newStepRow, // step_list.go: icon, title, the state's word
		func(id widget.ListItemID, o fyne.CanvasObject) { wz.updateStepRow(id, o) })
	wz.list.OnSelected = func(id widget.ListItemID) {
		if wz.selecting || id == wz.cur {
			return
		}
		if !wz.goTo(id) {
			wz.selectInList(wz.cur)
		}
	}

	wz.heading = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	wz.heading.SizeName = theme.SizeNameSubHeadingText
	wz.page = container.NewStack()
	wz.back = widget.NewButtonWithIcon(T("nav.back"), theme.NavigateBackIcon(), wz.Back)
	wz.next = widget.NewButtonWithIcon(T("nav.next"), theme.NavigateNextIcon(), wz.Next)
	wz.next.IconPlacement = widget.ButtonIconTrailingText
	wz.next.Importance = widget.HighImportance
	wz.message = widget.NewLabel("")
	wz.message.Importance = widget.DangerImportance
	wz.message.Wrapping = fyne.TextWrapWord

	nav := container.NewBorder(nil, nil, wz.back, wz.next, wz.message)
	content := container.NewBorder(
		container.NewVBox(wz.heading, widget.NewSeparator()), nil, nil, nil,
		wz.page)
	split := container.NewHSplit(wz.list, container.NewPadded(content))
	split.Offset = 0.24

	root := container.NewBorder(
		container.NewVBox(wz.header(), widget.NewSeparator()),
		container.NewVBox(widget.NewSeparator(), container.NewPadded(nav)),
		nil, nil, split)
	wz.showStep()
	return root
}

// stepLabel is the step list's text for step i: "5. Install".
func (wz *wizard) stepLabel(i int) string {
	return strconv.Itoa(i+1) + ". " + wz.steps[i].title()
}

// header is the title bar: icon, product name, language, About.
func (wz *wizard) header() fyne.CanvasObject {
	icon := canvas.NewImageFromResource(appIcon())
	icon.FillMode = canvas.ImageFillContain
	icon.SetMinSize(fyne.NewSquareSize(32))
	title := widget.NewLabelWithStyle(T("app.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	subtitle := widget.NewLabel(T("app.subtitle"))
	subtitle.Importance = widget.LowImportance

	names := make([]string, len(Languages))
	for i, l := range Languages {
		names[i] = languageName(l)
	}
	wz.langSelect = widget.NewSelect(names, nil)
	for i, l := range Languages {
		if l == CurrentLanguage() {
			wz.langSelect.Selected = names[i]
		}
	}
	wz.langSelect.OnChanged = func(name string) {
		for i, n := range names {
			if n == name {
				wz.switchLanguage(Languages[i])
			}
		}
	}
	about := widget.NewButtonWithIcon(T("about.button"), theme.InfoIcon(), wz.showAbout)
	return container.NewHBox(icon, title, subtitle, layout.NewSpacer(),
		widget.NewLabel(T("header.language")), wz.langSelect, about)
}

// switchLanguage changes the UI language, remembers it and redraws.
func (wz *wizard) switchLanguage(code string) {
	if code == CurrentLanguage() {
		return
	}
	if err := SetLanguage(code); err != nil {
		log.WithError(err).Error("switch language")
		return
	}
	wz.prefs.SetString(prefLanguage, code)
	log.WithField("language", code).Info("language switched")
	wz.rebuild()
}

// rebuild redraws the whole window, keeping the step and all data.
func (wz *wizard) rebuild() {
	wz.later.flush()
	wz.win.SetTitle(T("app.title"))
	wz.win.SetContent(wz.build())
}

// showStep puts the current step's page on screen.
func (wz *wizard) showStep() {
	s := wz.steps[wz.cur]
	wz.later.flush() // what the last page typed, before another is shown
	for i, o := range wz.steps {
		if i != wz.cur && o.leave != nil {
			o.leave()
		}
	}
	wz.rec.visit(s.id)
	wz.heading.SetText(s.title())
	wz.page.Objects = []fyne.CanvasObject{s.view()}
	wz.page.Refresh()
	wz.selectInList(wz.cur)
	wz.list.Refresh()
	wz.refreshNav()
}

func (wz *wizard) selectInList(i int) {
	wz.selecting = true
	wz.list.Select(i)
	wz.selecting = false
}

// refreshNav enables Back/Next and shows why Next is blocked.
func (wz *wizard) refreshNav() {
	if wz.next == nil {
		return
	}
	if wz.cur == 0 {
		wz.back.Disable()
	} else {
		wz.back.Enable()
	}
	msg := ""
	// Only what the user has met: a fresh form is quiet until typed in or
	// until Next is pressed.
	if p := wz.guide.visible(wz.steps[wz.cur].id, wz.currentProblems()); len(p) > 0 {
		msg = p[0].Text()
		if len(p) > 1 {
			msg += " " + T("nav.more_problems", map[string]any{"Count": len(p) - 1})
		}
	}
	wz.message.SetText(msg)
	if msg != "" || wz.cur == len(wz.steps)-1 {
		wz.next.Disable()
	} else {
		wz.next.Enable()
	}
}

func (wz *wizard) currentProblems() []Problem {
	if f := wz.steps[wz.cur].problems; f != nil {
		return f()
	}
	return nil
}

// Next moves on when the current step is valid.
func (wz *wizard) Next() {
	if p := wz.currentProblems(); len(p) > 0 {
		wz.guide.try(wz.steps[wz.cur].id, p)
	}
	if wz.cur >= len(wz.steps)-1 || len(wz.currentProblems()) > 0 {
		wz.refreshNav()
		return
	}
	wz.cur++
	wz.showStep()
}

// Back goes one step back; never blocked.
func (wz *wizard) Back() {
	if wz.cur == 0 {
		return
	}
	wz.cur--
	wz.showStep()
}

// goTo jumps to step i when every step before it is valid. It reports
// whether it moved.
func (wz *wizard) goTo(i int) bool {
	if i < 0 || i >= len(wz.steps) {
		return false
	}
	for j := 0; j < i; j++ {
		if f := wz.steps[j].problems; f != nil && len(f()) > 0 {
			if j != wz.cur {
				wz.cur = j
				wz.showStep()
			}
			wz.guide.try(wz.steps[j].id, f()) // say why the jump stopped here
			wz.refreshNav()
			return j == i
		}
	}
	wz.cur = i
	wz.showStep()
	return true
}

// changed is called by step pages after each edit: it keeps the
// non-secret fields (written once the typing pauses) and updates the
// navigation.
func (wz *wizard) changed() {
	wz.state.Save(wz.prefs)
	wz.refreshNav()
}
