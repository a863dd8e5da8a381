package app

// "This computer": when the wizard runs on the future security server
// itself, Install, Configure and Register work here without SSH, through
// the same runner and flows (remote.Local, sudo with the Install step's
// sudo password). Where this computer cannot be the security server, the
// step says why and what to do, with a button to the Server step, where
// a remote server is chosen instead.

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// localProblem is why work that makes this computer the security server
// cannot run here: nil for a remote server, or when it can. needRoot: the
// install, which needs root (directly or through sudo).
func (wz *wizard) localProblem(needRoot bool) error {
	if wz.state.Server.Remote {
		return nil
	}
	return wz.install.machine().Check(needRoot)
}

// localCard tells a localProblem in the user's words, with the way to the
// Server step.
func (wz *wizard) localCard(err error) fyne.CanvasObject {
	key, data := installer.Explain(err)
	goServer := widget.NewButtonWithIcon(T("server.goto"), theme.NavigateBackIcon(), func() { wz.goTo(wz.stepIndex(stepServer)) })
	return container.NewVBox(infoCard(i18n.T(CurrentLanguage(), key, data), T(key+".todo", data)), container.NewHBox(goServer))
}

// localHost is this computer as the host of the runner and the flows.
func localHost(context.Context) (remote.Host, error) { return &remote.Local{}, nil }

// localError marks an error of work on this computer: it is told in the
// configure flow's words, never as an SSH connection's.
type localError struct{ error }

func (e localError) Unwrap() error { return e.error }
