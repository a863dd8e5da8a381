package app

import (
	"regexp"
	"sort"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
)

// stepTexts are the catalogue keys each step shows, by prefix: the
// wizard's catalogue (ui) and the report catalogue's texts its page
// shows (report: flow errors, the token's handover).
var stepTexts = map[string]struct{ ui, report []string }{
	stepWelcome:      {ui: []string{"welcome.", "app.help", "app.operator", "app.ca", "app.contact."}},
	stepOrganisation: {ui: []string{"org."}},
	stepServer:       {ui: []string{"server."}},
	stepReadiness:    {ui: []string{"readiness.", "status.", "err.", "hostkey."}},
	stepInstall:      {ui: []string{"install.", "installer."}, report: []string{"installer.err."}},
	stepToken:        {ui: []string{"token."}},
	stepCertificates: {ui: []string{"cert."}, report: []string{"handover."}},
	stepConfigure:    {ui: []string{"configure."}, report: []string{"configure.err."}},
	stepSubmit:       {ui: []string{"submit.", "app.wait.ca", "app.next"}, report: []string{"enroll.err."}},
	stepRegister:     {ui: []string{"register.", "app.wait.operator"}},
	stepConnect:      {ui: []string{"connect."}, report: []string{"connect.", "call.err."}},
	stepHealth:       {ui: []string{"health."}, report: []string{"health."}},
	stepSummary:      {ui: []string{"summary.", "record."}},
}

// stepNamed finds a step named in an English text: its title as the texts
// say it ("the Token step", "at install", "the readiness check").
var stepNamed = map[string]*regexp.Regexp{
	stepOrganisation: regexp.MustCompile(`\bOrganisation step`),
	stepServer:       regexp.MustCompile(`\bServer step`),
	stepReadiness:    regexp.MustCompile(`(?i)\breadiness check`),
	stepInstall:      regexp.MustCompile(`\bInstall step|\bat install\b`),
	stepToken:        regexp.MustCompile(`\bToken step|\bToken and Certificates steps`),
	stepCertificates: regexp.MustCompile(`\bCertificates steps?\b`),
	stepConfigure:    regexp.MustCompile(`\bConfigure step|\bconfigure it\b`),
	stepSubmit:       regexp.MustCompile(`\bSubmit step`),
	stepRegister:     regexp.MustCompile(`\bRegister step`),
	stepConnect:      regexp.MustCompile(`\bConnect step`),
	stepHealth:       regexp.MustCompile(`\bHealth step`),
}

