package app

// The Connect step's lists: the wanted services with what the server
// found and their access rights, the subjects found, the plan's items,
// the first call's answer.

import (
	"slices"
	"strings"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/onboarding"
	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/connect"
)

// serviceLabel is one wanted service for people.
func serviceLabel(sv onboarding.ConnectService) string {
	where := sv.URL
	if sv.File != "" {
		where = sv.File
	}
	code := sv.Code
	if code == "" {
		code = "WSDL"
	}
	return T("connect.svc_row", map[string]any{"Code": i18n.Line(code, 200), "Type": sv.Type, "Where": i18n.Line(where, 300)})
}

// renderServices lists the shown subsystem's services: what the server
// found for each, its access rights with Revoke, Refresh and Remove.
func (cs *connectStep) renderServices() {
	v := cs.v
	v.services.Objects = nil
	cur := cs.cur()
	var targets []string
	if cur != nil {
		for i, sv := range cur.Services {
			i := i
			found := cs.serviceCodes(cur.Code, sv)
			body := container.NewVBox(wrapped(serviceLabel(sv)))
			if len(found) > 0 {
				body.Add(wrappedLow(T("connect.svc_found", map[string]any{"Count": len(found), "Codes": i18n.Line(strings.Join(found, ", "), 400)})))
			} else {
				body.Add(wrappedLow(T("connect.svc_not_found")))
			}
			for _, a := range sv.Access {
				a := a
				revoke := widget.NewButtonWithIcon(T("connect.revoke"), theme.ContentRemoveIcon(), func() { cs.revoke(i, a) })
				revoke.Importance = widget.LowImportance
				line := wrappedLow(T("connect.access_row", map[string]any{"Subject": i18n.Line(a, 200)}))
				body.Add(container.NewBorder(nil, nil, nil, revoke, line))
			}
			refresh := widget.NewButtonWithIcon(T("connect.svc_refresh"), theme.ViewRefreshIcon(), func() { cs.refreshService(i) })
			remove := widget.NewButtonWithIcon(T("connect.svc_remove"), theme.DeleteIcon(), func() { cs.removeService(i); cs.refresh() })
			if cs.busy != "" {
				refresh.Disable()
				remove.Disable()
			}
			body.Add(buttonRow(refresh, remove))
			v.services.Add(container.NewBorder(nil, nil, widget.NewIcon(theme.ListIcon()), nil, body))
			targets = append(targets, shorten(serviceLabel(sv), 60)) // a select is as wide as its longest option
		}
	}
	if cur != nil && len(cur.Services) == 0 {
		v.services.Add(wrappedLow(T("connect.no_services")))
	}
	v.grantTo.Options = targets
	if !slices.Contains(targets, v.grantTo.Selected) {
		v.grantTo.Selected = ""
	}
	v.grantTo.Refresh()
	v.services.Refresh()
}

// renderSubjects fills the subject list from the last search.
func (cs *connectStep) renderSubjects() {
	v := cs.v
	var opts []string
	for _, sc := range cs.subjects {
		opts = append(opts, shorten(i18n.Line(cs.subjectName(sc)+" "+sc.Name, 200), 60))
	}
	v.subject.Options = opts
	if !slices.Contains(opts, v.subject.Selected) {
		v.subject.Selected = ""
	}
	v.subject.Refresh()
}

// grantFromForm grants the chosen subject the chosen service.
func (cs *connectStep) grantFromForm() {
	v := cs.v
	si, ti := index(v.subject.Options, v.subject.Selected), index(v.grantTo.Options, v.grantTo.Selected)
	if si < 0 || ti < 0 || si >= len(cs.subjects) {
		return
	}
	cs.grant(ti, cs.subjectName(cs.subjects[si]))
}

func index(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// addServiceFromForm adds the service the form describes.
func (cs *connectStep) addServiceFromForm() {
	v := cs.v
	sv := onboarding.ConnectService{Type: v.svcTypes[v.svcType.Selected], URL: v.svcURL.Text, Code: v.svcCode.Text}
	if sv.Type == "OPENAPI3_FILE" {
		sv.Type, sv.URL, sv.File = xroad.TypeOpenAPI3, "", v.svcFile.Text
	}
	if sv.Type == xroad.TypeWSDL {
		sv.Code = ""
	}
	cs.outcome = nil
	if err := cs.addService(sv); err != nil {
		cs.fail(err)
	} else {
		v.svcURL.SetText("")
		v.svcFile.SetText("")
		v.svcCode.SetText("")
	}
	cs.refresh()
}

// renderPlan shows the plan: each item with what it will do or did.
func (cs *connectStep) renderPlan() {
	v := cs.v
	v.plan.Objects = nil
	if cs.plan == nil {
		v.plan.Add(wrappedLow(T("connect.plan.none")))
		v.plan.Refresh()
		return
	}
	pl := cs.plan
	v.plan.Add(wrapped(T("connect.plan.count", map[string]any{"Todo": pl.Count(connect.StateTodo), "Skip": pl.Count(connect.StateSkip),
		"Done": pl.Count(connect.StateDone), "Wait": pl.Count(connect.StateWait)})))
	for _, it := range pl.Items {
		text := T("connect.item."+it.Kind, map[string]any{"Subsystem": i18n.Line(it.Subsystem, 100),
			"Target": i18n.Line(groupTarget(it), 200), "Subject": i18n.Line(it.Subject, 200)})
		text += " — " + T("connect.state."+it.State)
		v.plan.Add(statusRow(it.State == connect.StateSkip || it.State == connect.StateDone, text))
	}
	v.plan.Refresh()
}

// groupTarget is an item's target for people: a certificate's hash grouped.
func groupTarget(it connect.Item) string {
	if it.Kind == connect.KindTLS {
		return groupFingerprint(it.Target)
	}
	return it.Target
}

// renderCall shows the last first call: the services it listed, or why
// it failed (or was not made) and what to do.
func (cs *connectStep) renderCall() {
	v := cs.v
	v.callBox.Objects = nil
	url := ""
	if cs.call != nil {
		url = cs.call.URL
	}
	if s := cs.cur(); url == "" && s != nil {
		url = clientSide(s.Connection)
	}
	switch {
	case cs.callPre != "":
		v.callBox.Add(messageCard(T("connect.call.not_made"), cs.callPre, ""))
	case cs.callErr != nil:
		v.callBox.Add(messageCard(T("connect.call.failed"), callText(cs.callErr, url), ""))
	case cs.call != nil && cs.call.OK:
		body := T("connect.call.ok.body", map[string]any{"Count": cs.call.Services, "Client": i18n.Line(cs.call.Client, 200), "Time": when(cs.call.At)})
		for _, s := range cs.callRes {
			body += "\n• " + i18n.Line(s.Code, 200) + " (" + i18n.Line(s.Type, 40) + ")"
		}
		v.callBox.Add(successCard(T("connect.call.ok"), body))
	case cs.call != nil:
		v.callBox.Add(messageCard(T("connect.call.failed"), i18n.T(CurrentLanguage(), cs.call.Reason, callData(url)), ""))
	}
	v.callBox.Refresh()
}
