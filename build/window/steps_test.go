//go:build window

package window

// The walk through the wizard's steps, keyed on step ids and catalogue
// keys (never on today's pixel positions). Each step does what a person
// does there, then sweeps: every button it did not press yet is pressed,
// each dialog that opens is shot and closed. A step this file does not
// know is shot and swept too.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// orgNames are typed on the Organisation step, in the walk's language.
var orgNames = map[string]string{
	"en": "Ministry of Digital Development",
	"ru": "Министерство цифрового развития",
	"ky": "Санариптик өнүктүрүү министрлиги",
}

// neverPressed are buttons the walk leaves alone: Start (and Resume) of
// the install would install X-Road over SSH on the machine running the
// test, as root.
var neverPressed = []string{"install.start", "install.resume"}

func (w *walk) run() {
	w.header()
	steps := map[string]func(){
		"welcome":      func() { w.shot("welcome") },
		"organisation": w.organisation,
		"server":       w.server,
		"readiness":    w.readiness,
		"install":      w.install,
		"configure":    w.configure,
		"token":        w.token,
		"certificates": w.certificates,
		"submit":       w.submit,
		"register":     w.register,
		"connect":      w.connect,
		"health":       w.health,
		"summary":      func() { w.shot("summary") },
	}
	w.poll()
	for i, id := range w.cur.Steps {
		w.goStep(id)
		if f, ok := steps[id]; ok {
			f()
		} else {
			w.shot(id)
		}
		w.sweep(neverPressed...)
		w.checkGeometry()
		if i < len(w.cur.Steps)-1 {
			w.next()
		}
	}
}

// header: About, and the language switched away and back.
func (w *walk) header() {
	w.pressWait("about.button", "the About box", 15*time.Second, func(s *snap) bool { return s.overlayTitled("about.title") })
	w.shot("about")
	w.pressWait("dialog.close", "About closed", 15*time.Second, func(s *snap) bool { return len(s.Overlays) == 0 })

	lang := w.cur.Lang
	other := map[string]int{"en": 1, "ru": 2, "ky": 0}[lang] // ru, ky, en: the next in the selector
	want := []string{"en", "ru", "ky"}[other]
	w.switchLanguage(other, want)
	w.switchLanguage(slices.Index([]string{"en", "ru", "ky"}, lang), lang)
}

// switchLanguage picks option i of the language selector in the header.
func (w *walk) switchLanguage(i int, want string) {
	s := w.wait("the language selector", func(s *snap) bool {
		return len(s.find(func(it item) bool {
			return it.K == "select" && len(it.Keys) > 0 && strings.HasPrefix(it.Keys[0], "lang.")
		})) > 0
	})
	sel := s.find(func(it item) bool {
		return it.K == "select" && len(it.Keys) > 0 && strings.HasPrefix(it.Keys[0], "lang.")
	})[0]
	w.click(sel)
	w.waitFor("the language menu", 10*time.Second, s.Seq, func(s *snap) bool { return len(s.Overlays) > 0 })
	keys := []string{"key", "--delay", "30"}
	for j := 0; j <= i; j++ {
		keys = append(keys, "Down")
	}
	w.x(append(keys, "Return")...)
	w.wait("the wizard in "+want, func(s *snap) bool { return s.Lang == want && len(s.Overlays) == 0 })
}

func (w *walk) organisation() {
	w.choose("org.class", 0, "GOV")
	w.typeInto("org.code", "70000001")
	w.typeInto("org.name", orgNames[w.cur.Lang])
	w.typeInto("org.server_code", "SS1")
	if b, ok := w.cur.button("nav.next"); !ok || b.Off {
		w.fillRest()
	}
	w.wait("Next allowed", func(s *snap) bool { b, ok := s.button("nav.next"); return ok && !b.Off })
	w.shot("organisation")
}

func (w *walk) server() {
	w.radio("server.mode.remote")
	w.typeInto("server.public_ip", "93.184.216.34")
	w.choose("server.auth", 2, w.text("server.auth.password")) // the password's field comes
	w.wait("the password field", func(s *snap) bool { _, ok := s.field("server.password"); return ok })
	w.choose("server.auth", 1, w.text("server.auth.key"))
	w.wait("the key file field", func(s *snap) bool { _, ok := s.field("server.key_file"); return ok })
	w.shot("server")
}

