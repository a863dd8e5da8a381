//go:build window

// Package window is the real-window walk of the wizard (make test-window,
// and make test through build/test-window.sh): the binary as users get it
// runs under Xvfb, one X server per language and screen size, all at
// once; real X input events (xdotool) take it through every step, press
// every button and open and close every dialog. It fails on a panic or an
// error in the wizard's log or stderr, on a window that grows past the
// screen, and on text the walk log (app/walklog.go) reports squeezed or cut
// at the window's edge. The screenshots it takes become the README gallery
// with WALK_GALLERY=docs/gallery (make gallery).
//
// Env: WALK_BIN the wizard's binary (required); WALK_OUT a folder that
// keeps every screenshot and log; WALK_GALLERY a folder for the gallery;
// WALK_ONLY "ru-1024x768" to walk one configuration; WALK_NO_ANIMATIONS
// "ru-1024x768 ky-1024x768" to walk those with Fyne's animations off;
// CI=true turns a missing tool into a failure instead of a skip.
package window

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/internal/testcert"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/metaservice"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/metaservice/metaservicetest"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

const softHSMLib = "/usr/lib/softhsm/libsofthsm2.so"

// The test token's PINs (a throwaway SoftHSM2 store per walk).
const (
	soPIN   = "so-pin-4711"
	userPIN = "user-pin-0815"
)

var sizes = [][2]int{{1280, 800}, {1024, 768}}

// spareX, spareY: the X screen's room beyond the size under test.
const spareX, spareY = 320, 160

var langs = []string{"en", "ru", "ky"}

// need fails (CI) or skips the test when a part is missing.
func need(t *testing.T, what string, ok bool) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("the window walk needs %s", what)
	}
	t.Skipf("the window walk needs %s", what)
}

func have(tool string) bool { _, err := exec.LookPath(tool); return err == nil }

func TestWindowWalk(t *testing.T) {
	bin := os.Getenv("WALK_BIN")
	need(t, "WALK_BIN, the wizard's binary (build/test-window.sh sets it)", bin != "")
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("WALK_BIN: %v", err)
	}
	for _, tool := range []string{"Xvfb", "xdotool", "import", "setxkbmap", "dbus-daemon", "softhsm2-util", "/usr/sbin/sshd"} {
		need(t, tool, have(tool))
	}
	_, err := os.Stat(softHSMLib)
	need(t, softHSMLib, err == nil)
	need(t, "root (the test security server's sshd)", os.Geteuid() == 0)

	out := os.Getenv("WALK_OUT")
	if out == "" {
		out = t.TempDir()
	}
	start := time.Now()
	t.Cleanup(func() { t.Logf("window walk: %s wall, screenshots in %s", time.Since(start).Round(time.Second), out) })
	for _, size := range sizes {
		for _, lang := range langs {
			name := fmt.Sprintf("%s-%dx%d", lang, size[0], size[1])
			if only := os.Getenv("WALK_ONLY"); only != "" && !strings.Contains(" "+only+" ", " "+name+" ") {
				continue
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				w := startWalk(t, bin, name, lang, size, filepath.Join(out, name))
				w.run()
				w.finish()
				if dir := os.Getenv("WALK_GALLERY"); dir != "" && size == sizes[0] {
					w.gallery(dir, lang)
				}
			})
		}
	}
}

// rig is what one walk runs against: a real sshd standing in for the
// security server, the admin API fake behind it, a SoftHSM2 token.
type rig struct {
	host   *testhost.Host
	fake   *xroadtest.Server
	anchor string
	cert   string // where the CA's answer to the authentication CSR goes
	// clientSide stands in for the server's client side (the first call,
	// reached through the sshd); docs serves a WSDL for the services.
	clientSide *metaservicetest.Server
	docs       string
	// is stands in for the information system's HTTPS server (its
	// certificate is read from its address); isClient is its key and
	// certificate for the first call over HTTPS, as files in the home
	// folder (isFiles), with an OpenAPI description beside them.
	is       *httptest.Server
	isClient tls.Certificate
}

