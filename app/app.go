// Package app is the Tunduk Onboard desktop wizard: a thin Fyne shell over
// the checks, installer and tokens packages.
package app

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/assets"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/internal/version"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

// AppID is the application ID, as in FyneApp.toml.
const AppID = "kg.tunduk.onboard"

// Environment variables for demos, screenshots and support sessions.
const (
	envStartStep = "TUNDUK_ONBOARD_START_STEP"    // a step id, e.g. readiness
	envAutoCheck = "TUNDUK_ONBOARD_AUTOCHECK"     // 1: run the readiness check at start
	envSize      = "TUNDUK_ONBOARD_SIZE"          // window size WIDTHxHEIGHT, e.g. 1280x800
	envModule    = "TUNDUK_ONBOARD_PKCS11_MODULE" // the PKCS#11 library for this run (the Token step's library)
	// Where the admin API listens, as seen on the server (for experts, as
	// the CLI's --admin-api and --admin-api-cert).
	envAdminAPI     = "TUNDUK_ONBOARD_ADMIN_API"
	envAdminAPICert = "TUNDUK_ONBOARD_ADMIN_API_CERT"
	envProxyJar     = "TUNDUK_ONBOARD_PROXY_JAR" // X-Road's proxy-1.0.jar on the server (the CLI's --proxy-jar)
	// envWalkLog (walklog.go): the real-window test's view of the window.
)

var (
	iconOnce sync.Once
	iconRes  fyne.Resource
)

// appIcon is the embedded assets/icon.png.
func appIcon() fyne.Resource {
	iconOnce.Do(func() {
		data, err := assets.FS.ReadFile("icon.png")
		if err != nil {
			log.WithError(err).Warn("icon missing")
		}
		iconRes = fyne.NewStaticResource("icon.png", data)
	})
	return iconRes
}

// Run starts the GUI and returns when its window closes.
func Run() {
	startProfile()  // only when TUNDUK_ONBOARD_PROFILE_DIR asks
	go trimMemory() // gives back what the start and later bursts of work leave behind
	logPath := openLog()
	log.WithFields(map[string]any{"version": version.String(), "os": runtime.GOOS, "arch": runtime.GOARCH}).Info("tunduk-onboard gui start")

	a := fyneapp.NewWithID(AppID)
	a.SetIcon(appIcon())
	a.Settings().SetTheme(newWizardTheme())
	prefs := a.Preferences()
	code := startLanguage(prefs)
	if err := SetLanguage(code); err != nil {
		log.WithError(err).Error("load translations")
	}
	log.WithField("language", code).Info("ui language")

	w := a.NewWindow(T("app.title"))
	w.SetIcon(appIcon())
	w.Resize(windowSize(os.Getenv(envSize)))

	profile, err := profile.Default()
	if err != nil {
		log.WithError(err).Error("load profile")
		w.SetContent(widget.NewLabel(T("app.profile_error", map[string]any{"Error": i18n.Line(err.Error(), 300)})))
		w.ShowAndRun()
		return
	}

	wz := newWizard(a, w, prefs, profile, logPath)
	if p := strings.TrimSpace(os.Getenv(envModule)); p != "" {
		wz.token.path = p
	}
	if p, err := recordPath(); err == nil {
		wz.openRecord(p)
	} else {
		log.WithError(err).Warn("no place for the onboarding record")
		wz.rec.loadErr = err
	}
	wz.submit.startup()
	wz.cur = wz.startStep()
	w.SetContent(wz.build())
	wz.rec.tell()
	if os.Getenv(envAutoCheck) == "1" {
		wz.readiness.start()
	}
	if p := strings.TrimSpace(os.Getenv(envWalkLog)); p != "" {
		wz.startWalkLog(p)
	}
	w.SetOnClosed(func() {
		wz.later.flush() // what was typed a moment ago is kept too
		wz.readiness.cancel()
		wz.token.stop()
		wz.token.pins.clear()
		log.Info("tunduk-onboard gui exit")
	})
	w.ShowAndRun()
}

// windowSize parses WIDTHxHEIGHT; the default suits a 1366x768 laptop.
func windowSize(s string) fyne.Size {
	var wd, ht float32
	if n, _ := fmt.Sscanf(s, "%gx%g", &wd, &ht); n == 2 && wd >= 640 && ht >= 480 {
		return fyne.NewSize(wd, ht)
	}
	return fyne.NewSize(1180, 720)
}
