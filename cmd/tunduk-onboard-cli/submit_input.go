package main

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/tunduk-onboard/tunduk-onboard/checks"
	"github.com/tunduk-onboard/tunduk-onboard/enroll"
	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	"github.com/tunduk-onboard/tunduk-onboard/internal/readcap"
	"github.com/tunduk-onboard/tunduk-onboard/profile"
)

// input reads and checks the CSRs, the participant and the report.
// reportKind is "json+html", "json" or "none".
func (o *submitOpts) input(profile *profile.Profile, r *submitRun) (in enroll.Input, reportKind string, err error) {
	if o.authCSR == "" && o.signCSR == "" {
		return in, "", badInput("cli.submit.err_no_csr", nil)
	}
	// What is not made yet follows; what is given goes now.
	for _, l := range []struct {
		later       bool
		flag, given string
		usage       enroll.Usage
	}{{o.authLater, "--auth-csr", o.authCSR, enroll.UsageAuth}, {o.signLater, "--sign-csr", o.signCSR, enroll.UsageSign}} {
		if !l.later {
			continue
		}
		if l.given != "" {
			return in, "", badInput("cli.submit.err_later_and_csr", map[string]any{"Flag": l.flag})
		}
		in.Follows = append(in.Follows, l.usage)
	}
	for _, f := range []struct{ flag, v string }{
		{"--member-class", o.memberClass}, {"--member-code", o.memberCode}, {"--name", o.name},
		{"--server-code", o.serverCode}, {"--server-address", o.serverAddress},
	} {
		if strings.TrimSpace(f.v) == "" {
			return in, "", badInput("cli.submit.err_missing", map[string]any{"Flag": f.flag})
		}
	}
	switch {
	case !profile.ValidMemberClass(o.memberClass):
		return in, "", badInput("cli.submit.err_member_class", map[string]any{"Value": o.memberClass, "Classes": strings.Join(profile.Identifiers.MemberClasses, ", ")})
	case !profile.ValidMemberCode(o.memberCode):
		return in, "", badInput("cli.submit.err_member_code", map[string]any{"Value": o.memberCode})
	case !profile.MemberCodeFits(o.memberClass, o.memberCode):
		return in, "", badInput("cli.submit.err_member_code_prefix", map[string]any{"Value": o.memberCode, "Class": o.memberClass, "Prefix": profile.MemberCodePrefix(o.memberClass)})
	case !profile.ValidServerCode(o.serverCode):
		return in, "", badInput("cli.submit.err_server_code", map[string]any{"Value": o.serverCode})
	}
	// The operator and other security servers reach the server at this
	// address: never a loopback, private, CGNAT or link-local one.
	if class := checks.HostClass(o.serverAddress); class != "public" {
		return in, "", badInput("cli.submit.err_server_address", map[string]any{"Value": i18n.Line(o.serverAddress, 200), "Class": i18n.T(r.lang, "class."+class, nil)})
	}
	in.Participant = enroll.Participant{Instance: o.instance, MemberClass: o.memberClass, MemberCode: o.memberCode,
		Name: strings.TrimSpace(o.name), ServerCode: o.serverCode, ServerAddress: strings.TrimSpace(o.serverAddress)}
	if in.Participant.Instance == "" {
		in.Participant.Instance = profile.XRoad.Instance
	}
	in.Lang = r.lang
	soft := i18n.T("ru", "enroll.source.soft_token", nil)
	for _, c := range []struct {
		flag, file, source string
		usage              enroll.Usage
	}{{"--auth-csr", o.authCSR, o.authSource, enroll.UsageAuth}, {"--sign-csr", o.signCSR, o.signSource, enroll.UsageSign}} {
		if c.file == "" {
			continue
		}
		der, err := readCSR(c.flag, c.file)
		if err != nil {
			return in, "", err
		}
		if c.source == "" {
			c.source = soft
		}
		in.CSRs = append(in.CSRs, enroll.CSR{Usage: c.usage, DER: der, Source: c.source})
	}
	reportKind = "none"
	if o.report != "" {
		data, err := readcap.ReadFile(o.report, readcap.Report)
		if err != nil {
			return in, "", badRead("--report", o.report, err)
		}
		if !json.Valid(data) {
			return in, "", badInput("cli.submit.err_report", map[string]any{"File": o.report})
		}
		in.ReportJSON, reportKind = data, "json"
		// The HTML is for the CA, so it is rendered in Russian. A report
		// of another schema is packed as it is, JSON only.
		var rep checks.Report
		var buf bytes.Buffer
		reason := ""
		if err = json.Unmarshal(data, &rep); err == nil && rep.Schema != checks.Schema {
			reason = i18n.T(r.lang, "cli.submit.reason_schema", map[string]any{"Got": i18n.Line(rep.Schema, 100), "Want": checks.Schema})
		} else if err == nil {
			err = rep.WriteHTML(&buf, "ru")
		}
		if err != nil {
			logrus.WithError(err).Warn("submit: no HTML of the readiness report")
			reason = i18n.T(r.lang, "cli.submit.reason_unreadable", nil)
		}
		if reason != "" {
			r.say("cli.submit.report_json_only", map[string]any{"Reason": reason})
		} else {
			in.ReportHTML, reportKind = buf.Bytes(), "json+html"
		}
	}
	return in, reportKind, nil
}