// readiness: the host key refused (the error's way back to Server),
// then accepted; a check cancelled; a check run to its end; the reports
// saved.
func (w *walk) readiness() {
	hostKey := func(s *snap) bool { return s.overlayTitled("hostkey.title") }
	w.pressWait("readiness.check", "the host key question", 60*time.Second, hostKey)
	w.shot("hostkey")
	w.pressWait("hostkey.refuse", "the refusal explained", 30*time.Second, func(s *snap) bool {
		_, ok := s.button("err.to_server")
		return ok && len(s.Overlays) == 0
	})
	w.pressWait("err.to_server", "the Server step", 15*time.Second, func(s *snap) bool { return s.Step == "server" })
	w.next()
	w.pressWait("readiness.check", "the host key question", 60*time.Second, hostKey)
	done := func(s *snap) bool {
		b, ok := s.button("readiness.save_html")
		return ok && !b.Off && len(s.Overlays) == 0
	}
	w.pressWait("hostkey.accept", "the check's end", 3*time.Minute, done)
	w.shot("readiness")
	// Cancelled while it runs (or, on a fast machine, after it ended).
	w.press("readiness.check")
	w.settle(time.Now(), 300*time.Millisecond)
	if b, ok := w.cur.button("readiness.cancel"); ok && !b.Off {
		w.click(b)
	}
	w.wait("the check stopped", func(s *snap) bool { b, ok := s.button("readiness.check"); return ok && !b.Off })
	if !done(w.cur) { // cancelled indeed: the report comes from one more check
		w.pressWait("readiness.check", "the check's end", 3*time.Minute, done)
	}
	// Saved for real into the home folder; JSON chooser cancelled.
	w.pressWait("readiness.save_html", "the file chooser", chooserWait, func(s *snap) bool { _, ok := s.button("fyne:Save"); return ok })
	w.shot("save-report")
	w.pressWait("fyne:Save", "saved", 15*time.Second, func(s *snap) bool { return s.overlayTitled("readiness.saved.title") })
	w.closeDialogs()
	w.pressWait("readiness.save_json", "the file chooser", chooserWait, func(s *snap) bool { _, ok := s.button("fyne:Cancel"); return ok })
	w.closeDialogs()
}

// install: the plan refused while the form is empty, then shown.
func (w *walk) install() {
	w.pressWait("install.details", "why there is no plan", 15*time.Second, func(s *snap) bool { return len(s.Overlays) > 0 })
	w.closeDialogs()
	// The login the (never started) install would make is the one the
	// admin API fake knows: Configure and Register use it from here.
	w.typeInto("install.admin_user", xroadtest.AdminUser)
	w.typeInto("install.admin_password", xroadtest.AdminPassword)
	w.typeInto("install.admin_password2", xroadtest.AdminPassword)
	// The test server fails the readiness check: the plan needs the
	// override, which is ticked for it and then taken back.
	_, force := w.cur.field("install.force")
	if force {
		w.tick("install.force")
	}
	w.pressWait("install.details", "the plan", 30*time.Second, func(s *snap) bool { return s.overlayTitled("install.plan_title") })
	w.shot("install-plan")
	w.closeDialogs()
	if force {
		w.tick("install.force")
	}
	// One click each way: the check once needed two at 1280x800 (the
	// walk clicked its row beside the text after scrolling to it).
	w.tickOnce("install.token_on_server")
	w.tickOnce("install.token_on_server")
	w.shot("install")
}

// configure: the server's status (with the Install step's login), the
// anchor checked on the server, the software token's PIN, Initialise on the
// admin API fake; both CSR files offered.
func (w *walk) configure() {
	// Read on entry already: the same status again, maybe no change.
	w.press("configure.refresh")
	w.settle(time.Now(), 300*time.Millisecond)
	w.wait("the server's status", func(s *snap) bool {
		b, ok := s.button("configure.refresh")
		return ok && !b.Off && !s.label("configure.status_unknown")
	})
	w.press("configure.preview_server")
	w.settle(time.Now(), 300*time.Millisecond) // the server's view of the anchor
	w.typeInto("configure.pin", "Walk-soft-PIN-2026")
	w.typeInto("configure.pin2", "Walk-soft-PIN-2026")
	w.pressWait("configure.initialise", "the authentication CSR", 2*time.Minute, func(s *snap) bool {
		_, ok := s.button("cert.save_pem")
		return ok
	})
	w.shot("configure")
	// The CA answers the authentication CSR: the Register step imports it.
	csr := w.rig.fake.CSR(xroad.UsageAuthentication)
	if csr == nil {
		w.fatalf("Initialise made no authentication CSR on the server")
	}
	if err := os.WriteFile(w.rig.cert, w.rig.fake.Issue(w.t, csr), 0o644); err != nil {
		w.fatalf("%v", err)
	}
	w.pressWait("cert.save_pem", "the file chooser", chooserWait, func(s *snap) bool { _, ok := s.button("fyne:Save"); return ok })
	w.pressWait("fyne:Save", "saved", 15*time.Second, func(s *snap) bool { return s.overlayTitled("cert.saved.title") })
	w.closeDialogs()
}

