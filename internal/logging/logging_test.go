package logging

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"
)

func TestSetupWritesOneFilePerRunAndPrunes(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	dir, _ := Dir()
	os.MkdirAll(dir, 0o700)
	for i := 0; i < Keep+5; i++ { // older runs, named as Setup names them
		os.WriteFile(filepath.Join(dir, "cli-20200101-0000"+string(rune('a'+i))+"-1.log"), nil, 0o600)
	}
	path, done, err := Setup("cli", false)
	if err != nil {
		t.Fatal(err)
	}
	logrus.WithFields(logrus.Fields{"host": "ss1", "sudo_password": "hunter2", "pin": "12345678"}).Info("hello")
	done()
	b, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(b), "hello") || !strings.Contains(string(b), "host=ss1") {
		t.Fatalf("log %q: %v", b, err)
	}
	if bytes.Contains(b, []byte("hunter2")) || bytes.Contains(b, []byte("12345678")) {
		t.Errorf("a secret field reached the log: %s", b)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("log mode %v, want 0600", st.Mode().Perm())
	}
	left, _ := filepath.Glob(filepath.Join(dir, "cli-*.log"))
	if len(left) != Keep {
		t.Errorf("%d logs left, want %d", len(left), Keep)
	}
	for _, l := range left {
		if l == path {
			return
		}
	}
	t.Error("the current run's log was pruned")
}