// fromRecord fills the organisation's flags not given from the
// application rec continues (--follows): its second part names the same
// participant.
func (o *submitOpts) fromRecord(rec enroll.Record) {
	p := rec.Participant
	for _, f := range []struct {
		v    *string
		from string
	}{
		{&o.memberClass, p.MemberClass}, {&o.memberCode, p.MemberCode}, {&o.name, p.Name},
		{&o.serverCode, p.ServerCode}, {&o.serverAddress, p.ServerAddress},
	} {
		if strings.TrimSpace(*f.v) == "" {
			*f.v = f.from
		}
	}
	o.instance = p.Instance
}

// readCSR reads a CSR file in DER or PEM.
func readCSR(flagName, file string) ([]byte, error) {
	data, err := readcap.ReadFile(file, readcap.CSR)
	if err != nil {
		return nil, badRead(flagName, file, err)
	}
	if !bytes.Contains(data, []byte("-----BEGIN")) {
		return data, nil // DER; Build parses and checks it
	}
	for rest := data; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		if b.Type == "CERTIFICATE REQUEST" || b.Type == "NEW CERTIFICATE REQUEST" {
			return b.Bytes, nil
		}
	}
	return nil, badInput("cli.submit.err_not_csr", map[string]any{"Flag": flagName, "File": file})
}

// badRead is a file given to flag that cannot be read; why is told in
// the user's words (i18n.FileReason), the OS error kept for the log.
func badRead(flag, file string, err error) error {
	return &inputErr{key: "cli.submit.err_read", data: map[string]any{"Flag": flag, "File": file}, cause: err}
}

// delivery is what one way of delivering needs, checked up front: the
// request for enroll.Deliver, and what the output says.
type delivery struct {
	o   *submitOpts
	via enroll.Via
	to  []string
	url string
	req enroll.Request
}

