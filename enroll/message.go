package enroll

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// buildMessage makes the RFC 5322 message to the CA: the letter as
// text/plain UTF-8, then every package file (manifest first) as a base64
// attachment. draft adds X-Unsent for the .eml. The same bytes go to SMTP.
func buildMessage(p *Package, from string, to []string, subject string, draft bool) ([]byte, error) {
	fromAddr, toList, err := addresses(from, to, draft)
	if err != nil {
		return nil, err
	}
	m, files, err := readVerified(p)
	if err != nil {
		return nil, err
	}
	body, err := letter(p, m, sha256Hex(files[ManifestName]))
	if err != nil {
		return nil, err
	}
	if subject == "" {
		subject = letterSubject(p, m)
	}

	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	h := commonHeaders(&b, fromAddr, toList, subject, m.ID)
	h("X-Tunduk-Onboard-Package", m.ID)
	if m.Part > 0 {
		h("X-Tunduk-Onboard-Part", strconv.Itoa(m.Part))
	}
	if draft {
		h("X-Unsent", "1")
	}
	h("Content-Type", mime.FormatMediaType("multipart/mixed", map[string]string{"boundary": mw.Boundary()}))
	b.WriteString("\r\n")

	part, err := mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {"text/plain; charset=utf-8"},
		"Content-Transfer-Encoding": {"quoted-printable"},
	})
	if err != nil {
		return nil, err
	}
	qp := quotedprintable.NewWriter(part)
	qp.Write([]byte(strings.ReplaceAll(body, "\n", "\r\n")))
	qp.Close()

	for _, name := range p.namesOf(m) {
		part, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {contentType(name)},
			"Content-Transfer-Encoding": {"base64"},
			"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": name})},
		})
		if err != nil {
			return nil, err
		}
		writeBase64Lines(part, files[name])
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// addresses checks the sender and the recipients: the sender may be
// empty only in a draft.
func addresses(from string, to []string, draft bool) (*mail.Address, []string, error) {
	if len(to) == 0 {
		return nil, nil, &Error{Key: "enroll.err.no_recipient"}
	}
	var toList []string
	for _, a := range to {
		addr, err := mail.ParseAddress(a)
		if err != nil {
			return nil, nil, &Error{Key: "enroll.err.address", Data: map[string]any{"Address": a}, Err: err}
		}
		toList = append(toList, addr.String())
	}
	var fromAddr *mail.Address
	if from != "" || !draft {
		var err error
		if fromAddr, err = mail.ParseAddress(from); err != nil {
			return nil, nil, &Error{Key: "enroll.err.address", Data: map[string]any{"Address": from}, Err: err}
		}
	}
	return fromAddr, toList, nil
}

// buildText is a plain-text message (UTF-8, quoted-printable) from
// from to to: a notice with no attachment.
func buildText(from string, to []string, subject, body string) ([]byte, error) {
	fromAddr, toList, err := addresses(from, to, false)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	h := commonHeaders(&b, fromAddr, toList, subject, "notice")
	h("Content-Type", "text/plain; charset=utf-8")
	h("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	qp.Write([]byte(strings.ReplaceAll(body, "\n", "\r\n")))
	qp.Close()
	return b.Bytes(), nil
}

// commonHeaders writes the headers every message has and returns the
// writer of one more.
func commonHeaders(b *bytes.Buffer, from *mail.Address, to []string, subject, id string) func(k, v string) {
	h := func(k, v string) { fmt.Fprintf(b, "%s: %s\r\n", k, v) }
	if from != nil {
		h("From", from.String())
	}
	h("To", strings.Join(to, ", "))
	h("Subject", mime.BEncoding.Encode("utf-8", oneLine(subject)))
	h("Date", time.Now().Format(time.RFC1123Z))
	h("Message-ID", messageID(from, id))
	h("MIME-Version", "1.0")
	return h
}

// namesOf lists the files to send in order: the manifest, then its files.
func (p *Package) namesOf(m Manifest) []string {
	return (&Package{Manifest: m}).Names()
}

// writeBase64Lines writes data as base64 in lines of 76 characters
// (RFC 2045's limit).
func writeBase64Lines(w interface{ Write([]byte) (int, error) }, data []byte) {
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		w.Write([]byte(enc[:76] + "\r\n"))
		enc = enc[76:]
	}
	w.Write([]byte(enc + "\r\n"))
}

func contentType(name string) string {
	switch {
	case strings.HasSuffix(name, ".der"):
		return "application/pkcs10"
	case strings.HasSuffix(name, ".pem"):
		return "application/x-pem-file"
	case strings.HasSuffix(name, ".json"):
		return "application/json"
	case strings.HasSuffix(name, ".html"):
		return "text/html; charset=utf-8"
	}
	return "application/octet-stream"
}

// messageID is unique per message, in the sender's domain when known.
func messageID(from *mail.Address, id string) string {
	var r [12]byte
	rand.Read(r[:])
	domain := "tunduk-onboard.invalid"
	if from != nil {
		if _, d, ok := strings.Cut(from.Address, "@"); ok && d != "" {
			domain = d
		}
	}
	return "<" + hex.EncodeToString(r[:]) + "." + idPart(id) + "@" + domain + ">"
}

// oneLine keeps a header value on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