// isFiles are the files the walk picks in the Connect step's choosers.
const (
	isCertFile    = "is-client-cert.pem"
	isKeyFile     = "is-client-key.pem"
	isOpenAPIFile = "people-openapi.yaml"
)

// walkClient is the subsystem the walk connects (the Organisation step's
// member, code crm).
var walkClient = metaservice.ID{Instance: xroadtest.Instance, MemberClass: "GOV", MemberCode: "70000001", Subsystem: "crm"}

func startWalk(t *testing.T, bin, name, lang string, size [2]int, shots string) *walk {
	dir := t.TempDir()
	for _, d := range []string{shots, "home/.config/fyne/kg.tunduk.onboard", "home/.cache", "home/.local/share", "home/.ssh", "run", "stub", "softhsm"} {
		p := d
		if d != shots {
			p = filepath.Join(dir, d)
		}
		if err := os.MkdirAll(p, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	home := filepath.Join(dir, "home")
	// A desktop user's home: the file choosers list these folders (and
	// log an error for each one missing).
	var dirs strings.Builder
	for _, d := range []string{"Desktop", "Documents", "Downloads", "Music", "Pictures", "Videos"} {
		if err := os.MkdirAll(filepath.Join(home, d), 0o700); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&dirs, "XDG_%s_DIR=\"$HOME/%s\"\n", strings.ToUpper(d), d)
	}
	dirs.WriteString("XDG_DOWNLOAD_DIR=\"$HOME/Downloads\"\n")
	if err := os.WriteFile(filepath.Join(home, ".config", "user-dirs.dirs"), []byte(dirs.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	r := &rig{host: testhost.StartSSHD(t, testhost.Options{}), fake: xroadtest.StartWith(t, xroadtest.Options{HardwareToken: true})}
	r.fake.ApproveAfter(1) // approved at the second look: Stop, then Resume
	// The subsystem: read once by Apply, once by the follow (Stop), approved
	// at the next look (Follow again).
	r.fake.ApproveClientsAfter(2)
	// The subsystem connects over HTTPS with client authentication: the
	// stand-in asks for the information system's certificate and presents
	// the internal TLS certificate the admin API fake exports.
	r.isClient, _ = testcert.KeyPair(t, "is-client.example.kg")
	r.clientSide = metaservicetest.Start(t, metaservicetest.State{
		Clients: map[metaservice.ID]metaservicetest.Client{walkClient: {Registered: true, IsAuth: metaservicetest.SSLAuth,
			IsCerts: []*x509.Certificate{r.isClient.Leaf}}},
		Services: map[metaservice.ID][]metaservice.Service{walkClient: {{Code: "people", Type: "REST"}}},
	})
	r.fake.SetInternalTLS(r.clientSide.CertPEM)
	isServer, _ := testcert.KeyPair(t, "is.example.kg")
	r.is = httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	r.is.TLS = &tls.Config{Certificates: []tls.Certificate{isServer}}
	r.is.Config.ErrorLog = log.New(io.Discard, "", 0) // the wizard ends each handshake once it has the certificate
	r.is.StartTLS()
	t.Cleanup(r.is.Close)
	keyDER, err := x509.MarshalPKCS8PrivateKey(r.isClient.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		isCertFile:    pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: r.isClient.Certificate[0]}),
		isKeyFile:     pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
		isOpenAPIFile: []byte(xroadtest.SampleOpenAPI("https://is.example.kg/api")),
	} {
		if err := os.WriteFile(filepath.Join(home, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r.docs = xroadtest.Descriptions(t, map[string]string{"/people.wsdl": xroadtest.SampleWSDL("http://is.example.kg/soap")}).URL
	r.anchor, r.cert = filepath.Join(dir, "anchor.xml"), filepath.Join(dir, "auth.cer")
	if err := os.WriteFile(r.anchor, r.fake.Anchor(xroadtest.Instance), 0o644); err != nil {
		t.Fatal(err)
	}

	// A SoftHSM2 token of its own, initialised, no key yet.
	conf := filepath.Join(dir, "softhsm", "softhsm2.conf")
	if err := os.MkdirAll(filepath.Join(dir, "softhsm", "tokens"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(conf, []byte("directories.tokendir = "+filepath.Join(dir, "softhsm", "tokens")+
		"\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	init := exec.Command("softhsm2-util", "--init-token", "--free", "--label", "SS1-sign", "--so-pin", soPIN, "--pin", userPIN)
	init.Env = append(os.Environ(), "SOFTHSM2_CONF="+conf)
	if b, err := init.CombinedOutput(); err != nil {
		t.Fatalf("softhsm2-util: %v: %s", err, b)
	}

	// Opening a folder or a letter goes to xdg-open: a stub that notes it.
	opened := filepath.Join(dir, "opened")
	if err := os.WriteFile(filepath.Join(dir, "stub", "xdg-open"), []byte("#!/bin/sh\necho \"$@\" >>"+opened+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}

	// The wizard's saved form: the server's SSH details (the walk picks
	// "over SSH" itself), no organisation (the walk types it), no known
	// host key (the walk meets the host-key dialog).
	prefs, _ := json.Marshal(map[string]any{
		"ui_language": lang, "server_remote": false, "server_host": r.host.IP, "server_port": strconv.Itoa(r.host.Port),
		"server_user": r.host.User, "server_auth": "key", "server_key_file": r.host.ClientKeyPath,
		"configure_anchor_path": r.anchor, "register_auth_cert": r.cert,
	})
	if err := os.WriteFile(filepath.Join(home, ".config/fyne/kg.tunduk.onboard/preferences.json"), prefs, 0o600); err != nil {
		t.Fatal(err)
	}

	// The configurations named in WALK_NO_ANIMATIONS run with Fyne's own
	// setting no_animations (settings.json), as a user may set it: no
	// blinking cursor, animated buttons or spinners, so the software
	// renderer draws only what changes: 72 CPU-seconds for a walk that
	// took 125 with them, in the same 230 s (make test walks ru and ky so).
	if strings.Contains(" "+os.Getenv("WALK_NO_ANIMATIONS")+" ", " "+name+" ") {
		if err := os.WriteFile(filepath.Join(home, ".config/fyne/settings.json"), []byte(`{"no_animations": true}`), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	display := startX(t, dir, size)
	bus := startBus(t, dir, display)

	w := &walk{t: t, name: name, display: display, screen: size, logPath: filepath.Join(dir, "walk.log"),
		shots: shots, problems: map[string]bool{}, pressed: map[string]bool{}, start: time.Now()}
	api := r.fake.AdminAPI()
	app := exec.Command(bin)
	app.Env = append(os.Environ(),
		"PATH="+filepath.Join(dir, "stub")+":"+os.Getenv("PATH"),
		"HOME="+home, "XDG_CONFIG_HOME="+home+"/.config", "XDG_CACHE_HOME="+home+"/.cache",
		"XDG_DATA_HOME="+home+"/.local/share", "XDG_RUNTIME_DIR="+filepath.Join(dir, "run"),
		"DISPLAY="+display, "DBUS_SESSION_BUS_ADDRESS="+bus, "LANG=en_US.UTF-8",
		"LIBGL_ALWAYS_SOFTWARE=1", "FYNE_SCALE=1",
		fmt.Sprintf("TUNDUK_ONBOARD_SIZE=%dx%d", size[0], size[1]),
		"TUNDUK_ONBOARD_WALK_LOG="+w.logPath,
		"TUNDUK_ONBOARD_PKCS11_MODULE="+softHSMLib, "SOFTHSM2_CONF="+conf,
		"TUNDUK_ONBOARD_ADMIN_API="+api.Addr, "TUNDUK_ONBOARD_ADMIN_API_CERT="+api.CertPath,
		"TUNDUK_ONBOARD_PROXY_JAR="+api.ProxyJar,
		"TUNDUK_ONBOARD_CLIENT_SIDE="+r.clientSide.HTTP.URL,
		"TUNDUK_ONBOARD_CLIENT_SIDE_HTTPS="+r.clientSide.HTTPS.URL,
	)
	stderr := filepath.Join(dir, "stderr.txt")
	ef, err := os.Create(stderr)
	if err != nil {
		t.Fatal(err)
	}
	app.Stdout, app.Stderr = ef, ef
	if err := app.Start(); err != nil {
		t.Fatalf("start the wizard: %v", err)
	}
	w.app, w.rig, w.home, w.stderr, w.opened = app, r, home, stderr, opened
	w.exited = make(chan struct{})
	go func() { w.exitErr = app.Wait(); close(w.exited) }()
	t.Cleanup(func() {
		_ = app.Process.Signal(syscall.SIGTERM)
		select {
		case <-w.exited:
		case <-time.After(5 * time.Second):
			_ = app.Process.Kill()
			<-w.exited
		}
		ef.Close()
		if os.Getenv("WALK_OUT") != "" { // kept with the screenshots
			copyFile(stderr, filepath.Join(shots, "stderr.txt"))
			copyFile(w.logPath, filepath.Join(shots, "walk.log"))
			if l := w.appLog(); l != "" {
				copyFile(l, filepath.Join(shots, "wizard.log"))
			}
		}
	})

	// The window: the walk log's first line, then the X window of the pid.
	end := time.Now().Add(60 * time.Second)
	for w.logFile == nil {
		if f, err := os.Open(w.logPath); err == nil {
			w.logFile, w.rd = f, newReader(f)
			t.Cleanup(func() { f.Close() })
		} else if time.Now().After(end) {
			t.Fatalf("%s: no walk log after 60 s; stderr:\n%s", name, logTail(stderr, 20))
		} else {
			time.Sleep(50 * time.Millisecond)
		}
	}
	w.waitFor("the first page", 60*time.Second, 0, func(s *snap) bool { return len(s.Items) > 0 })
	for w.win == "" {
		cmd := exec.Command("xdotool", "search", "--onlyvisible", "--pid", strconv.Itoa(app.Process.Pid))
		cmd.Env = append(os.Environ(), "DISPLAY="+display)
		if out, err := cmd.Output(); err == nil && len(strings.Fields(string(out))) > 0 {
			w.win = strings.Fields(string(out))[0]
		} else if time.Now().After(end) {
			t.Fatalf("%s: no visible window of pid %d", name, app.Process.Pid)
		} else {
			time.Sleep(50 * time.Millisecond)
		}
	}
	w.checkGeometry()
	return w
}

// startX starts an X server of the given size on a display number it
// picks itself (-displayfd), with a keyboard that has the Kyrgyz (and so
// the Russian) letters, so xdotool types them without remapping keys.
func startX(t *testing.T, dir string, size [2]int) string {
	r, wr, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	// -noreset: else the keyboard set below goes with setxkbmap, the
	// last client, when the server resets itself.
	// The X screen has room to spare right and below: a window that
	// grows past the size under test fails the walk (checkGeometry), and
	// the walk still reaches what grew, to find what else is wrong.
	x := exec.Command("Xvfb", "-displayfd", "3", "-noreset", "-screen", "0",
		fmt.Sprintf("%dx%dx24", size[0]+spareX, size[1]+spareY), "-nolisten", "tcp")
	x.ExtraFiles = []*os.File{wr}
	logf, _ := os.Create(filepath.Join(dir, "xvfb.log"))
	x.Stdout, x.Stderr = logf, logf
	if err := x.Start(); err != nil {
		t.Fatalf("Xvfb: %v", err)
	}
	wr.Close()
	t.Cleanup(func() {
		// TERM: Xvfb then removes its socket and lock; KILL if it hangs.
		_ = x.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = x.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = x.Process.Kill()
			<-done
		}
		logf.Close()
	})
	// Read up to the newline, and keep the pipe open: Xvfb writes the
	// number and the newline apart, and a closed pipe is fatal to it.
	t.Cleanup(func() { r.Close() })
	num := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		num <- strings.TrimSpace(line)
	}()
	var d string
	select {
	case d = <-num:
	case <-time.After(20 * time.Second):
	}
	if d == "" {
		t.Fatalf("Xvfb did not start: %s", logTail(filepath.Join(dir, "xvfb.log"), 5))
	}
	display := ":" + d
	for end := time.Now().Add(10 * time.Second); ; {
		b, err := exec.Command("setxkbmap", "-display", display, "-layout", "us,kg").CombinedOutput()
		if err == nil {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("setxkbmap: %v: %s\nXvfb: %s", err, b, logTail(filepath.Join(dir, "xvfb.log"), 10))
		}
		time.Sleep(100 * time.Millisecond)
	}
	return display
}

// startBus starts a private session bus (Fyne and the keyring look for
// one), stopped by its pid.
func startBus(t *testing.T, dir, display string) string {
	cmd := exec.Command("dbus-daemon", "--session", "--fork", "--nopidfile", "--print-address=1", "--print-pid=2")
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	var addr, pid strings.Builder
	cmd.Stdout, cmd.Stderr = &addr, &pid
	if err := cmd.Run(); err != nil {
		t.Fatalf("dbus-daemon: %v", err)
	}
	if p, err := strconv.Atoi(strings.TrimSpace(pid.String())); err == nil {
		t.Cleanup(func() { _ = syscall.Kill(p, syscall.SIGTERM) })
	}
	return strings.TrimSpace(addr.String())
}

// appLog is the wizard's log file of this run.
func (w *walk) appLog() string {
	m, _ := filepath.Glob(filepath.Join(w.home, ".config/tunduk-onboard/logs/tunduk-onboard-*.log"))
	if len(m) == 0 {
		return ""
	}
	return m[len(m)-1]
}

// badLine: what in the wizard's stderr or log fails the walk.
var (
	badStderr = regexp.MustCompile(`(?m)^(panic:|fatal error:|.*Fyne error:.*|goroutine \d+ \[)`)
	badLog    = regexp.MustCompile(`(?m)^.*level=(error|fatal|panic).*$`)
	// Fyne's "Preferences load error: EOF" fails the walk too: the wizard
	// writes its form after a pause (app/prefs_later.go), so Fyne never
	// reloads the file while the wizard writes it.
)

// finish checks what the wizard wrote and the fake saw, once the walk is
// over.
func (w *walk) finish() {
	t := w.t
	w.checkGeometry()
	select {
	case <-w.exited:
		t.Errorf("%s: the wizard is gone at the end of the walk (%v)", w.name, w.exitErr)
	default:
	}
	stderr, _ := os.ReadFile(w.stderr)
	for _, m := range badStderr.FindAllString(string(stderr), 20) {
		t.Errorf("%s: wizard stderr: %s", w.name, m)
	}
	if strings.Contains(string(stderr), "panic:") {
		t.Errorf("%s: the wizard panicked:\n%s", w.name, logTail(w.stderr, 40))
	}
	if l := w.appLog(); l == "" {
		t.Errorf("%s: no wizard log", w.name)
	} else {
		b, _ := os.ReadFile(l)
		for _, m := range badLog.FindAllString(string(b), 20) {
			t.Errorf("%s: wizard log: %s", w.name, m)
		}
	}
	// Show folder (Submit) reached the desktop's opener with a folder.
	b, _ := os.ReadFile(w.opened)
	if dir, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "file://"); !ok || !strings.HasPrefix(dir, w.home) {
		t.Errorf("%s: Show folder did not open the application's folder (xdg-open got %q)", w.name, b)
	} else if fi, err := os.Stat(strings.Split(dir, "\n")[0]); err != nil || !fi.IsDir() {
		t.Errorf("%s: Show folder opened %q, not a folder (%v)", w.name, dir, err)
	}
	for _, v := range w.rig.fake.TakeViolations() {
		t.Errorf("%s: the admin API fake saw a request against the spec: %+v", w.name, v)
	}
	t.Logf("%s: walked in %s, %d screenshots", w.name, time.Since(w.start).Round(100*time.Millisecond), w.shotN)
}

func copyFile(from, to string) {
	if b, err := os.ReadFile(from); err == nil {
		_ = os.WriteFile(to, b, 0o644)
	}
}
