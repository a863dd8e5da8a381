package remote

// The host is not trusted: what a command prints is read up to a limit
// and then no further (the command is ended, not drained), and a command
// that does not finish before the caller's deadline ends as stalled, with
// how long it was given. Both are errors of their own, so each front end
// can say which happened in the user's words.

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// OutputLimitError is a command that printed more than the limit on one
// stream: the read stopped there and the command was ended. It wraps
// ErrOutputLimit.
type OutputLimitError struct {
	Limit  int    // bytes accepted per stream
	Stream string // "stdout" or "stderr"
}

func (e *OutputLimitError) Error() string {
	return fmt.Sprintf("the host sent more than %s on %s; the read stopped and the command was ended",
		SizeText(int64(e.Limit)), e.Stream)
}

func (e *OutputLimitError) Unwrap() error { return ErrOutputLimit }

// StalledError is a command the host did not finish before the caller's
// deadline (a host that accepted the login and then stalled, or trickled
// its answer). It wraps context.DeadlineExceeded.
type StalledError struct {
	After time.Duration // how long the command was given
	// Opening: the host did not even open the session or start the
	// command.
	Opening bool
}

func (e *StalledError) Error() string {
	if e.Opening {
		return fmt.Sprintf("the host did not open a session within %s", Duration(e.After))
	}
	return fmt.Sprintf("the host did not finish the command within %s", Duration(e.After))
}

func (e *StalledError) Unwrap() error { return context.DeadlineExceeded }

// Stalled is the stall of a command started at start whose ctx's deadline
// passed: After is the time the deadline gave it (not the time taken to
// give up, which may be a moment more).
func Stalled(ctx context.Context, start time.Time) *StalledError {
	if dl, ok := ctx.Deadline(); ok && dl.After(start) {
		return &StalledError{After: dl.Sub(start)}
	}
	return &StalledError{After: time.Since(start)}
}

// Duration is d as people read it in a message: whole seconds below a
// minute ("5s"), else minutes and seconds ("2m30s").
func Duration(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// SizeText is n bytes in the binary units people read: "4 MiB", "512 KiB".
func SizeText(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// boundedBuffer keeps the first limit bytes of a stream. The first write
// past the limit closes over and fails, so the copy from the host stops
// there (the channel's flow control then holds the host back) and the
// caller ends the command.
type boundedBuffer struct {
	mu     sync.Mutex
	buf    []byte
	limit  int
	stream string
	over   chan struct{}
	once   sync.Once
}

func newBoundedBuffer(limit int, stream string) *boundedBuffer {
	return &boundedBuffer{limit: limit, stream: stream, over: make(chan struct{})}
}

func (b *boundedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	room := b.limit - len(b.buf)
	if room < len(p) {
		if room > 0 {
			b.buf = append(b.buf, p[:room]...)
		}
		b.once.Do(func() { close(b.over) })
		return max(room, 0), b.err()
	}
	b.buf = append(b.buf, p...)
	return len(p), nil
}

func (b *boundedBuffer) err() *OutputLimitError {
	return &OutputLimitError{Limit: b.limit, Stream: b.stream}
}

func (b *boundedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]byte(nil), b.buf...)
}

// Truncated says whether the stream went past the limit.
func (b *boundedBuffer) Truncated() bool {
	select {
	case <-b.over:
		return true
	default:
		return false
	}
}
