package enroll

import (
	"errors"
	"os"
	"path/filepath"
)

// errLocked: another Flush of the same outbox is under way.
var errLocked = errors.New("the outbox is being sent by another program")

// flushLockName is the lock file in the outbox folder. The wizard and the
// CLI may flush the same outbox (the wizard retries it at start-up); one
// at a time, so an item is never posted twice at once. The intake would
// take the second as a repeat (same idempotency key), but the user would
// read two different outcomes.
const flushLockName = ".flush.lock"

// lockFlush takes the outbox's flush lock or says another program holds it.
func (o *Outbox) lockFlush() (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(o.dir, flushLockName), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, &Error{Key: "enroll.err.write", Data: map[string]any{"Dir": o.dir}, Err: err}
	}
	if err := tryLock(f); err != nil {
		f.Close()
		if errors.Is(err, errLocked) {
			return nil, &Error{Key: "enroll.err.outbox_busy", Data: map[string]any{"Dir": o.dir}, Err: err}
		}
		return nil, &Error{Key: "enroll.err.write", Data: map[string]any{"Dir": o.dir}, Err: err}
	}
	return func() { f.Close() }, nil
}