// token: the library, the format and PIN dialogs (a wrong PIN refused),
// the signing key made with the user PIN.
func (w *walk) token() {
	ready := func(s *snap) bool { b, ok := s.button("token.keygen"); return ok && !b.Off }
	w.wait("the test token", ready)
	// The same library again: maybe nothing changes on screen.
	w.press("token.library.use")
	w.settle(time.Now(), 300*time.Millisecond)
	w.wait("the token again", ready)
	w.pressWait("token.format", "the format dialog", 15*time.Second, func(s *snap) bool { return s.overlayTitled("token.format.title") })
	w.shot("token-format")
	w.closeDialogs()
	w.pressWait("token.pins", "the PIN dialog", 15*time.Second, func(s *snap) bool { return s.overlayTitled("token.pins.title") })
	w.typeInto("token.pins.old_user", "wrong-pin-1")
	w.typeInto("token.pins.new_user", "Walk-user-PIN-2026")
	w.typeInto("token.pins.new_user2", "Walk-user-PIN-2026")
	before := len(w.cur.Items)
	w.pressWait("token.pins.ok", "the wrong PIN refused", 30*time.Second, func(s *snap) bool {
		b, ok := s.button("token.pins.ok")
		return ok && !b.Off && len(s.Items) > before // the error line came
	})
	w.shot("token-pins")
	w.closeDialogs()
	w.pressWait("token.keygen", "the PIN prompt", 15*time.Second, func(s *snap) bool { return s.overlayTitled("token.keygen.title") })
	w.typeInto("token.pin.user_pin", userPIN)
	w.pressWait("token.keygen.ok", "the signing key", 2*time.Minute, func(s *snap) bool {
		return len(s.Overlays) == 0 && !s.label("token.key.none") && ready(s)
	})
	w.shot("token")
	// Formatting a token that holds the key asks again, serial typed;
	// refused there, the token keeps its key.
	w.pressWait("token.format", "the format dialog", 15*time.Second, func(s *snap) bool { return s.overlayTitled("token.format.title") })
	w.typeInto("token.format.so_pin", soPIN)
	w.typeInto("token.format.user_pin", "Walk-user-PIN-2026")
	w.typeInto("token.format.user_pin2", "Walk-user-PIN-2026")
	w.pressWait("token.format.ok", "the erase question", time.Minute, func(s *snap) bool { return s.overlayTitled("token.wipe.title") })
	w.shot("token-wipe")
	w.pressWait("token.cancel", "erasing refused", time.Minute, func(s *snap) bool {
		b, ok := s.button("token.format.ok")
		return ok && !b.Off && !s.overlayTitled("token.wipe.title")
	})
	w.closeDialogs()
	w.wait("the key kept", func(s *snap) bool { return !s.label("token.key.none") && ready(s) })
}

// certificates: the places of the signing key looked at (the server's
// software token: what Configure will do), then back to the token here;
// the CSR signed on the token, saved.
func (w *walk) certificates() {
	w.radio("cert.place.server_soft_token")
	w.wait("the software token's way", func(s *snap) bool { return s.label("cert.at_server.server_soft_token") })
	w.shot("certificates-soft-token")
	w.radio("cert.place.usb_token")
	w.wait("the CSR made here", func(s *snap) bool { _, ok := s.button("cert.make"); return ok })
	// The PIN typed on the Token step is kept for the run: asked again
	// only when the wizard does not hold it.
	if _, ok := w.cur.field("token.pin.user_pin"); ok {
		w.typeInto("token.pin.user_pin", userPIN)
	}
	w.pressWait("cert.make", "the signing CSR", time.Minute, func(s *snap) bool { _, ok := s.button("cert.save_pem"); return ok })
	w.shot("certificates")
	w.pressWait("cert.save_pem", "the file chooser", chooserWait, func(s *snap) bool { _, ok := s.button("fyne:Save"); return ok })
	w.pressWait("fyne:Save", "saved", 15*time.Second, func(s *snap) bool { return s.overlayTitled("cert.saved.title") })
	w.closeDialogs()
}

