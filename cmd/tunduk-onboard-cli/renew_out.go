package main

import (
	"context"
	"encoding/pem"
	"path/filepath"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure/renew"
)

// renewRun prints one renew verb's plan and result.
type renewRun struct {
	o   *renewOpts
	out *serverOut
	s   *configure.Session
}

func (r *renewRun) lang() string { return r.o.lang }

// days is a number of days and the date it reaches, for the texts.
func dayData(days int, date string) map[string]any { return map[string]any{"Days": days, "Date": date} }

// header says, per usage, what is renewed and why, or why not.
func (r *renewRun) header(pl *renew.Plan) {
	r.out.set("plan", pl)
	for _, rn := range pl.Renewals() {
		c := rn.Old.Cert
		d := dayData(rn.DaysLeft, c.NotAfter.UTC().Format("2006-01-02"))
		d["Threshold"] = r.o.prof.Health.CertExpiryDays[0]
		r.out.line("cli.renew.renewal", map[string]any{"Usage": r.o.usageName(rn.Usage), "Hash": shortHash(c.Hash),
			"Why": i18n.T(r.lang(), "configure.renew.why."+rn.Why, d)})
		if rn.New != nil {
			r.out.line("cli.renew.new_key", map[string]any{"Usage": r.o.usageName(rn.Usage), "Key": rn.New.ID, "Token": rn.New.TokenID})
			if c := rn.New.Cert; c != nil {
				r.out.line("cli.renew.new_cert", map[string]any{"Hash": shortHash(c.Hash), "Status": i18n.Enum(r.lang(), "xroad.cert_status.", c.Status),
					"Active": r.o.yesNo(c.Active), "OCSP": c.OCSP})
			}
		}
	}
	for _, n := range pl.Notes {
		d := dayData(n.DaysLeft, n.NotAfter.UTC().Format("2006-01-02"))
		d["Place"] = i18n.T(r.lang(), "csr.place."+n.Place, nil)
		r.out.line("cli.renew.note", map[string]any{"Usage": r.o.usageName(n.Usage), "Why": i18n.T(r.lang(), "configure.renew.note."+n.Why, d)})
	}
	if sub := pl.Submission; sub != nil {
		r.out.line("cli.renew.submission", map[string]any{"ID": sub.ID, "Stage": i18n.T(r.lang(), "enroll.stage."+string(sub.Stage), nil)})
	}
}

// show prints a plan read without a change: status stops at where each
// renewal stands and its next step, plan lists every step.
func (r *renewRun) show(pl *renew.Plan, status bool) {
	r.header(pl)
	next := pl.Next()
	switch {
	case len(pl.Steps) == 0:
		r.out.line("cli.renew.nothing", nil)
	case next == nil:
		r.out.line("cli.renew.done", nil)
	case status:
		r.out.line("cli.renew.next", map[string]any{"Step": i18n.T(r.lang(), "configure.renew.step."+next.ID, nil),
			"State": i18n.T(r.lang(), "cli.renew.state."+next.State, nil)})
	default:
		for _, st := range pl.Steps {
			r.out.line("cli.renew.step", map[string]any{"Step": i18n.T(r.lang(), "configure.renew.step."+st.ID, nil),
				"State": i18n.T(r.lang(), "cli.renew.state."+st.State, nil)})
		}
	}
	r.out.set("state", planState(pl))
}

// planState is a plan's word for JSON: nothing, done or pending.
func planState(pl *renew.Plan) string {
	switch {
	case len(pl.Steps) == 0:
		return "nothing"
	case pl.Next() == nil:
		return "done"
	}
	return "pending"
}

