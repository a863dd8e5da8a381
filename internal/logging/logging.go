// Package logging sets up logrus for both front ends: one file per run
// under the user's config dir, the oldest files removed so the folder
// stays bounded. Secrets are never passed to the logger by callers; this
// package adds a last guard that masks values of secret-looking fields.
package logging

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
)

// Keep is how many run logs stay in the folder.
const Keep = 20

var hookOnce sync.Once

// Dir is where the logs of this user live.
func Dir() (string, error) {
	base, err := os.UserConfigDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(base, "tunduk-onboard", "logs"), nil
}

// Setup points the standard logrus logger at a new file named after the
// program and the start time, removes old files past Keep, and returns
// the file's path and a function that closes it. With verbose, debug
// lines are written and also copied to stderr.
func Setup(program string, verbose bool) (string, func(), error) {
	dir, err := Dir()
	if err != nil {
		return "", func() {}, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", func() {}, err
	}
	name := fmt.Sprintf("%s-%s-%d.log", program, time.Now().Format("20060102-150405"), os.Getpid())
	path := filepath.Join(dir, name)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return "", func() {}, err
	}
	prune(dir, program, Keep)
	var out io.Writer = f
	logrus.SetLevel(logrus.InfoLevel)
	if verbose {
		out = io.MultiWriter(f, os.Stderr)
		logrus.SetLevel(logrus.DebugLevel)
	}
	logrus.SetOutput(out)
	logrus.SetFormatter(&logrus.TextFormatter{DisableColors: true, FullTimestamp: true})
	hookOnce.Do(func() { logrus.AddHook(maskHook{}) })
	return path, func() { logrus.SetOutput(io.Discard); f.Close() }, nil
}

// prune removes the oldest logs of program beyond keep.
func prune(dir, program string, keep int) {
	matches, _ := filepath.Glob(filepath.Join(dir, program+"-*.log"))
	if len(matches) <= keep {
		return
	}
	sort.Strings(matches) // names start with a sortable timestamp
	for _, m := range matches[:len(matches)-keep] {
		os.Remove(m)
	}
}

// maskHook replaces the value of any field whose name suggests a secret.
type maskHook struct{}

func (maskHook) Levels() []logrus.Level { return logrus.AllLevels }

func (maskHook) Fire(e *logrus.Entry) error {
	for k := range e.Data {
		if IsSecretName(k) {
			e.Data[k] = "***"
		}
	}
	return nil
}

// IsSecretName reports whether a field or flag name names a secret.
func IsSecretName(name string) bool {
	n := strings.ToLower(name)
	for _, s := range []string{"pass", "pin", "secret", "token", "apikey", "api_key", "key_data"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}
