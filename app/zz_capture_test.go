package app

import (
	"context"
	"image/png"
	"os"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

func shot(t *testing.T, w fyne.Window, name string) {
	img := w.Canvas().Capture()
	f, _ := os.Create("/tmp/shots/" + name + ".png")
	png.Encode(f, img)
	f.Close()
}

func TestZZCapture(t *testing.T) {
	os.MkdirAll("/tmp/shots", 0o755)
	wz, w := newTestWizard(t, nil)
	fyne.CurrentApp().Settings().SetTheme(theme.DefaultTheme())
	w.Resize(fyne.NewSize(1180, 720))
	shot(t, w, "1-welcome")
	test.Tap(wz.next)
	o := validOrg()
	o.MemberCode = "7000001"
	o.ServerCode = "СС1"
	fillOrg(wz, o)
	w.Canvas().Unfocus()
	t.Logf("code %q validate=%v", wz.org.code.Text, wz.org.code.Validate())
	shot(t, w, "2-org")
	fillOrg(wz, validOrg())
	test.Tap(wz.next)
	wz.server.mode.SetSelected(T("server.mode.remote"))
	wz.server.auth.SetSelected(T("server.auth.key"))
	test.Type(wz.server.host, "10.0.0.5")
	test.Type(wz.server.jump, "bastion")
	shot(t, w, "3-server")
	wz.langSelect.SetSelected("Кыргызча")
	shot(t, w, "3-server-ky")
	go wz.askHostKey(context.Background(), "10.0.0.5:22", "SHA256:n3Xh0cVvV5l4mC9xq1QeYp0bM8rJc4d7GkT2sZ1aBcE", "ssh-ed25519")
	time.Sleep(300 * time.Millisecond)
	shot(t, w, "4-hostkey-ky")
	w.Canvas().Overlays().Top().Hide()
	wz.langSelect.SetSelected("Русский")
	wz.showAbout()
	shot(t, w, "5-about-ru")
	w.Canvas().Overlays().Top().Hide()
	wz.goTo(wz.stepIndex(stepInstall))
	shot(t, w, "6-coming-ru")
	wz.goTo(wz.stepIndex(stepWelcome))
	shot(t, w, "1-welcome-ru")
}
