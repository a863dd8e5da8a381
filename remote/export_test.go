package remote

import "time"

// SetLocalCloseWait shortens how long Proc.Close waits before it kills a
// local command, for a test; it returns the way back.
func SetLocalCloseWait(d time.Duration) (restore func()) {
	old := localCloseWait
	localCloseWait = d
	return func() { localCloseWait = old }
}