// stepRefs is every text that names a step, and how: true when it speaks
// of that step's work as done ("the password entered on the Install
// step", "the key made on the Token and Certificates steps", "the
// readiness check failed"), false when it sends the user there or tells
// what happens there. A done one must come from a later page.
var stepRefs = map[string]map[string]bool{
	"app.wait.ca":                   {stepRegister: false},
	"configure.need_remote.todo":    {stepServer: false},
	"configure.not_installed.todo":  {stepInstall: false},
	"configure.admin_from_install":  {stepInstall: true},
	"configure.form.admin_password": {stepInstall: true},
	"configure.form.org":            {stepOrganisation: false},
	"configure.no_admin.todo":       {stepInstall: true},
	"configure.ok.next":             {stepSubmit: false},
	"configure.ok_cert.next":        {stepRegister: false},
	"configure.err.admin_login":     {stepInstall: true},
	"configure.err.forbidden":       {stepInstall: true},
	"register.no_application.todo":  {stepSubmit: false},
	"connect.not_active.todo":       {stepRegister: false},
	"summary.connect_waiting":       {stepConnect: false},
	"summary.connect_todo":          {stepConnect: false},
	"summary.connect_call_todo":     {stepConnect: false},
	"summary.connect_call_failed":   {stepConnect: false},
	"summary.connect_notice_todo":   {stepConnect: false},
	// Marking a notice sent is done on Connect, later; Retry on Submit
	// is pressed later again.
	"summary.connect_notice_written.email":  {stepConnect: false},
	"summary.connect_notice_written.folder": {stepConnect: false},
	"connect.notice.pending.queued":         {stepSubmit: false},
	"connect.notice.about":                  {stepSubmit: true},
	"health.not_configured.todo":            {stepConfigure: false},
	"summary.health_warning":                {stepHealth: false},
	"summary.health_critical":               {stepHealth: false},
	"summary.health_unknown":                {stepHealth: false},
	"summary.health_todo":                   {stepHealth: false},
	"connect.notice.about_to":               {stepSubmit: true},
	"connect.notice.no_address":             {stepSubmit: false},
	"connect.notice.failed.todo":            {stepSubmit: false},
	"register.auth_awaited.todo":            {stepConfigure: false, stepSubmit: true}, // "the application went"
	"register.err.address":                  {stepServer: false},
	"token.err.key_label":                   {stepOrganisation: false},
	"cert.no_key":                           {stepToken: false},
	"cert.to_token":                         {stepToken: false},
	"cert.err.org":                          {stepOrganisation: false},
	"cert.err.no_key_on_token":              {stepToken: false},
	"install.need_remote.todo":              {stepServer: false},
	"install.need_report.todo":              {stepReadiness: false},
	"install.go_readiness":                  {stepReadiness: false},
	"install.force":                         {stepReadiness: true},
	"installer.err.readiness":               {stepReadiness: true},
	"installer.err.readiness.todo":          {stepReadiness: true},
	"installer.err.no_readiness.todo":       {stepReadiness: false},
	"installer.err.auth.todo":               {stepServer: true},
	"submit.intro":                          {stepReadiness: true},
	"submit.item.address_missing":           {stepServer: false},
	"submit.item.auth_missing":              {stepConfigure: false},
	"submit.item.sign_missing":              {stepCertificates: false},
	"submit.item.report":                    {stepReadiness: true},
	"submit.item.report_missing":            {stepReadiness: false},
	"submit.go_readiness":                   {stepReadiness: false},
	"submit.partial.todo.auth":              {stepConfigure: false},
	"submit.partial.todo.sign":              {stepCertificates: false},
	"submit.awaiting.auth":                  {stepConfigure: false},
	"submit.awaiting.sign":                  {stepCertificates: false},
	"submit.sent.todo":                      {stepRegister: false},
	"submit.err.no_auth_csr":                {stepConfigure: false},
	"submit.err.no_sign_csr":                {stepCertificates: false},
	"submit.err.org":                        {stepOrganisation: false},
	"submit.err.address":                    {stepServer: false},
	"enroll.err.participant_field":          {stepOrganisation: false},
	"summary.readiness_ok":                  {stepReadiness: true},
	"summary.readiness_warn":                {stepReadiness: true},
	"summary.readiness_fail":                {stepReadiness: true},
	"summary.readiness_none":                {stepReadiness: false},
	"summary.install_stopped":               {stepInstall: true},
	"summary.install_failed":                {stepInstall: true},
	"summary.configure_todo":                {stepConfigure: false},
	"summary.next_send":                     {stepSubmit: false},
	"summary.awaited_auth":                  {stepConfigure: false, stepSubmit: false},
	"summary.awaited_sign":                  {stepCertificates: false, stepSubmit: false},
	"summary.next_import":                   {stepRegister: false},
	// Texts of the lanes merged beside this one (here only logged until
	// they arrive): the token handed over by the install, the local
	// install's refusals, the printed application.
	"cert.handover.by_install":            {stepInstall: true},
	"server.goto":                         {stepServer: false},
	"installer.err.local_not_linux.todo":  {stepServer: false},
	"installer.err.local_not_debian.todo": {stepServer: false},
	"installer.err.local_no_sudo.todo":    {stepServer: false},
	"summary.print.missing":               {stepOrganisation: false},
	// The signing key's place (sign_placement.go): chosen on Certificates,
	// made on Configure when it is at the server.
	"cert.place.server_hw_token.about":      {stepConfigure: false, stepToken: false},
	"cert.place.server_soft_token.about":    {stepConfigure: false},
	"cert.at_server.server_hw_token.todo":   {stepConfigure: false},
	"cert.at_server.server_soft_token.todo": {stepConfigure: false},
	"token.place.server_hw_token.todo":      {stepCertificates: false, stepConfigure: false},
	"token.place.server_soft_token.todo":    {stepCertificates: false, stepConfigure: false},
	"configure.sign_place.usb_token":        {stepCertificates: true},
	"submit.item.sign_missing_server":       {stepConfigure: false},
	// The signing CSR's texts when the key is at the server (signTextKey).
	"submit.partial.todo.sign.server_hw_token":   {stepConfigure: false},
	"submit.partial.todo.sign.server_soft_token": {stepConfigure: false},
	"submit.awaiting.sign.server_hw_token":       {stepConfigure: false},
	"submit.awaiting.sign.server_soft_token":     {stepConfigure: false},
	"submit.err.no_sign_csr.server_hw_token":     {stepConfigure: false},
	"submit.err.no_sign_csr.server_soft_token":   {stepConfigure: false},
	"summary.awaited_sign.server_hw_token":       {stepConfigure: false, stepSubmit: false},
	"summary.awaited_sign.server_soft_token":     {stepConfigure: false, stepSubmit: false},
}

// shownBy is the step whose page shows key (prefixes of stepTexts), "".
func shownBy(key string, report bool) string {
	best, bestLen := "", 0
	for id, p := range stepTexts {
		list := p.ui
		if report {
			list = p.report
		}
		for _, pre := range list {
			if strings.HasPrefix(key, pre) && len(pre) > bestLen {
				best, bestLen = id, len(pre)
			}
		}
	}
	return best
}

