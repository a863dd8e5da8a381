package app

// Before Configure asks anything of the user, it looks whether X-Road is
// on the server at all: a server the user has not installed yet has no
// admin login to give, so the step says "X-Road is not installed here
// yet" and offers the way back to Install. The look needs only the
// Server step's SSH settings (the same connection the configure flow
// uses, see server_session.go); with the admin login known, the
// session's own opening tells it (configure.err.not_installed).

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
)

// presence is what the last look found on a server.
type presence struct {
	server string // Server.Display() of the server looked at
	found  configure.Presence

	// The look under way: it runs beside the form (the user may type the
	// admin login meanwhile), not as the step's work.
	looking bool
	cancel  context.CancelFunc
}

// xroadAbsent: the last look at this server found no X-Road.
func (cs *configureStep) xroadAbsent() bool {
	return cs.xroad.server == cs.wz.state.Server.Display() && cs.xroad.found == configure.PresenceAbsent
}

// needsLook: the server was not looked at yet, or X-Road was missing
// (it may be installed meanwhile).
func (cs *configureStep) needsLook() bool {
	return cs.xroad.server != cs.wz.state.Server.Display() || cs.xroad.found != configure.PresenceInstalled
}

// lookForXRoad asks the server over SSH whether X-Road is there.
func (cs *configureStep) lookForXRoad() {
	if cs.xroad.looking {
		return
	}
	wz := cs.wz
	srv, api := wz.state.Server, cs.api
	ctx, cancel := context.WithCancel(context.Background())
	cs.xroad.looking, cs.xroad.cancel, cs.notice = true, cancel, nil
	cs.refresh()
	go func() {
		found, err := func() (configure.Presence, error) {
			c, err := wz.dial(ctx, srv)
			if err != nil {
				return configure.PresenceUnknown, err
			}
			defer c.Close()
			return configure.Installed(ctx, c, api)
		}()
		cancel()
		if err != nil {
			log.WithError(errors.New(i18n.Line(err.Error(), 600))).Warn("configure: X-Road presence not known")
		} else {
			log.WithField("presence", int(found)).Info("configure: looked for X-Road on the server")
		}
		cs.uiDo(func() {
			if cs.xroad.found == configure.PresenceInstalled && cs.xroad.server == srv.Display() {
				found = configure.PresenceInstalled // a session got in meanwhile
			}
			cs.xroad = presence{server: srv.Display(), found: found}
			if err != nil && !errors.Is(err, context.Canceled) && cs.notice == nil && cs.status == nil {
				// Not reached: the form stays, and says why.
				cs.notice = func() fyne.CanvasObject { return cs.wz.errorCard(err) }
			}
			cs.refresh()
		})
	}()
}

// stopLooking cancels the look under way (the page is left).
func (cs *configureStep) stopLooking() {
	if cs.xroad.cancel != nil {
		cs.xroad.cancel()
	}
}

// sawNotInstalled records a session that found no X-Road on opening.
func (cs *configureStep) sawNotInstalled(err error) bool {
	var ce *configure.Error
	if errors.As(err, &ce) && ce.Key == configureErrKey("not_installed") {
		cs.xroad.server, cs.xroad.found = cs.wz.state.Server.Display(), configure.PresenceAbsent
		return true
	}
	return false
}

// notInstalledView is the page on a server without X-Road: why, the way
// to Install, and a new look (the install may run in another window).
func (cs *configureStep) notInstalledView() fyne.CanvasObject {
	again := widget.NewButton(T("configure.check_again"), cs.lookForXRoad)
	if cs.xroad.looking {
		again.Disable()
	}
	return cs.wz.deadEnd(T("configure.not_installed"),
		T("configure.not_installed.todo", map[string]any{"Target": cs.wz.state.Server.Display()}), stepInstall, again)
}
