package main

// Words of a host or of the admin API reach the CLI's output only clean:
// an error nobody translated (stderr, a JSON "error"), a server verb's
// line made of the API's values.

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/tunduk-onboard/tunduk-onboard/checks/checkstest"
)

func TestErrorsShownClean(t *testing.T) {
	hostile := errors.New("the admin API answered: weak_pin" + checkstest.Hostile)
	var stderr bytes.Buffer
	if code := exitWith(hostile, "en", &stderr); code != exitCannot {
		t.Errorf("exit %d", code)
	}
	noControls(t, "stderr", stderr.String())
	if code := exitWith(cannot("ru", hostile), "ru", &stderr); code != exitCannot {
		t.Errorf("exit %d", code)
	}
	noControls(t, "stderr", stderr.String())

	var stdout bytes.Buffer
	out := newServerOut(&serverOpts{format: "json", lang: "en"}, "status", &stdout, &stderr)
	out.finish(hostile, exitFailed)
	noControls(t, "JSON", stdout.String())
	var doc struct {
		Error struct{ Text string } `json:"error"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil || doc.Error.Text == "" {
		t.Errorf("JSON %v: %s", err, stdout.String())
	}
}

func TestServerLinesClean(t *testing.T) {
	var stdout bytes.Buffer
	out := newServerOut(&serverOpts{format: "text", lang: "ky"}, "status", &stdout, &stdout)
	out.line("cli.server.status_token", map[string]any{"ID": "0" + checkstest.Hostile, "Name": "softToken" + checkstest.Hostile + "\nforged line",
		"Type": "SOFTWARE", "LoggedIn": "yes", "Available": "yes"})
	noControls(t, "status line", stdout.String())
	if n := bytes.Count(stdout.Bytes(), []byte("\n")); n != 1 {
		t.Errorf("%d lines: %q", n, stdout.String())
	}
}
