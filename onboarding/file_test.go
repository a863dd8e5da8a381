package onboarding

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 22, 9, 30, 0, 0, time.UTC)

// fullRecord has every part filled, as after a whole onboarding.
func fullRecord() Record {
	return Record{
		LastStep: StepRegister,
		Organisation: &Organisation{MemberClass: "GOV", MemberCode: "70000001", Name: "Министерство", ServerCode: "SS1",
			Address: "г. Бишкек", Head: Person{Name: "Асанов Б.", Position: "Министр"},
			Employees: []Person{{Name: "Өмүрбекова Ж.", Position: "Инженер", Phone: "0 (312) 000 000", Email: "j@example.kg"}, {Name: "Ниязбеков Э.", Position: "Администратор"}},
			System:    InfoSystem{Name: "Реестр", Purpose: "учёт"}},
		Server:    &Server{Host: "ss1.agency.kg", Port: 22, User: "admin"},
		Readiness: &Readiness{At: t0, Pass: 20, Warn: 1, Fail: 2, FailsOverridden: true, ReportFile: "/home/u/readiness.json"},
		Install: &Install{Started: t0, Finished: t0.Add(time.Hour), Outcome: OutcomeOK, LastStepDone: "admin-api",
			StepsDone: 14, StepsTotal: 14, XRoadVersion: "7.4.2", ProfileClass: "present"},
		Init:    &Init{At: t0.Add(2 * time.Hour), Owner: "KG:GOV:70000001", ServerCode: "SS1", TimeStamping: true, Outcome: OutcomeOK},
		SignKey: &Key{Place: PlaceRutoken, TokenSerial: "0a1b2c3d", TokenLabel: "Rutoken ECP", ID: "01ab", Label: "sign"},
		CSRs: []CSR{
			{Usage: UsageAuth, Key: Key{Place: PlaceSoftToken, ID: "AB12"}, File: "/x/auth.der", SHA256: "aa", MadeAt: t0.Add(3 * time.Hour)},
			{Usage: UsageSign, Key: Key{Place: PlaceRutoken, TokenSerial: "0a1b2c3d", ID: "01ab"}, File: "/x/sign.der", SHA256: "bb", MadeAt: t0.Add(3 * time.Hour)},
		},
		Submission: &Submission{ID: "20261122-093000-GOV-70000001", Via: "smtp", SentAt: t0.Add(4 * time.Hour), Stage: "imported"},
		Certificates: []Certificate{{Usage: UsageAuth, Subject: "CN=SS1", Serial: "42", Hash: "h1", NotAfter: t0.AddDate(2, 0, 0),
			ImportedAt: t0.AddDate(0, 0, 5), RegistrationSent: t0.AddDate(0, 0, 5)}},
	}
}

// Read, for the CLI that prints the record, changes nothing: a damaged or
// newer file stays where it is, and each case says what it is.
func TestReadChangesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	want := fullRecord()
	if err := want.Save(path); err != nil {
		t.Fatal(err)
	}
	if got, err := Read(path); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("Read: %v\n%+v", err, got)
	}
	for _, c := range []struct {
		name, content, key string
	}{
		{"damaged", "{not json", "onboarding.err.unreadable"},
		{"no version", `{"organisation":{}}`, "onboarding.err.unreadable"},
		{"newer", `{"version":99}`, "onboarding.err.newer_read"},
	} {
		if err := os.WriteFile(path, []byte(c.content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Read(path)
		var oe *Error
		if !errors.As(err, &oe) || oe.Key != c.key || oe.Aside != "" {
			t.Errorf("%s: %v", c.name, err)
		}
		if b, _ := os.ReadFile(path); string(b) != c.content {
			t.Errorf("%s: the file was changed", c.name)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("%s: %d files in the folder, want the record alone", c.name, len(entries))
		}
	}
	_, err := Read(filepath.Join(dir, "none.json"))
	var oe *Error
	if !errors.As(err, &oe) || oe.Key != "onboarding.err.open" || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("no file: %v", err)
	}
}

func TestMissingFileIsAnEmptyRecord(t *testing.T) {
	r, err := Load(filepath.Join(t.TempDir(), "none", FileName))
	if err != nil || r.Version != Version || r.Organisation != nil || r.StepState(StepWelcome) != NotStarted {
		t.Fatalf("missing file: %+v, %v", r, err)
	}
}

