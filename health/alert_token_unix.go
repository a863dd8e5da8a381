//go:build !windows

package health

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// privateFile refuses a secret file group or others may read or write,
// or one owned by someone other than root or the user running us.
func privateFile(path string, fi fs.FileInfo) error {
	if m := fi.Mode().Perm(); m&0o077 != 0 {
		return &AlertError{Key: "health.alert.err.token_mode", Data: map[string]any{"Path": path, "Mode": fmt.Sprintf("%04o", m)}}
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid != 0 && int(st.Uid) != os.Geteuid() {
		return &AlertError{Key: "health.alert.err.token_owner", Data: map[string]any{"Path": path, "UID": st.Uid}}
	}
	return nil
}
