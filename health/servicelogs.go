package health

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/tunduk-onboard/tunduk-onboard/remote"
)

// X-Road keeps its services' own logs in LogDir (logback, one file per
// service: X-Road 7.4.2 src/packages/src/xroad/default-configuration/
// proxy-logback.xml, logOutputPath /var/log/xroad, proxy.log; rolled
// over to proxy.<date>.<n>.log.zip, which *.log leaves out) and their
// start-up and crashes in the journal of each unit
// (src/packages/src/xroad/ubuntu/generic/xroad-*.service).
const LogDir = "/var/log/xroad"

// Defaults and bounds of LogOptions: a help desk reads the end of a log,
// and a bundle must fit in a letter.
const (
	DefaultLogLines = 1000
	MaxLogLines     = 100000
	// DefaultLogBytes caps one tail: 1000 lines of X-Road's logback
	// pattern are ~200-300 KiB.
	DefaultLogBytes = 256 << 10
	// maxLogFiles bounds the files of LogDir taken (X-Road writes about
	// ten).
	maxLogFiles = 20
)

// LogOptions shape ServiceLogs.
type LogOptions struct {
	Units        []string // the units whose journal is read (the profile's install.units)
	Lines        int      // of each; 0: DefaultLogLines
	MaxBytes     int      // of each tail, its end kept; 0: DefaultLogBytes
	SudoPassword string   // for sudo -S when the login is not root and sudo asks one
}

// LogTails are the tails read, by name ("journal-xroad-proxy.log",
// "proxy.log"), and what could not be read, for the bundle's manifest.
type LogTails struct {
	Files map[string][]byte
	Notes []string
}

// ServiceLogs reads, in one command on h, the last lines of each unit's
// journal (journalctl -u) and of each LogDir/*.log, each cut to its last
// MaxBytes. Both need root (the journal of system units, the logs owned
// by xroad): as root, through sudo -n, or sudo -S with SudoPassword sent
// on standard input (checked once first, as configure.ReadInternalCert
// does). Without a way to root they are read as the login and a note
// says so. The text is the host's, raw: the bundle scans it for secrets.
func ServiceLogs(ctx context.Context, h remote.Host, o LogOptions) (LogTails, error) {
	if o.Lines <= 0 {
		o.Lines = DefaultLogLines
	}
	o.Lines = min(o.Lines, MaxLogLines)
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultLogBytes
	}
	var nonce [16]byte
	rand.Read(nonce[:])
	mark := "--tunduk-log-" + hex.EncodeToString(nonce[:])
	script := logScript(mark, o)
	var res LogTails
	mode, err := remote.SudoOf(ctx, h)
	if err != nil {
		return res, err
	}
	input := ""
	switch {
	case mode == remote.SudoPassword && o.SudoPassword == "":
		mode = remote.SudoAsRoot // as the login: what it may read
		res.Notes = append(res.Notes, "X-Road's logs were read as the login user, without root: sudo asks a password and none was given; what root alone may read is missing")
	case mode == remote.SudoPassword:
		if err := remote.CheckSudoPassword(ctx, h, o.SudoPassword); err != nil {
			return res, err
		}
		input = mode.Input(o.SudoPassword, "")
	}
	out, _, err := h.Run(ctx, mode.Wrap(script), strings.NewReader(input))
	var ee *remote.ExitError
	if err != nil && !errors.As(err, &ee) {
		return res, err
	}
	files, complete := parseLogs(out, mark)
	if !complete {
		res.Notes = append(res.Notes, "the command reading X-Road's logs did not finish: what it printed is kept")
	}
	res.Files = files
	return res, nil
}

// logScript prints, for each unit and each log file, a line "MARK KIND
// NAME" and then its tail; MARK is random per run, so no log line can
// pose as one. File names are cleaned on the host to [A-Za-z0-9._-].
func logScript(mark string, o LogOptions) string {
	var b strings.Builder
	m := remote.Quote(mark)
	b.WriteString("LC_ALL=C; export LC_ALL\n")
	for _, u := range o.Units {
		fmt.Fprintf(&b, "printf '\\n%%s journal %%s\\n' %s %s\n", m, remote.Quote(u))
		fmt.Fprintf(&b, "journalctl -u %s -n %d --no-pager -o short-iso 2>&1 | tail -c %d\n", remote.Quote(u+".service"), o.Lines, o.MaxBytes)
	}
	fmt.Fprintf(&b, `n=0
for f in %s/*.log; do
  [ -f "$f" ] || continue
  n=$((n+1)); [ "$n" -le %d ] || break
  printf '\n%%s file %%s\n' %s "$(basename "$f" | tr -c 'A-Za-z0-9._\n-' _)"
  tail -n %d -- "$f" 2>&1 | tail -c %d
done
`, remote.Quote(LogDir), maxLogFiles, m, o.Lines, o.MaxBytes)
	fmt.Fprintf(&b, "printf '\\n%%s end\\n' %s\n", m)
	return b.String()
}

// parseLogs splits the script's output at its marks.
func parseLogs(out []byte, mark string) (map[string][]byte, bool) {
	files := map[string][]byte{}
	complete := false
	parts := bytes.Split(out, []byte("\n"+mark+" "))
	for _, p := range parts[1:] {
		head, body, _ := bytes.Cut(p, []byte("\n"))
		kind, name, _ := strings.Cut(string(head), " ")
		switch kind {
		case "journal":
			files["journal-"+name+".log"] = body
		case "file":
			files[name] = body
		case "end":
			complete = true
		}
	}
	return files, complete
}
