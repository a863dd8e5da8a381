package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/i18n"
	ob "github.com/tunduk-onboard/tunduk-onboard/onboarding"
)

// savedRecord writes a record as the wizard would (the CSRs sent to the
// CA yesterday) and returns its path.
func savedRecord(t *testing.T, org ob.Organisation) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), ob.FileName)
	sent := time.Now().Add(-24 * time.Hour).UTC()
	r := ob.Record{
		Organisation: &org,
		Server:       &ob.Server{Host: "ss1.example.kg", Port: 22, User: "admin"},
		Readiness:    &ob.Readiness{At: sent.Add(-time.Hour), Pass: 15},
		Submission:   &ob.Submission{ID: "x1", Via: "email", SentAt: sent, Stage: "sent"},
	}
	if err := r.Save(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func recordOrg() ob.Organisation {
	return ob.Organisation{MemberClass: "COM", MemberCode: "60000001", Name: "ОсОО «Жаңы Түндүк»", ServerCode: "SS1",
		Address: "г. Ош, ул. Ленина, 1", Head: ob.Person{Name: "Бакиев Үмүт", Position: "Директор"},
		Employees: []ob.Person{{Name: "Өмүров Ңамаз", Position: "Инженер", Phone: "+996 555 000 000"}},
		System:    ob.InfoSystem{Name: "Учёт заказов"}}
}

// record print writes the status report in the language asked, as HTML
// or PDF by the file's extension, says where, and leaves the record as
// it was; it reads the wizard's file through TUNDUK_ONBOARD_RECORD too.
func TestRecordPrintStatus(t *testing.T) {
	path := savedRecord(t, recordOrg())
	before, _ := os.ReadFile(path)
	dir := t.TempDir()
	for _, lang := range i18n.Languages {
		out := filepath.Join(dir, "status-"+lang+".html")
		code, stdout, stderr := cli(t, "", "record", "print", "--record", path, "--output", out, "--lang", lang)
		if code != exitOK || stdout != "" || stderr != i18n.T(lang, "cli.record.written", map[string]any{"Path": out})+"\n" {
			t.Fatalf("%s: exit %d, stdout %q, stderr %q", lang, code, stdout, stderr)
		}
		page, _ := os.ReadFile(out)
		for _, want := range []string{`<html lang="` + lang + `">`, i18n.T(lang, "print.status.title", nil), "ОсОО «Жаңы Түндүк»", i18n.T(lang, "print.await.ca", nil)} {
			if !strings.Contains(string(page), want) {
				t.Errorf("%s: the page lacks %q", lang, want)
			}
		}
	}
	t.Setenv(envRecord, path)
	out := filepath.Join(dir, "status.pdf")
	if code, _, stderr := cli(t, "", "record", "print", "--output", out, "--lang", "ky"); code != exitOK {
		t.Fatalf("pdf: exit %d: %s", code, stderr)
	}
	if pdf, _ := os.ReadFile(out); !bytes.HasPrefix(pdf, []byte("%PDF-")) || !bytes.Contains(pdf[len(pdf)-32:], []byte("%%EOF")) {
		t.Errorf("status.pdf is not a PDF: %q", pdf[:min(len(pdf), 16)])
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("printing changed the record")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 4 {
		t.Errorf("%d files in the output folder, want the 4 pages and no temporary file", len(entries))
	}
}

// The application is printed in Russian or Kyrgyz once the organisation's
// data holds what it needs; before, the CLI lists what is missing in the
// user's language; in English it says which languages there are.
func TestRecordPrintApplication(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "zayavka.pdf")
	path := savedRecord(t, recordOrg())
	for _, lang := range []string{"ru", "ky"} {
		code, _, stderr := cli(t, "", "record", "print", "--doc", "application", "--record", path, "--output", out, "--lang", lang)
		if code != exitOK {
			t.Fatalf("%s: exit %d: %s", lang, code, stderr)
		}
	}
	html := filepath.Join(dir, "zayavka.html")
	if code, _, stderr := cli(t, "", "record", "print", "--doc", "application", "--record", path, "--output", html, "--lang", "ky"); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	page, _ := os.ReadFile(html)
	for _, want := range []string{i18n.T("ky", "print.app.title", nil), "Өмүров Ңамаз", "Бакиев Үмүт", i18n.T("ky", "print.app.stamp", nil)} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the application lacks %q", want)
		}
	}

	code, _, stderr := cli(t, "", "record", "print", "--doc", "application", "--record", path, "--output", out, "--lang", "en")
	if code != exitCannot || !strings.Contains(stderr, i18n.T("en", "cli.record.err_app_lang", nil)) {
		t.Errorf("English application: exit %d, %q", code, stderr)
	}

	half := recordOrg()
	half.Address, half.Employees = "", nil
	path = savedRecord(t, half)
	code, _, stderr = cli(t, "", "record", "print", "--doc", "application", "--record", path, "--output", out, "--lang", "ru")
	for _, want := range []string{i18n.T("ru", "print.missing.address", nil), i18n.T("ru", "print.missing.employees", nil)} {
		if code != exitCannot || !strings.Contains(stderr, "  - "+want+"\n") {
			t.Errorf("missing data: exit %d, stderr lacks %q:\n%s", code, want, stderr)
		}
	}
	if strings.Contains(stderr, i18n.T("ru", "print.missing.head_name", nil)) {
		t.Errorf("the head is there, but is said to be missing:\n%s", stderr)
	}
}

