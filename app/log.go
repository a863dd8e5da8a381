package app

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
)

// keepLogs is how many per-run log files stay in the log folder.
const keepLogs = 10

var log = logrus.New()

// logDir is where the wizard writes one log file per run.
func logDir() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "tunduk-onboard", "logs")
}

// openLog starts this run's log file and drops the oldest ones. It returns
// the file's path ("" when logging goes to stderr only).
func openLog() string {
	dir := logDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		log.SetOutput(os.Stderr)
		return ""
	}
	name := filepath.Join(dir, fmt.Sprintf("gui-%s-%d.log", time.Now().Format("20060102-150405"), os.Getpid()))
	f, err := os.OpenFile(name, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		log.SetOutput(os.Stderr)
		return ""
	}
	log.SetOutput(io.MultiWriter(f, os.Stderr))
	prune(dir)
	return name
}

func prune(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	var logs []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "gui-") && strings.HasSuffix(e.Name(), ".log") {
			logs = append(logs, e.Name())
		}
	}
	sort.Strings(logs)
	for len(logs) > keepLogs {
		_ = os.Remove(filepath.Join(dir, logs[0]))
		logs = logs[1:]
	}
}