// end writes the new CSRs, says how the run ended and what comes next,
// and returns the verb's result: 0 done, 4 waiting, 1 failed.
// before is the plan the run began from.
func (r *renewRun) end(ctx context.Context, before *renew.Plan, res renew.Result, err error) error {
	files := r.writeCSRs(res.Plan)
	if res.Plan != nil {
		r.out.set("plan", res.Plan)
	}
	if err != nil {
		r.out.line("cli.renew.again", nil)
		return r.out.failed(err)
	}
	if res.Waiting == "" {
		// A renewal finished by this run is no longer on the server's
		// plan: the plan it began from says whether there was one.
		if len(before.Steps) == 0 {
			r.out.set("state", "nothing")
			r.out.line("cli.renew.nothing", nil)
		} else {
			r.out.set("state", "done")
			r.out.line("cli.renew.done", nil)
		}
		return r.out.ok()
	}
	r.out.set("state", "waiting")
	r.out.set("waiting", res.Waiting)
	key := "configure.renew.wait." + res.Waiting
	if r.o.text() {
		r.out.line("cli.renew.waiting", map[string]any{"Text": told(r.lang(), key, nil)})
	}
	if res.Waiting == renew.StepSubmit && len(files) > 0 {
		r.out.line("cli.renew.submit_cmd", map[string]any{"Command": r.submitCommand(ctx, files)})
	}
	return r.out.waiting()
}

func (o *renewOpts) text() bool { return o.format == "text" }

// writeCSRs writes the CSR of each new key without a certificate to
// --out as renew-<usage>.csr.der and .pem; it returns the DER files by
// usage.
func (r *renewRun) writeCSRs(pl *renew.Plan) map[string]string {
	files := map[string]string{}
	if pl == nil {
		return files
	}
	var list []map[string]string
	for _, rn := range pl.Renewals() {
		if rn.CSR == nil {
			continue
		}
		der := filepath.Join(r.o.outDir, "renew-"+rn.Usage+".csr.der")
		pemPath := filepath.Join(r.o.outDir, "renew-"+rn.Usage+".csr.pem")
		if err := writeFileAtomic(der, rn.CSR, 0o644); err != nil {
			r.out.line("cli.renew.csr_not_written", map[string]any{"Reason": (&fileErr{op: "write", path: der, err: err}).In(r.lang())})
			continue
		}
		if err := writeFileAtomic(pemPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: rn.CSR}), 0o644); err != nil {
			r.out.line("cli.renew.csr_not_written", map[string]any{"Reason": (&fileErr{op: "write", path: pemPath, err: err}).In(r.lang())})
			continue
		}
		files[rn.Usage] = der
		list = append(list, map[string]string{"usage": rn.Usage, "der": der, "pem": pemPath, "token": rn.Token, "key": rn.New.ID})
		r.out.line("cli.server.csr_written", map[string]any{"Usage": r.o.usageName(rn.Usage), "DER": der, "PEM": pemPath, "Token": rn.Token})
	}
	if list != nil {
		r.out.set("csrs", list)
	}
	return files
}

// submitCommand is the submit command line that sends the new CSRs as
// the first ones were sent (by e-mail: the user's mail client), the
// organisation's values filled in.
func (r *renewRun) submitCommand(ctx context.Context, files map[string]string) string {
	o := r.o
	addr := o.address
	if addr == "" {
		if srv, err := r.s.API().CurrentServer(ctx); err == nil {
			addr = srv.Address
		}
	}
	if addr == "" {
		addr = "ADDRESS"
	}
	args := []string{"tunduk-onboard-cli", "submit", "--via", "email", "--member-class", o.memberClass, "--member-code", o.memberCode,
		"--name", o.name, "--server-code", o.serverCode, "--server-address", addr}
	for _, u := range []string{renew.Auth, renew.Sign} {
		if f, ok := files[u]; ok {
			args = append(args, "--"+u+"-csr", f)
		}
	}
	for i, a := range args {
		if a == "" || strings.Trim(a, plainShell) != "" {
			args[i] = remote.Quote(a)
		}
	}
	return strings.Join(args, " ")
}

// plainShell are the characters a word may hold to be shown unquoted.
const plainShell = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/:@=+,-"

// shortHash is the start of a certificate's hash, as the status shows it.
func shortHash(h string) string {
	if len(h) > 16 {
		return h[:16]
	}
	return h
}
