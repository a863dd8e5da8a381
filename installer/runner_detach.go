package installer

// Detached steps: how a long step is started so that it survives a dropped
// SSH connection, how its stdin secret reaches it, and how the client
// follows its log and exit status.

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
)

// detachCommand starts a step's script detached from the SSH session and
// prints the PID of its wrapper. The wrapper records its PID, takes
// stdin from the step's named pipe (removing the pipe once opened) or
// /dev/null, writes the log, and finally the exit status (tmp + mv, so a
// status file is always complete). Under systemd it is a transient
// service (systemd-run --collect); elsewhere setsid nohup in the
// background. The launch waits (up to 5 s) for the PID file.
func detachCommand(systemd bool, unit string, f stepFiles, withStdin bool) string {
	in := "/dev/null"
	if withStdin {
		in = f.fifo
	}
	inner := `umask 077; echo $$ > "$5.tmp" && mv "$5.tmp" "$5"; exec 3<"$2"; if [ -p "$2" ]; then rm -f "$2"; fi; sh "$1" <&3 3<&- >"$3" 2>&1; rc=$?; exec 3<&-; echo $rc > "$4.tmp" && mv "$4.tmp" "$4"`
	if systemd {
		// systemd-run hands its command line to the unit's ExecStart, which
		// expands "$$" to "$" (and $NAME to variables): every $ doubled
		// reaches sh unchanged.
		inner = strings.ReplaceAll(inner, "$", "$$")
	}
	args := " sh -c " + q(inner) + " sh " + q(f.script) + " " + q(in) + " " + q(f.log) + " " + q(f.status) + " " + q(f.pid)
	var b strings.Builder
	b.WriteString("umask 077; rm -f " + q(f.status) + " " + q(f.pid) + "\n")
	if withStdin {
		b.WriteString("rm -f " + q(f.fifo) + " && mkfifo -m 600 " + q(f.fifo) + " || exit 1\n")
	}
	if systemd {
		b.WriteString("systemd-run --quiet --unit=" + q(unit) + " --collect --service-type=exec" + args + " || exit 1\n")
	} else {
		b.WriteString("setsid nohup" + args + " </dev/null >/dev/null 2>&1 &\n")
	}
	b.WriteString("i=0; while [ ! -s " + q(f.pid) + " ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done\ncat " + q(f.pid) + " 2>/dev/null || true")
	return b.String()
}

// feedFifo writes the step's stdin into its named pipe; the detached step
// reads it from there. The secret travels on this session's stdin and the
// pipe's kernel buffer only: never on disk, never in argv. If the pipe is
// already gone (a re-attach after the step read it), nothing is written.
func (s *session) feedFifo(ctx context.Context, f stepFiles, stdin string, optional bool) error {
	cmd := "if [ -p " + q(f.fifo) + " ]; then cat > " + q(f.fifo) + "; else cat >/dev/null; fi"
	if !optional {
		cmd = "cat > " + q(f.fifo)
	}
	_, _, err := s.exec(ctx, cmd, stdin)
	return s.stepErrConn(err)
}

func (s *session) stepErrConn(err error) error {
	if err == nil {
		return nil
	}
	return s.stepErr(err, "feeding the step's input")
}

// probe asks for the state of a detached step and the log from offset
// (offset < 0: state only). state is "running", "dead" (no status and no
// live process) or "exit N". With wait the host first waits, up to one
// poll interval, for the step to end: the end is seen within 0.1 s, with
// one round trip per interval.
func (s *session) probe(ctx context.Context, f stepFiles, offset int64, wait bool) (state string, log string, err error) {
	tenths := 0
	if wait {
		tenths = max(1, int(s.r.poll()/(100*time.Millisecond)))
	}
	out, _, err := s.exec(ctx, probeCommand(f, offset, tenths), "")
	if err != nil {
		return "", "", s.stepErr(err, "polling the step")
	}
	state, log, _ = strings.Cut(out, "\n")
	return strings.TrimSpace(state), log, nil
}

// probeCommand is probe's shell: waits up to tenths of a second for the
// status file, prints the state line, then the log from offset. The
// process is looked at before the status file: the wrapper writes its
// status and then exits, so a process already gone when no status file
// is there after it was killed. Looked at the other way round, a step
// that ended between the two looks (no status yet, then no process) read
// as killed: a finished PostgreSQL install failed so (CI, 2026-12-02).
func probeCommand(f stepFiles, offset int64, tenths int) string {
	cmd := ""
	if tenths > 0 {
		cmd = "i=0; while [ ! -f " + q(f.status) + " ] && [ $i -lt " + strconv.Itoa(tenths) + " ]; do sleep 0.1; i=$((i+1)); done; "
	}
	cmd += "alive=; if [ -s " + q(f.pid) + " ] && kill -0 \"$(cat " + q(f.pid) + ")\" 2>/dev/null; then alive=1; fi; " +
		"if [ -f " + q(f.status) + " ]; then printf 'exit %s\\n' \"$(cat " + q(f.status) + ")\"; " +
		"elif [ -n \"$alive\" ]; then echo running; else echo dead; fi"
	if offset >= 0 {
		cmd += "; tail -c +" + strconv.FormatInt(offset+1, 10) + " " + q(f.log) + " 2>/dev/null | head -c " + strconv.Itoa(pollChunk)
	}
	return cmd
}

