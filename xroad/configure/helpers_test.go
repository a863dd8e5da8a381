package configure_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/tunduk-onboard/tunduk-onboard/build/testhost"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/configure"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

const (
	softPIN = "Tunduk-soft-token-PIN-2026" // 15+ characters, as the operator asks
)

var params = configure.Params{
	Instance: xroadtest.Instance, MemberClass: "GOV", MemberCode: "70000001", ServerCode: "SS1",
	OrgName: "Test Agency", CAName: "GU Kyzmat",
}

// env is one test's server: a real sshd on loopback, the fake behind it,
// and a session opened through the SSH connection.
type env struct {
	f    *xroadtest.Server
	c    *remote.Client
	s    *configure.Session
	logs *bytes.Buffer
	errs []string // every error seen, to look for secrets in

	mu    sync.Mutex
	steps []configure.Progress
}

func start(t *testing.T, o xroadtest.Options) *env {
	t.Helper()
	e := &env{f: xroadtest.StartWith(t, o)}
	e.c = dial(t)
	s, err := configure.Open(context.Background(), e.c, e.f.AdminAPI(), admin(e.f))
	if err != nil {
		t.Fatal(err)
	}
	e.s = s
	e.logs = &bytes.Buffer{}
	log := logrus.New()
	log.SetOutput(e.logs)
	log.SetLevel(logrus.DebugLevel)
	s.SetLog(log)
	s.TSAPoll = 20 * time.Millisecond
	return e
}

func dial(t *testing.T) *remote.Client {
	t.Helper()
	c, _ := testhost.Dial(t, testhost.Options{})
	return c
}

func (e *env) progress(st configure.Progress) {
	e.mu.Lock()
	e.steps = append(e.steps, st)
	e.mu.Unlock()
}

// took returns the steps reported since the last call, as "id:state".
func (e *env) took() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, s := range e.steps {
		out = append(out, s.ID+":"+s.State)
	}
	e.steps = nil
	return out
}

func (e *env) seen(err error) {
	if err != nil {
		key, data := configure.Explain(err)
		e.errs = append(e.errs, err.Error(), fmt.Sprint(key, data))
	}
}

// wantKey asserts err is a *configure.Error with key and returns its data.
func wantKey(t *testing.T, err error, key string) map[string]any {
	t.Helper()
	var ce *configure.Error
	if !errors.As(err, &ce) || ce.Key != key {
		t.Fatalf("want %s, got %v", key, err)
	}
	return ce.Data
}

// noSecrets fails when a PIN, the admin password or an issued API key
// shows in any of texts.
func (e *env) noSecrets(t *testing.T, texts ...string) {
	t.Helper()
	secrets := append([]string{softPIN, xroadtest.HWPIN, xroadtest.AdminPassword}, e.f.IssuedKeys()...)
	if len(secrets) < 4 {
		t.Fatal("no API key was issued, the check would be empty")
	}
	all := append(texts, e.logs.String(), strings.Join(e.errs, "\n"))
	for _, txt := range all {
		for _, s := range secrets {
			if s != "" && strings.Contains(txt, s) {
				t.Errorf("a secret (%d characters) leaked into: %q", len(s), txt)
			}
		}
	}
}