// submit: every way to send looked at; sent to a folder, handed over.
func (w *walk) submit() {
	for _, via := range []string{"submit.via.smtp", "submit.via.https", "submit.via.email", "submit.via.folder"} {
		if len(w.cur.find(func(it item) bool { return it.K == "radio" && it.has(via) })) > 0 {
			w.radio(via)
		}
	}
	w.pressWait("submit.choose_folder", "the folder chooser", chooserWait, func(s *snap) bool { return len(s.Overlays) > 0 })
	w.shot("folder-chooser")
	w.closeDialogs()
	if err := os.MkdirAll(w.home+"/usb", 0o700); err != nil {
		w.fatalf("%v", err)
	}
	w.typeInto("submit.folder_placeholder", w.home+"/usb")
	w.pressWait("submit.send", "the application written", time.Minute, func(s *snap) bool {
		_, ok := s.button("submit.mark_sent.folder")
		return ok
	})
	w.shot("submit")
	w.pressWait("submit.mark_sent.folder", "handed over", 30*time.Second, func(s *snap) bool {
		_, ok := s.button("submit.mark_sent.folder")
		return !ok
	})
	w.toggle("submit.advanced")
}

// register: the CA's certificate imported, the registration sent, the
// wait stopped and resumed until the central server approves.
func (w *walk) register() {
	w.pressWait("register.import", "the certificate imported", time.Minute, func(s *snap) bool {
		b, ok := s.button("register.register")
		return ok && !b.Off
	})
	looks := w.rig.fake.Count("GET", "/token-certificates/")
	w.press("register.register")
	end := time.Now().Add(time.Minute)
	for w.rig.fake.Count("GET", "/token-certificates/") == looks {
		if time.Now().After(end) {
			w.fatalf("the registration's first look at the certificate never came")
		}
		time.Sleep(50 * time.Millisecond)
	}
	w.wait("waiting for approval", func(s *snap) bool { return s.label("register.waiting") })
	w.pressWait("register.stop", "the wait stopped", 30*time.Second, func(s *snap) bool {
		b, ok := s.button("register.resume")
		return ok && !b.Off
	})
	w.pressWait("register.resume", "the certificate active", time.Minute, func(s *snap) bool { return s.label("register.ok") })
	w.shot("register")
}

// text is what a catalogue key reads in the walk's language, as the
// wizard shows it (a select compares texts).
func (w *walk) text(key string) string {
	for _, it := range w.cur.Items {
		if it.has(key) {
			return it.Text
		}
	}
	return catalogue(w.cur.Lang)[key]
}

// catalogue is the wizard's catalogue of lang (assets/translations).
func catalogue(lang string) map[string]string {
	b, _ := os.ReadFile(filepath.Join("..", "..", "assets", "translations", lang+".json"))
	var raw map[string]json.RawMessage
	_ = json.Unmarshal(b, &raw)
	m := map[string]string{}
	for k, v := range raw {
		var s string
		if json.Unmarshal(v, &s) == nil {
			m[k] = s
		}
	}
	return m
}

// systemNames are typed as the information system's name.
var systemNames = map[string]string{
	"en": "Citizen register",
	"ru": "Реестр граждан",
	"ky": "Жарандардын реестри",
}

