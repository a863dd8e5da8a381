package enroll

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/tunduk-onboard/tunduk-onboard/internal/version"
)

// Flush POSTs every pending item that has not failed for good, retrying
// each up to MaxAttempts times with exponential backoff and jitter (a
// Retry-After from the server is honoured when longer). A 2xx, or a 409
// (the intake already has this key), is delivery: only then is the item
// removed. Other 4xx answers, except 408, 425 and 429, are permanent
// failures kept with their error. A cancelled ctx stops the Flush with
// every item still on disk. hc nil: a client with a one-minute timeout.
// One Flush of an outbox at a time, across processes: a second one gets
// enroll.err.outbox_busy and sends nothing.
func (o *Outbox) Flush(ctx context.Context, hc *http.Client) ([]Result, error) {
	unlock, err := o.lockFlush()
	if err != nil {
		return nil, err
	}
	defer unlock()
	items, err := o.Pending()
	if err != nil {
		return nil, err
	}
	client := &http.Client{Timeout: time.Minute}
	if hc != nil {
		c := *hc
		client = &c
	}
	// Only 307 and 308 resend the body; after any other redirect Go would
	// send a GET, and its 200 must not pass for a delivery: such an answer
	// is taken as it is (a 3xx, a permanent failure). Never follow a
	// redirect away from https: the package would leave TLS.
	client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.Response != nil && req.Response.StatusCode != http.StatusTemporaryRedirect && req.Response.StatusCode != http.StatusPermanentRedirect {
			return http.ErrUseLastResponse
		}
		if req.URL.Scheme != "https" || len(via) >= 5 {
			return errBadRedirect
		}
		return nil
	}
	var out []Result
	for i := range items {
		it := &items[i]
		if it.Permanent {
			out = append(out, o.result(it, false, &Error{Key: "enroll.err.https_refused",
				Data: map[string]any{"URL": it.URL, "Status": it.LastStatus, "Reason": it.LastError}}))
			continue
		}
		out = append(out, o.send(ctx, client, it))
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
	}
	return out, nil
}

var errBadRedirect = errors.New("redirect away from https refused")

func (o *Outbox) result(it *Pending, delivered bool, err error) Result {
	return Result{ID: it.ID, Part: it.Part, IdempotencyKey: it.IdempotencyKey, URL: it.URL, Delivered: delivered,
		Permanent: it.Permanent, Attempts: it.Attempts, Status: it.LastStatus, NextAttempt: it.NextAttempt, Err: err}
}

// send tries one item until it is delivered, refused for good, out of
// attempts for this Flush, or ctx ends.
func (o *Outbox) send(ctx context.Context, client *http.Client, it *Pending) Result {
	maxAttempts := max(o.MaxAttempts, 1)
	for n := 1; ; n++ {
		body, ctype, err := multipartBody(&Package{Dir: it.Dir, Manifest: Manifest{ID: it.ID, Part: it.Part}})
		if err != nil {
			// The package changed or vanished: sending it again cannot help.
			it.Permanent, it.LastError = true, err.Error()
			o.save(it)
			return o.result(it, false, err)
		}
		it.Attempts++
		status, retryAfter, reason, err := post(ctx, client, it, body, ctype)
		log := logrus.WithFields(logrus.Fields{"package": it.ID, "url": it.URL, "attempt": it.Attempts, "status": status})
		it.LastStatus = status
		switch {
		case err == nil && (status/100 == 2 || status == http.StatusConflict):
			if rerr := o.Remove(it.IdempotencyKey); rerr != nil {
				return o.result(it, false, rerr)
			}
			log.Info("enroll: package delivered to the intake")
			r := o.result(it, true, nil)
			r.AlreadyThere = status == http.StatusConflict
			return r
		case err == nil && permanent(status):
			it.Permanent, it.LastError = true, reason
			o.save(it)
			log.Warn("enroll: the intake refused the package")
			return o.result(it, false, &Error{Key: "enroll.err.https_refused",
				Data: map[string]any{"URL": it.URL, "Status": status, "Reason": reason}})
		case errors.Is(err, errBadRedirect):
			it.Permanent, it.LastError = true, err.Error()
			o.save(it)
			return o.result(it, false, &Error{Key: "enroll.err.https_redirect", Data: map[string]any{"URL": it.URL}, Err: err})
		}
		// Worth another try: a network error, 5xx, 408, 425, 429.
		var fail *Error
		if err != nil {
			if ctx.Err() != nil {
				err = ctx.Err()
			}
			it.LastError = err.Error()
			fail = &Error{Key: "enroll.err.https_connect", Data: map[string]any{"URL": it.URL}, Err: err}
		} else {
			it.LastError = fmt.Sprintf("HTTP %d %s", status, reason)
			fail = &Error{Key: "enroll.err.https_status", Data: map[string]any{"URL": it.URL, "Status": status, "Reason": reason}}
		}
		delay := o.backoff(n)
		if retryAfter > delay {
			delay = retryAfter
		}
		it.NextAttempt = time.Now().UTC().Add(delay)
		if serr := o.save(it); serr != nil {
			return o.result(it, false, serr)
		}
		log.WithField("retry_in", delay.String()).Warn("enroll: intake attempt failed")
		if n >= maxAttempts || ctx.Err() != nil || (o.MaxWait > 0 && delay > o.MaxWait) {
			return o.result(it, false, fail)
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return o.result(it, false, &Error{Key: "enroll.err.https_connect", Data: map[string]any{"URL": it.URL}, Err: ctx.Err()})
		case <-t.C:
		}
	}
}