// follow polls a detached step until it has a status, streaming its log.
func (s *session) follow(ctx context.Context, st Step, j Journal, e JournalEntry, f stepFiles) error {
	sctx := context.WithoutCancel(ctx)
	if s.follows == nil {
		s.follows = map[string]*followState{}
	}
	fs := s.follows[f.log]
	if fs == nil {
		fs = &followState{lb: &lineBuf{s: s, id: st.ID}}
		s.follows[f.log] = fs
	}
	lb := fs.lb
	wait := false // the first look is at once: a re-attached step may be done
	for {
		state, log, err := s.probe(sctx, f, fs.off, wait)
		if err != nil {
			return err
		}
		fs.off += int64(len(log))
		lb.write(log)
		if wait = len(log) < pollChunk; !wait {
			continue // more log waiting: fetch it at once
		}
		switch {
		case strings.HasPrefix(state, "exit "):
			lb.flush()
			code, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(state, "exit ")))
			if err != nil {
				code = -1
			}
			// The script stays as the record of what ran, unless it holds
			// a secret.
			if s.holdsSecret(st.Apply) {
				s.exec(sctx, "rm -f "+q(f.script)+" "+q(f.pid), "")
			} else if code == 0 {
				s.exec(sctx, "rm -f "+q(f.pid), "")
			}
			return s.finish(sctx, st, j, e, code, lb.tail.String())
		case state == "dead":
			lb.flush()
			return s.finish(sctx, st, j, e, -1, lb.tail.String())
		case overdue(e, s.r.stepTimeout()):
			lb.flush()
			return s.stopOverdue(sctx, st, j, e, f, lb.tail.String())
		}
		// No sleep here: the probe waited on the host. Cancel waits for
		// the step to end.
	}
}

// lineBuf turns log bytes into sanitised, bounded "log" events and keeps
// the last maxLogTail bytes for a StepError.
type lineBuf struct {
	s       *session
	id      string
	partial string
	tail    tailBuf
}

func (l *lineBuf) write(b string) {
	l.partial += b
	for {
		i := strings.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		l.line(l.partial[:i])
		l.partial = l.partial[i+1:]
	}
	if len(l.partial) > maxLogLine {
		l.line(l.partial)
		l.partial = ""
	}
}

func (l *lineBuf) flush() {
	if l.partial != "" {
		l.line(l.partial)
		l.partial = ""
	}
}

func (l *lineBuf) line(raw string) {
	// Progress bars redraw with \r: keep what was drawn last.
	if i := strings.LastIndexByte(strings.TrimRight(raw, "\r"), '\r'); i >= 0 {
		raw = raw[i+1:]
	}
	t := l.s.mask(i18n.Sanitize(raw))
	if len(t) > maxLogLine {
		t = t[:maxLogLine] + "..."
	}
	l.tail.add(t + "\n")
	l.s.emit(l.id, EventLog, t)
}

type tailBuf struct{ b []byte }

func (t *tailBuf) add(s string) {
	t.b = append(t.b, s...)
	if len(t.b) > maxLogTail {
		t.b = append([]byte(nil), t.b[len(t.b)-maxLogTail:]...)
	}
}

func (t *tailBuf) String() string { return strings.ToValidUTF8(string(t.b), "") }

// StepTimeoutError is a long step still running when its limit
// (Runner.StepTimeout) passed since its launch: it was stopped, and the
// journal records it failed, so a new run checks it and starts it again.
type StepTimeoutError struct {
	ID      string
	After   time.Duration
	LogTail string
}

func (e *StepTimeoutError) Error() string {
	return fmt.Sprintf("installer: step %s still running after %v: stopped", e.ID, e.After)
}

// overdue says whether the step of e was launched longer than limit ago.
// The launch time is the journal's, so the limit holds across reconnects
// and a resumed run.
func overdue(e JournalEntry, limit time.Duration) bool {
	started, err := time.Parse(time.RFC3339, e.Started)
	return err == nil && time.Since(started) > limit
}

// stopOverdue ends a step past its limit: its unit (systemd) or its
// process group (setsid), politely and then not, and records it failed
// with no exit status, as a killed step.
func (s *session) stopOverdue(ctx context.Context, st Step, j Journal, e JournalEntry, f stepFiles, tail string) error {
	// The wrapper leads its own process group under setsid: the group
	// takes the step's children with it (dash's kill wants -PGID after
	// the signal, without "--").
	cmd := "p=$(cat " + q(f.pid) + " 2>/dev/null); if [ -n \"$p\" ]; then kill -TERM -\"$p\" 2>/dev/null; kill -TERM \"$p\" 2>/dev/null; " +
		"sleep 2; kill -KILL -\"$p\" 2>/dev/null; kill -KILL \"$p\" 2>/dev/null; fi; true"
	if e.Unit != "" && s.systemd {
		cmd = "systemctl kill --signal=TERM " + q(e.Unit+".service") + " 2>/dev/null; sleep 2; systemctl kill --signal=KILL " + q(e.Unit+".service") + " 2>/dev/null; " + cmd
	}
	if _, _, err := s.exec(ctx, cmd, ""); err != nil {
		return s.stepErr(err, "stopping the step")
	}
	limit := s.r.stepTimeout()
	e.Finished, e.ExitCode, e.Status = now(), -1, JournalFailed
	j[st.ID] = e
	if err := s.writeJournal(ctx, j); err != nil {
		return err
	}
	te := &StepTimeoutError{ID: st.ID, After: limit, LogTail: s.mask(tail)}
	s.emit(st.ID, EventFailed, te.Error())
	return te
}