// What is saved is what a new run reads, every part of it.
func TestSaveLoadRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cfg", FileName)
	want := fullRecord()
	if err := want.Save(path); err != nil {
		t.Fatal(err)
	}
	if want.Version != Version || want.Updated.IsZero() {
		t.Errorf("Save did not stamp version and time: %d %v", want.Version, want.Updated)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back\n%+v\nwant\n%+v", got, want)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*tmp*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	// Times never written stay out of the file rather than as year 1.
	if data, _ := os.ReadFile(path); bytes.Contains(data, []byte("0001-01-01")) {
		t.Errorf("zero times written:\n%s", data)
	}
}

// A crash after the temporary file is written but before it is renamed
// leaves the old record whole: it is what the next run reads.
func TestCrashBeforeRenameKeepsTheOldFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	old := Record{LastStep: StepServer, Organisation: &Organisation{MemberClass: "GOV", MemberCode: "70000001", Name: "A", ServerCode: "SS1"}}
	if err := old.Save(path); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)

	crash := errors.New("power cut")
	var tmpSeen []byte
	beforeRename = func(tmp string) error {
		tmpSeen, _ = os.ReadFile(tmp) // the new record is whole in the temporary file
		return crash
	}
	t.Cleanup(func() { beforeRename = func(string) error { return nil } })
	next := fullRecord()
	err := next.Save(path)
	var oe *Error
	if !errors.Is(err, crash) || !errors.As(err, &oe) || oe.Key != "onboarding.err.write" {
		t.Fatalf("Save during a crash: %v", err)
	}
	if !bytes.Contains(tmpSeen, []byte(`"Министерство"`)) {
		t.Errorf("the temporary file did not hold the new record: %.200s", tmpSeen)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Fatalf("the old file changed:\n%s\nwas\n%s", after, before)
	}
	got, err := Load(path)
	if err != nil || got.LastStep != StepServer || got.Install != nil {
		t.Errorf("after the crash: %+v, %v", got, err)
	}
	// A temporary file a real crash leaves behind is not the record.
	if err := os.WriteFile(filepath.Join(filepath.Dir(path), "."+FileName+".tmp-123"), []byte("{half"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := Load(path); err != nil || got.LastStep != StepServer {
		t.Errorf("a stray temporary file changed what is read: %+v, %v", got, err)
	}
}

// A damaged file is not dropped: it is moved aside, named with the time,
// and the error says where; the next Save starts a new file and leaves
// the damaged one alone.
func TestDamagedFileIsKeptAside(t *testing.T) {
	for name, content := range map[string]string{
		"bad json":   `{"version": 1, "organisation": {`,
		"no version": `{"last_step": "server"}`,
		"empty":      ``,
		"not object": `[1,2]`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, FileName)
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			now = func() time.Time { return t0 }
			t.Cleanup(func() { now = time.Now })
			r, err := Load(path)
			var oe *Error
			if !errors.As(err, &oe) || oe.Key != "onboarding.err.damaged" {
				t.Fatalf("damaged file: %v", err)
			}
			want := path + ".damaged-20261122T093000Z"
			if oe.Aside != want || oe.Data["Kept"] != want || oe.Data["File"] != path {
				t.Errorf("kept at %q (data %v), want %q", oe.Aside, oe.Data, want)
			}
			if kept, err := os.ReadFile(want); err != nil || string(kept) != content {
				t.Errorf("the damaged file was not kept as it was: %q, %v", kept, err)
			}
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the damaged file is still at its place: %v", err)
			}
			if r.Version != Version || r.Organisation != nil {
				t.Errorf("record of a damaged file: %+v", r)
			}
			// Damaged again in the same second: the first one kept stays.
			if err := os.WriteFile(path, []byte("{"), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := Load(path); !errors.As(err, &oe) || oe.Aside != want+"-2" {
				t.Errorf("second damaged file kept at %q", oe.Aside)
			}
			if kept, _ := os.ReadFile(want); string(kept) != content {
				t.Errorf("the first damaged file was written over: %q", kept)
			}
			if err := r.Save(path); err != nil {
				t.Fatal(err)
			}
			if kept, _ := os.ReadFile(want); string(kept) != content {
				t.Errorf("Save wrote over the kept file: %q", kept)
			}
		})
	}
}