// permanent: a client error the same request will get again.
func permanent(status int) bool {
	switch status {
	case http.StatusRequestTimeout, http.StatusConflict, http.StatusTooEarly, http.StatusTooManyRequests:
		return false
	}
	return status/100 == 4 || status/100 == 3 || status/100 == 1
}

// backoff is BackoffBase·2^(n-1), capped, with "equal jitter" (half fixed,
// half random) so many clients after one outage do not return in step.
func (o *Outbox) backoff(n int) time.Duration {
	base := o.BackoffBase
	if base <= 0 {
		base = 2 * time.Second
	}
	limit := o.MaxBackoff
	if limit <= 0 {
		limit = 5 * time.Minute
	}
	d := base
	for i := 1; i < n && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	return d/2 + rand.N(d/2+1)
}

// post makes one attempt; reason is a short, one-line excerpt of the
// answer for the user.
func post(ctx context.Context, client *http.Client, it *Pending, body []byte, ctype string) (status int, retryAfter time.Duration, reason string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, it.URL, bytes.NewReader(body))
	if err != nil {
		return 0, 0, "", err
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Idempotency-Key", it.IdempotencyKey)
	req.Header.Set("X-Tunduk-Onboard-Package", it.ID)
	if it.Part > 0 {
		req.Header.Set("X-Tunduk-Onboard-Part", strconv.Itoa(it.Part))
	}
	req.Header.Set("User-Agent", "tunduk-onboard/"+version.Version)
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, "", err
	}
	defer resp.Body.Close()
	excerpt, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	reason = strings.Join(strings.Fields(strings.ToValidUTF8(string(excerpt), "?")), " ")
	if len(reason) > 200 {
		reason = reason[:200]
	}
	return resp.StatusCode, parseRetryAfter(resp.Header.Get("Retry-After")), reason, nil
}

// parseRetryAfter reads seconds or an HTTP date; 0 when absent or bad.
func parseRetryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

// multipartBody is the request body: a "manifest" part, then one "file"
// part per package file, each with its file name. The bytes are read and
// checked against the manifest in one go.
func multipartBody(p *Package) ([]byte, string, error) {
	m, files, err := readVerified(p)
	if err != nil {
		return nil, "", err
	}
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	part := func(field, name string) (io.Writer, error) {
		return mw.CreatePart(textproto.MIMEHeader{
			"Content-Disposition": {mime.FormatMediaType("form-data", map[string]string{"name": field, "filename": name})},
			"Content-Type":        {contentType(name)},
		})
	}
	w, err := part("manifest", ManifestName)
	if err != nil {
		return nil, "", err
	}
	w.Write(files[ManifestName])
	for _, f := range m.Files {
		if w, err = part("file", f.Name); err != nil {
			return nil, "", err
		}
		w.Write(files[f.Name])
	}
	if err := mw.Close(); err != nil {
		return nil, "", err
	}
	return b.Bytes(), mw.FormDataContentType(), nil
}