// connect: a subsystem added; at HTTPS the information system's
// certificate chosen as a file and read from its address (refused, then
// added); the other connection types looked at and HTTPS kept for the
// first call; a REST service, an OpenAPI file (chosen) and a WSDL added;
// the plan shown, applied, the registration followed, stopped and
// followed again until the operator approves; a subject found and
// granted; the first call over HTTPS with the information system's key
// and certificate (chosen); the operator told (the Submit step's folder)
// and the hand-over marked; the Catalogue and the server's TLS
// certificate saved.
func (w *walk) connect() {
	enabled := func(key string) func(*snap) bool {
		return func(s *snap) bool { b, ok := s.button(key); return ok && !b.Off && len(s.Overlays) == 0 }
	}
	labelWith := func(part string) func(*snap) bool {
		return func(s *snap) bool {
			return len(s.Overlays) == 0 && len(s.find(func(it item) bool { return it.K == "label" && strings.Contains(it.Text, part) })) > 0
		}
	}
	// browse clicks the chooser button of the form item key and picks file.
	browse := func(key, file string) {
		find := func(s *snap) (item, bool) {
			b := s.find(func(it item) bool {
				return it.K == "button" && !it.Off && slices.Contains(it.Form, key) && strings.Contains(it.Icon, "folder-open")
			})
			if len(b) == 0 {
				return item{}, false
			}
			return b[0], true
		}
		w.clickUntil("the chooser of "+key, find, "the chooser of "+key, chooserWait, true, chooserOpen)
		w.pickFile(file)
		w.wait(file+" in "+key, func(s *snap) bool { f, ok := s.field(key); return ok && strings.HasSuffix(f.Text, file) })
	}
	w.typeInto("connect.sub_code", "crm")
	w.typeInto("connect.sub_name", systemNames[w.cur.Lang])
	w.pressWait("connect.sub_add", "the subsystem in the list", 15*time.Second, enabled("connect.preview"))
	w.radio("connect.conn_https")
	w.pressWait("connect.tls_import", "the certificate chooser", chooserWait, chooserOpen)
	w.shot("connect-tls-chooser")
	// The certificates listed: rows that begin as connect.tls_file does
	// (their paths may be cut in the walk log).
	certRows := func(n int) func(*snap) bool {
		prefix, _, _ := strings.Cut(catalogue(w.cur.Lang)["connect.tls_file"], "{{")
		return func(s *snap) bool {
			return len(s.Overlays) == 0 && len(s.find(func(it item) bool { return it.K == "label" && strings.HasPrefix(it.Text, prefix) })) == n
		}
	}
	w.pickFile(isCertFile)
	w.wait("the certificate file listed", certRows(1))
	w.typeInto("connect.tls_url", strings.TrimPrefix(w.rig.is.URL, "https://"))
	shown := func(s *snap) bool { return s.overlayTitled("connect.tls_fetch.title") }
	w.pressWait("connect.tls_fetch", "the certificate read from the address", time.Minute, shown)
	w.shot("connect-tls-fetch")
	w.pressWait("connect.tls_fetch.refuse", "the certificate refused", 15*time.Second, enabled("connect.tls_fetch"))
	w.pressWait("connect.tls_fetch", "the certificate read again", time.Minute, shown)
	w.pressWait("connect.tls_fetch.trust", "the certificate added", 15*time.Second, certRows(2))
	w.shot("connect-tls")
	w.radio("connect.conn_https_no_auth")
	w.radio("connect.conn_http")
	w.radio("connect.conn_https")

	w.choose("connect.svc_type", 0, w.text("connect.svc.rest"))
	w.typeInto("connect.svc_url", "https://is.example.kg/rest")
	w.typeInto("connect.svc_code", "people")
	w.pressWait("connect.svc_add", "the REST service", 15*time.Second, func(s *snap) bool {
		f, ok := s.field("connect.grant_to")
		return ok && !f.Off
	})
	w.choose("connect.svc_type", 2, w.text("connect.svc.openapi_file"))
	browse("connect.svc_file", isOpenAPIFile)
	w.typeInto("connect.svc_code", "people-api")
	w.pressWait("connect.svc_add", "the OpenAPI file's service", 15*time.Second, labelWith(isOpenAPIFile))
	w.choose("connect.svc_type", 3, w.text("connect.svc.wsdl"))
	w.typeInto("connect.svc_url", w.rig.docs+"/people.wsdl")
	before := len(w.cur.Items)
	w.pressWait("connect.svc_add", "the WSDL", 15*time.Second, func(s *snap) bool { return len(s.Items) > before })

	// The plan before anything changes, then applied.
	changes := func() int {
		n := 0
		for _, c := range w.rig.fake.Calls() {
			if c.Method != "GET" && !strings.HasPrefix(c.Path, "/api-keys") {
				n++
			}
		}
		return n
	}
	was := changes()
	w.pressWait("connect.preview", "the plan", time.Minute, func(s *snap) bool { return enabled("connect.apply")(s) && !s.label("connect.plan.none") })
	if changes() != was {
		w.fatalf("showing the plan changed the server")
	}
	// The plan's last row (each reads "what — state") in view for the shot.
	rows := w.cur.find(func(it item) bool { return it.K == "label" && strings.Contains(it.Text, " — ") })
	if len(rows) == 0 {
		w.fatalf("no row of the plan on the page")
	}
	w.reveal(rows[len(rows)-1])
	w.shot("connect-plan")
	w.pressWait("connect.apply", "the plan applied", 2*time.Minute, func(s *snap) bool { return s.label("connect.applied") && enabled("connect.follow")(s) })
	id := "/clients/" + xroadtest.Instance + ":GOV:70000001:crm"
	looks := w.rig.fake.Count("GET", id)
	w.press("connect.follow")
	end := time.Now().Add(time.Minute)
	for w.rig.fake.Count("GET", id) == looks {
		if time.Now().After(end) {
			w.fatalf("the follow never asked for the subsystem")
		}
		time.Sleep(50 * time.Millisecond)
	}
	w.pressWait("connect.stop", "the follow stopped", 30*time.Second, enabled("connect.follow"))
	w.pressWait("connect.follow", "the subsystem registered", time.Minute, func(s *snap) bool { return s.label("connect.registered") })

	// Access: a subject found by name, granted the REST service.
	w.typeInto("connect.search_placeholder", "registry")
	w.pressWait("connect.search", "the subjects", 30*time.Second, func(s *snap) bool { f, ok := s.field("connect.subject"); return ok && !f.Off })
	w.pick("connect.subject")
	w.pick("connect.grant_to")
	grants := w.rig.fake.Count("POST", "/services/")
	w.press("connect.grant")
	end = time.Now().Add(time.Minute)
	for w.rig.fake.Count("POST", "/services/") == grants {
		if time.Now().After(end) {
			w.fatalf("the grant never reached the server")
		}
		time.Sleep(50 * time.Millisecond)
	}
	w.wait("the grant done", enabled("connect.grant"))

	// The first call over HTTPS through the SSH connection to the
	// stand-in, with the information system's key and certificate.
	browse("connect.call_cert", isCertFile)
	browse("connect.call_key", isKeyFile)
	w.pressWait("connect.call_run", "the first call's answer", time.Minute, func(s *snap) bool { return s.label("connect.call.ok") })
	// The answer whole in view: the heading under it shown.
	if h := w.cur.find(func(it item) bool { return it.K == "label" && it.has("connect.tell") }); len(h) > 0 {
		w.reveal(h[0])
	}
	w.shot("connect")

	// The operator told the Submit step's way (a folder), the Catalogue
	// and the server's certificate saved for real into the home folder.
	w.pressWait("connect.notice_send", "the notice written", time.Minute, func(s *snap) bool {
		return s.label("connect.notice.folder") && enabled("connect.notice.mark_sent.folder")(s)
	})
	w.pressWait("connect.notice.mark_sent.folder", "the notice handed over", 30*time.Second, func(s *snap) bool {
		_, ok := s.button("connect.notice.mark_sent.folder")
		return !ok && s.label("connect.notice.marked")
	})
	for _, key := range []string{"connect.catalogue_csv", "connect.catalogue_json", "connect.tls_export"} {
		w.pressWait(key, "the file chooser", time.Minute, func(s *snap) bool { _, ok := s.button("fyne:Save"); return ok })
		w.pressWait("fyne:Save", "saved", 15*time.Second, func(s *snap) bool { return len(s.Overlays) == 0 })
	}
	w.wait("the certificate saved", func(s *snap) bool { return s.label("connect.tls.exported") })
}

// pick opens the select with form label key and takes its first option.
func (w *walk) pick(key string) {
	w.t.Helper()
	s := w.wait("select "+key, func(s *snap) bool { f, ok := s.field(key); return ok && f.K == "select" && !f.Off })
	f, _ := s.field(key)
	w.click(f)
	w.waitFor("the options of "+key, 10*time.Second, s.Seq, func(s *snap) bool { return len(s.Overlays) > 0 })
	w.x("key", "--delay", "30", "Down", "Return")
	w.wait(key+" chosen", func(s *snap) bool { f, ok := s.field(key); return ok && len(s.Overlays) == 0 && f.Text != "" })
}