// A record from a newer wizard is kept aside, not read wrong and not
// written over with this version's idea of it.
func TestNewerVersionIsKeptAsideNotOverwritten(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	newer := `{"version": 2, "last_step": "register", "something_new": {"a": 1}}`
	if err := os.WriteFile(path, []byte(newer), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := Load(path)
	var oe *Error
	if !errors.As(err, &oe) || oe.Key != "onboarding.err.newer" || oe.Data["Version"] != 2 || oe.Aside == "" {
		t.Fatalf("newer version: %v (%+v)", err, oe)
	}
	if !strings.HasPrefix(oe.Aside, path+".damaged-") {
		t.Errorf("kept at %q", oe.Aside)
	}
	if r.LastStep != "" {
		t.Errorf("a newer record was read: %+v", r)
	}
	r.LastStep = StepWelcome
	if err := r.Save(path); err != nil {
		t.Fatal(err)
	}
	if kept, _ := os.ReadFile(oe.Aside); string(kept) != newer {
		t.Errorf("the newer record changed: %q", kept)
	}
}

// A file that cannot be moved aside stays where it is, and the error has
// no Aside: the caller knows not to write over it.
func TestUnmovableDamagedFileStays(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root moves files out of a read-only folder")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	if err := os.WriteFile(path, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	_, err := Load(path)
	var oe *Error
	if !errors.As(err, &oe) || oe.Key != "onboarding.err.not_moved" || oe.Aside != "" {
		t.Fatalf("unmovable file: %v", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "{" {
		t.Errorf("the file changed: %q", data)
	}
}

func TestSaveIntoAnUnwritableFolderFails(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes anywhere")
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	r := fullRecord()
	err := r.Save(filepath.Join(dir, FileName))
	var oe *Error
	if !errors.As(err, &oe) || oe.Key != "onboarding.err.write" || oe.Data["File"] != filepath.Join(dir, FileName) {
		t.Errorf("unwritable folder: %v", err)
	}
}

func TestDefaultPath(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", "/tmp/cfg-test")
	t.Setenv("HOME", "/tmp/home-test")
	p, err := DefaultPath()
	if err != nil {
		t.Fatal(err)
	}
	d, _ := os.UserConfigDir()
	if p != filepath.Join(d, "tunduk-onboard", "onboarding.json") {
		t.Errorf("DefaultPath %q", p)
	}
}

// A CSR kept beside the record reads back only as it was made.
func TestCSRFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	der := []byte{0x30, 0x82, 0x01, 0x02, 0x03}
	file, sum, err := SaveCSR(path, UsageAuth, der, t0)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(file) != filepath.Join(filepath.Dir(path), CSRFolder) || sum != SHA256(der) {
		t.Errorf("file %q sum %q", file, sum)
	}
	c := CSR{Usage: UsageAuth, File: file, SHA256: sum, MadeAt: t0}
	got, err := ReadCSR(c)
	if err != nil || !bytes.Equal(got, der) {
		t.Fatalf("read back %x, %v", got, err)
	}
	if err := os.WriteFile(file, []byte{0x30, 0x00}, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadCSR(c); err == nil {
		t.Error("a changed CSR file was read")
	}
	if _, err := ReadCSR(CSR{Usage: UsageSign}); err == nil {
		t.Error("a CSR without a file was read")
	}
}

// Update: a milestone from a front end that keeps no record in memory
// lands in the file beside what was there; a damaged file is kept aside
// (and said so) and the milestone still written.
func TestUpdate(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	at := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	first := Record{Organisation: &Organisation{MemberClass: "GOV", MemberCode: "70000001", Name: "X", ServerCode: "SS1"}}
	if err := first.Save(path); err != nil {
		t.Fatal(err)
	}
	if err := Update(path, func(r *Record) { r.InstallStarted(at, 12); r.InstallStepDone(at, "packages", 3, 12) }); err != nil {
		t.Fatal(err)
	}
	got, err := Read(path)
	if err != nil || got.Organisation == nil || got.Install == nil || got.Install.StepsDone != 3 || got.Install.LastStepDone != "packages" {
		t.Fatalf("after Update: %+v %v", got, err)
	}
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	err = Update(path, func(r *Record) { r.InstallEnded(at, OutcomeOK, "", "7.4.2") })
	var oe *Error
	if !errors.As(err, &oe) || oe.Aside == "" {
		t.Fatalf("a damaged file: %v, want it kept aside", err)
	}
	if got, err := Read(path); err != nil || got.Install == nil || got.Install.Outcome != OutcomeOK || got.Install.XRoadVersion != "7.4.2" {
		t.Fatalf("after Update over a damaged file: %+v %v", got, err)
	}
	if b, _ := os.ReadFile(oe.Aside); string(b) != "{not json" {
		t.Errorf("the damaged file kept aside holds %q", b)
	}
}
