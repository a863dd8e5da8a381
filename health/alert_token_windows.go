package health

import "io/fs"

// privateFile: Windows has no mode bits to read who else may open the
// file, so a token file is refused there; the OS keyring holds it.
func privateFile(path string, _ fs.FileInfo) error {
	return &AlertError{Key: "health.alert.err.token_file_windows", Data: map[string]any{"Path": path}}
}