// Bad input is refused before anything is read or written, in the
// user's language; a record that is not there says so and how to give one.
func TestRecordPrintRefuses(t *testing.T) {
	dir := t.TempDir()
	path := savedRecord(t, recordOrg())
	none := filepath.Join(dir, "none.json")
	ru, err := i18n.CatalogKeys("ru")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		key  string
	}{
		{[]string{"--record", path, "--output", filepath.Join(dir, "a.html"), "--format", "docx"}, "cli.record.err_format"},
		{[]string{"--record", path, "--output", filepath.Join(dir, "a.html"), "--doc", "letter"}, "cli.record.err_doc"},
		{[]string{"--record", path}, "cli.record.err_output"},
		{[]string{"--record", none, "--output", filepath.Join(dir, "a.html")}, "onboarding.err.open"},
		{[]string{"--record", path, "--output", filepath.Join(dir, "no", "such", "a.html")}, "cli.file.write"},
		{[]string{"--record", path, "--output", "-", "--format", "pdf"}, "cli.record.err_output"},
	} {
		args := append([]string{"record", "print", "--lang", "ru"}, c.args...)
		code, stdout, stderr := cli(t, "", args...)
		if code != exitCannot || stdout != "" || ru[c.key] == "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", c.args, code, stdout, stderr)
		}
		// The message is the catalogue's: each of its words around the values.
		for _, part := range regexp.MustCompile(`{{[^}]*}}`).Split(ru[c.key], -1) {
			if !strings.Contains(stderr, part) {
				t.Errorf("%v: stderr lacks %q of %s: %q", c.args, part, c.key, stderr)
			}
		}
		if strings.Contains(stderr, ".print-") {
			t.Errorf("%v: the error names the temporary file: %q", c.args, stderr)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files left after refusals: %v", entries)
	}
	_, _, stderr := cli(t, "", "record", "print", "--record", none, "--output", filepath.Join(dir, "a.html"), "--lang", "ky")
	if !strings.Contains(stderr, i18n.T("ky", "cli.hint.onboarding.err.open", nil)) {
		t.Errorf("no hint how to give the record: %q", stderr)
	}
	if code, _, _ := cli(t, "", "record"); code != exitCannot {
		t.Errorf("record without a verb: exit %d", code)
	}
	// HTML on standard output, for a pipe.
	code, stdout, stderr := cli(t, "", "record", "print", "--record", path, "--output", "-", "--lang", "en")
	if code != exitOK || !strings.HasPrefix(stdout, "<!DOCTYPE html>") || stderr != "" {
		t.Errorf("--output -: exit %d, stderr %q, stdout %.40q", code, stderr, stdout)
	}
}