// named lists the steps a text names.
func named(text string) []string {
	var out []string
	for id, re := range stepNamed {
		if re.MatchString(text) {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// The steps follow the work: no page speaks of a later step's work as
// done. Every text a step shows that names a step is classified in
// stepRefs (a new one fails until it is), and each "done" reference must
// name a step before the page, in the wizard's real order.
func TestNoStepRefersToALaterStepAsDone(t *testing.T) {
	wz, _ := newTestWizard(t, nil)
	order := map[string]int{}
	for i, s := range wz.steps {
		order[s.id] = i
	}
	for id := range stepTexts {
		if _, ok := order[id]; !ok {
			t.Fatalf("stepTexts names %q, no step of the wizard", id)
		}
	}
	ui := loadCatalog(t, "en")
	report, err := i18n.CatalogKeys("en")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	check := func(key, text string, isReport bool) {
		page := shownBy(key, isReport)
		if page == "" {
			return
		}
		found := named(text)
		if len(found) == 0 {
			return
		}
		seen[key] = true
		refs, ok := stepRefs[key]
		var classified []string
		for s := range refs {
			classified = append(classified, s)
		}
		sort.Strings(classified)
		if !ok || strings.Join(found, ",") != strings.Join(classified, ",") {
			t.Errorf("%s (on %s) names %v; stepRefs says %v: classify each as done or not", key, page, found, classified)
			return
		}
		for s, done := range refs {
			if done && order[s] >= order[page] {
				t.Errorf("%s, on the %s step (%d.), speaks of the %s step (%d.) as done: %q", key, page, order[page]+1, s, order[s]+1, text)
			}
		}
	}
	for k, v := range ui {
		check(k, v, false)
	}
	for k, v := range report {
		check(k, v, true)
	}
	for k := range stepRefs {
		_, inUI := ui[k]
		_, inReport := report[k]
		switch {
		case !inUI && !inReport:
			t.Logf("stepRefs has %s, which no catalogue has any more", k)
		case !seen[k]:
			t.Errorf("stepRefs has %s, which names no step any more (or is shown by none)", k)
		}
	}
	if len(seen) < 40 {
		t.Fatalf("only %d texts name a step: the scan is broken", len(seen))
	}
}

// The same on the screens themselves: every page, walked in order with
// Next as a user does, shows no text naming a later step whose catalogue
// text speaks of it as done (each text is traced back to its key).
func TestPagesNameNoLaterStepAsDone(t *testing.T) {
	wz, _ := newTestWizard(t, nil)
	wz.state.Org = validOrg()
	// A remote server, so the server's pages show their forms; Configure
	// knows X-Road is there and asks nothing of it.
	wz.state.Server = Server{Remote: true, Host: "127.0.0.1", Port: "22", User: "admin", Auth: AuthAgent, PublicIP: "93.184.216.34"}
	wz.configure.xroad = presence{server: wz.state.Server.Display(), found: configure.PresenceInstalled}
	setTestCSRs(t, wz) // Submit lets Next through
	type pattern struct {
		key string
		re  *regexp.Regexp
	}
	var pats []pattern
	holes := regexp.MustCompile(`\\\{\\\{[^}]*\\\}\\\}`)
	for k, v := range loadCatalog(t, "en") {
		if _, ok := stepRefs[k]; ok {
			pats = append(pats, pattern{k, regexp.MustCompile(holes.ReplaceAllString(regexp.QuoteMeta(v), ".*?"))})
		}
	}
	order := map[string]int{}
	for i, s := range wz.steps {
		order[s.id] = i
	}
	named := 0
	for i := range wz.steps {
		if !wz.goTo(i) {
			t.Fatalf("step %d not reached: %q", i+1, wz.message.Text)
		}
		page := wz.stepID()
		var texts []string
		walk(wz.page, func(o fyne.CanvasObject) {
			switch x := o.(type) {
			case *widget.Label:
				texts = append(texts, x.Text)
			case *widget.Button:
				texts = append(texts, x.Text)
			case *widget.Check:
				texts = append(texts, x.Text)
			}
		})
		for _, text := range texts {
			for s, re := range stepNamed {
				if !re.MatchString(text) {
					continue
				}
				named++
				traced := false
				for _, p := range pats {
					done, ok := stepRefs[p.key][s]
					if !ok || !p.re.MatchString(text) {
						continue
					}
					traced = true
					if done && order[s] >= order[page] {
						t.Errorf("the %s page shows %s, which speaks of the later %s step as done: %q", page, p.key, s, text)
					}
				}
				if !traced {
					t.Errorf("the %s page names the %s step in a text not in stepRefs: %q", page, s, text)
				}
			}
		}
	}
	if named == 0 {
		t.Fatal("no page named a step: the walk saw nothing")
	}
}