func (o *submitOpts) delivery(profile *profile.Profile, stdin io.Reader, r *submitRun) (*delivery, error) {
	d := &delivery{o: o, via: enroll.Via(o.via)}
	d.req.Via = d.via
	pool, err := o.certPool()
	if err != nil {
		return nil, err
	}
	if o.out != "" && (d.via == enroll.ViaFolder || d.via == enroll.ViaEmail) {
		if err := writableDir(o.out); err != nil {
			return nil, err // before anything is stored
		}
	}
	switch d.via {
	case enroll.ViaEmail, enroll.ViaSMTP:
		d.to = recipients(o.to, profile)
		if len(d.to) == 0 {
			return nil, &enroll.Error{Key: "enroll.err.no_recipient"}
		}
		if err := checkAddresses(append(append([]string(nil), d.to...), o.from)...); err != nil {
			return nil, err
		}
		d.req.Mail = enroll.Mail{From: o.from, To: d.to}
	case enroll.ViaFolder:
		if o.out == "" {
			return nil, badInput("cli.submit.err_out", nil)
		}
		// The folder named on the command line is the hand-over: sent.
		d.req.Folder, d.req.FolderIsSent = o.out, true
	case enroll.ViaHTTPS:
		d.url = o.url
		if d.url == "" {
			d.url = profile.CA.IntakeURL
		}
		if d.url == "" {
			return nil, badInput("cli.submit.err_no_url", nil)
		}
		if err := enroll.CheckURL(d.url); err != nil {
			return nil, err
		}
		d.req.URL, d.req.Client = d.url, poolClient(pool, time.Minute)
	}
	if d.via != enroll.ViaSMTP {
		return d, nil
	}
	s, fromKeyring, err := o.smtp(d.to, pool, stdin, r.lang)
	if err != nil {
		return nil, err
	}
	if fromKeyring {
		r.say("cli.submit.password_from_keyring", nil)
	}
	d.req.SMTP, d.req.RememberPassword = s, o.rememberPassword
	return d, nil
}

// report says what enroll.Deliver did (out, err). Its error (exit 1,
// the output already printed) says when the delivery failed (the package stays in the store, or
// in the outbox for HTTPS) or its stage could not be recorded.
func (d *delivery) report(r *submitRun, out enroll.Outcome, err error) error {
	id := out.Package.Manifest.ID
	to := strings.Join(d.to, ", ")
	switch d.via {
	case enroll.ViaEmail:
		if err != nil {
			return r.fail(exitFailed, err)
		}
		r.out.EML = out.Where
		if d.o.out != "" {
			cp := filepath.Join(d.o.out, out.Package.Manifest.Name()+".eml")
			if err := copyFile(out.Where, cp); err != nil {
				return r.fail(exitFailed, &enroll.Error{Key: "enroll.err.folder_write", Data: map[string]any{"Dir": d.o.out}, Err: err})
			}
			r.out.EML = cp
		}
		r.say("cli.submit.eml_written", map[string]any{"Path": r.out.EML, "To": to})
		r.say("cli.submit.eml_next", map[string]any{"ID": id})
	case enroll.ViaSMTP:
		if !out.Sent {
			r.say("cli.submit.kept_retry", map[string]any{"ID": id})
			return r.fail(exitFailed, err)
		}
		r.out.Delivered = true
		s := d.req.SMTP
		r.say("cli.submit.sent_smtp", map[string]any{"To": to, "Server": fmt.Sprintf("%s:%d", s.Host, s.Port)})
		if out.Remembered {
			r.say("cli.submit.remembered", nil)
		} else if out.KeyringErr != nil {
			r.say("cli.submit.warn_remember", map[string]any{"Error": i18n.Line(out.KeyringErr.Error(), i18n.MaxLine)})
		}
	case enroll.ViaFolder:
		if out.Where == "" {
			return r.fail(exitFailed, err)
		}
		r.out.Folder, r.out.Delivered = out.Where, out.Sent
		r.say("cli.submit.saved_folder", map[string]any{"Dir": out.Where})
	case enroll.ViaHTTPS:
		r.out.URL, r.out.IdempotencyKey = d.url, out.IdempotencyKey
		switch {
		case out.Sent:
			r.out.Delivered = true
			if out.AlreadyThere {
				r.say("cli.submit.already_https", map[string]any{"URL": d.url})
			} else {
				r.say("cli.submit.delivered_https", map[string]any{"URL": d.url, "Key": out.IdempotencyKey})
			}
		case out.Queued:
			r.out.Queued = true
			r.say("cli.submit.queued", nil)
		}
	}
	if err != nil {
		// Sent, but not recorded (or, for HTTPS, not delivered).
		return r.fail(exitFailed, err)
	}
	return nil
}
