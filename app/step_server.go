package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// serverForm holds the server page's widgets (tests type into them).
type serverForm struct {
	mode                                   *widget.RadioGroup
	host, port, user, keyFile, jump, pubIP *widget.Entry
	auth                                   *widget.Select
	passphrase, password                   *widget.Entry
}

func authMethods() []AuthMethod { return []AuthMethod{AuthAgent, AuthKey, AuthPassword} }

func authLabel(m AuthMethod) string {
	switch m {
	case AuthKey:
		return T("server.auth.key")
	case AuthPassword:
		return T("server.auth.password")
	}
	return T("server.auth.agent")
}

// serverView asks where the security server is: here, or over SSH.
func (wz *wizard) serverView() fyne.CanvasObject {
	s := &wz.state.Server
	f := &serverForm{}
	wz.server = f

	// Entries validate the typed text before OnChanged stores it, so the
	// check runs on a copy holding the new value.
	validator := func(field string, set func(*Server, string)) func(string) error {
		return func(v string) error {
			next := *s
			set(&next, v)
			for _, p := range next.Problems() {
				if p.Field == field {
					return hintError(p.Text())
				}
			}
			return nil
		}
	}
	entry := func(value, placeholder, field string, set func(*Server, string)) *widget.Entry {
		e := widget.NewEntry()
		e.SetPlaceHolder(placeholder)
		e.SetText(value)
		e.Validator = validator(field, set)
		wz.guide.watch(field, e, value) // quiet until typed in, or Next
		e.OnChanged = func(v string) { set(s, v); wz.guide.touch(field); wz.changed() }
		return e
	}

	local, remote := T("server.mode.local"), T("server.mode.remote")
	f.mode = widget.NewRadioGroup([]string{local, remote}, nil)
	f.mode.Required = true
	f.mode.Selected = local
	if s.Remote {
		f.mode.Selected = remote
	}
	f.mode.OnChanged = func(v string) {
		if v == "" { // Required: keep a choice
			return
		}
		s.Remote = v == remote
		wz.changed()
		wz.showStep() // show or hide the SSH fields
	}

	f.pubIP = entry(s.PublicIP, example("203.0.113.10"), "public_ip", func(x *Server, v string) { x.PublicIP = v })
	intro := widget.NewLabel(T("server.intro"))
	intro.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(intro, f.mode)

	if !s.Remote {
		note := widget.NewLabel(T("server.local.note"))
		note.Wrapping = fyne.TextWrapWord
		box.Add(note)
		box.Add(widget.NewForm(&widget.FormItem{Text: T("server.public_ip"), Widget: f.pubIP, HintText: T("server.public_ip.hint")}))
		return container.NewVScroll(box)
	}

	f.host = entry(s.Host, example("ss1.example.kg, 10.0.0.5"), "host", func(x *Server, v string) { x.Host = v })
	f.port = entry(s.Port, "22", "port", func(x *Server, v string) { x.Port = v })
	f.user = entry(s.User, example("admin"), "user", func(x *Server, v string) { x.User = v })
	f.jump = entry(s.Jump, example("user@bastion.example.kg:22"), "jump", func(x *Server, v string) { x.Jump = v })

	labels := make([]string, 0, 3)
	for _, m := range authMethods() {
		labels = append(labels, authLabel(m))
	}
	f.auth = widget.NewSelect(labels, nil)
	f.auth.Selected = authLabel(s.Auth)
	f.auth.OnChanged = func(v string) {
		for _, m := range authMethods() {
			if authLabel(m) == v {
				s.Auth = m
			}
		}
		wz.changed()
		wz.showStep() // show the fields of the chosen method
	}

	form := widget.NewForm(
		&widget.FormItem{Text: T("server.host"), Widget: f.host, HintText: T("server.host.hint")},
		&widget.FormItem{Text: T("server.port"), Widget: f.port},
		&widget.FormItem{Text: T("server.user"), Widget: f.user, HintText: T("server.user.hint")},
		&widget.FormItem{Text: T("server.auth"), Widget: f.auth, HintText: T("server.auth.hint")},
	)
	switch s.Auth {
	case AuthKey:
		f.keyFile = entry(s.KeyFile, example("~/.ssh/id_ed25519"), "key_file", func(x *Server, v string) { x.KeyFile = v })
		browse := widget.NewButtonWithIcon("", theme.FolderOpenIcon(), func() {
			d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
				if err != nil || r == nil {
					return
				}
				_ = r.Close()
				f.keyFile.SetText(r.URI().Path())
			}, wz.win)
			showFileDialog(d, wz.win)
		})
		f.passphrase = widget.NewPasswordEntry()
		f.passphrase.SetText(s.Passphrase)
		f.passphrase.OnChanged = func(v string) { s.Passphrase = v } // memory only
		form.AppendItem(&widget.FormItem{Text: T("server.key_file"), Widget: container.NewBorder(nil, nil, nil, browse, f.keyFile), HintText: T("server.key_file.hint")})
		form.AppendItem(&widget.FormItem{Text: T("server.passphrase"), Widget: f.passphrase, HintText: T("server.secret.hint")})
	case AuthPassword:
		f.password = widget.NewPasswordEntry()
		f.password.SetText(s.Password)
		f.password.OnChanged = func(v string) { s.Password = v } // memory only
		form.AppendItem(&widget.FormItem{Text: T("server.password"), Widget: f.password, HintText: T("server.secret.hint")})
	}
	form.AppendItem(&widget.FormItem{Text: T("server.jump"), Widget: f.jump, HintText: T("server.jump.hint")})
	form.AppendItem(&widget.FormItem{Text: T("server.public_ip"), Widget: f.pubIP, HintText: T("server.public_ip.hint")})
	box.Add(form)
	return container.NewVScroll(box)
}
