package app

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/tunduk-onboard/tunduk-onboard/xroad"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/backup"
)

// operatePIN is the software token PIN of the fake's Operate.
const operatePIN = "Tunduk-soft-token-PIN-2026"

// restores are the fake's restore calls.
func restores(e *healthEnv) int {
	n := 0
	for _, c := range e.fake.Calls() {
		if c.Method == "PUT" && strings.HasSuffix(c.Path, "/restore") {
			n++
		}
	}
	return n
}

// TestHealthBackups: on a server in service, Back up now saves a checked
// copy here (its path, size and SHA-256 shown) and lists both sides; the
// restore dialog keeps Restore disabled until the backup's name is typed
// exactly and the PIN of the token logged in, a wrong name restores
// nothing, the right one takes a backup first, restores, and the token
// is logged in again. No secret reaches the log.
func TestHealthBackups(t *testing.T) {
	e := newHealthEnv(t, "", true)
	dir := backupsIn(t, e.cfgHarness)
	e.show(stepHealth)
	hb := e.wz.backups.health
	if hb == nil || hb.v == nil {
		t.Fatal("no Backups section on the Health step")
	}
	before := len(e.fake.Backups())
	test.Tap(hb.v.create)
	e.idle(t, &hb.sessionRunner, "back up now")
	names := e.fake.Backups()
	if len(names) != before+1 || hb.listing == nil {
		t.Fatalf("backups %v; outcome %q", names, labelsIn(hb.v.outcome))
	}
	made := names[len(names)-1]
	local, err := backup.LocalBackups(backup.Store{Dir: dir}, hb.listing.Server)
	if err != nil || len(local) != 1 || local[0].Name != made || local[0].State != backup.LocalOK {
		t.Fatalf("this computer's copies %+v %v", local, err)
	}
	data, _ := os.ReadFile(local[0].Path)
	if string(data) != string(e.fake.BackupData(made)) {
		t.Fatal("the copy is not the server's file")
	}
	for _, want := range []string{local[0].Path, local[0].SHA256} {
		if !hasTextPart(hb.v.outcome, want) {
			t.Fatalf("the outcome does not show %s: %q", want, labelsIn(hb.v.outcome))
		}
	}
	if !hasTextPart(hb.v.items, made) || len(hb.v.restore) != len(names) || len(hb.loggedIn) != 1 {
		t.Fatalf("the list %q; %d restore buttons; logged in %v", labelsIn(hb.v.items), len(hb.v.restore), hb.loggedIn)
	}

	// The restore dialog, for the backup just made.
	var rd *restoreDialog
	hb.restoreShown = func(d *restoreDialog) { rd = d }
	i := slices.IndexFunc(hb.listing.OnServer, func(b xroad.Backup) bool { return b.Filename == made })
	test.Tap(hb.v.restore[i])
	if rd == nil || rd.name != made || len(rd.pins) != 1 || rd.pins[xroad.SoftwareTokenID] == nil {
		t.Fatalf("the dialog %+v", rd)
	}
	test.Type(rd.typed, strings.TrimSuffix(made, ".gpg"))
	rd.pins[xroad.SoftwareTokenID].SetText(operatePIN)
	if !rd.ok.Disabled() {
		t.Fatal("Restore enabled without the name typed exactly")
	}
	test.Tap(rd.ok)
	rd.typed.SetText(" " + made)
	test.Tap(rd.ok)
	if hb.busy != "" || restores(e) != 0 {
		t.Fatal("a restore started without the name typed exactly")
	}
	// The run itself refuses a wrong name too, before anything is done.
	n := len(e.fake.Backups())
	hb.restore(made, strings.ToUpper(made), backup.PINs{xroad.SoftwareTokenID: operatePIN})
	e.idle(t, &hb.sessionRunner, "a refused restore")
	if restores(e) != 0 || len(e.fake.Backups()) != n || !hasTextPart(hb.v.outcome, T("backup.failed.todo")) {
		t.Fatalf("a wrong name: %d restores, backups %v, outcome %q", restores(e), e.fake.Backups(), labelsIn(hb.v.outcome))
	}

	test.Tap(hb.v.restore[i])
	rd.typed.SetText(made)
	if !rd.ok.Disabled() {
		t.Fatal("Restore enabled without the PIN")
	}
	rd.pins[xroad.SoftwareTokenID].SetText(operatePIN)
	if rd.ok.Disabled() {
		t.Fatal("Restore disabled with the name and the PIN typed")
	}
	test.Tap(rd.ok)
	e.idle(t, &hb.sessionRunner, "the restore")
	if restores(e) != 1 || !e.fake.LoggedIn(xroad.SoftwareTokenID) {
		t.Fatalf("%d restores; soft token logged in %v; outcome %q", restores(e), e.fake.LoggedIn(xroad.SoftwareTokenID), labelsIn(hb.v.outcome))
	}
	// A backup of the state before, taken before the restore.
	var order []string
	for _, c := range e.fake.Calls() {
		if c.Method == "POST" && c.Path == "/backups" || c.Method == "PUT" && strings.HasSuffix(c.Path, "/restore") {
			order = append(order, c.Method)
		}
	}
	if len(e.fake.Backups()) != n+1 || hb.bk.note.state != backupSaved || !slices.Equal(order[len(order)-2:], []string{"POST", "PUT"}) {
		t.Fatalf("no backup before the restore: %v, calls %v", e.fake.Backups(), order)
	}
	if !hasTextPart(hb.v.outcome, T("health.backups.restored")) {
		t.Fatalf("outcome %q", labelsIn(hb.v.outcome))
	}
	log, _ := os.ReadFile(e.logFile)
	for _, s := range []string{operatePIN, e.fake.Admin().Password} {
		if strings.Contains(string(log), s) || slices.ContainsFunc(labelsIn(e.wz.page), func(l string) bool { return strings.Contains(l, s) }) {
			t.Fatal("a secret in the log or on the page")
		}
		for k, v := range e.prefs {
			if strings.Contains(fmt.Sprint(v), s) {
				t.Fatalf("a secret in the preference %s", k)
			}
		}
	}
	if len(log) == 0 || !strings.Contains(string(log), "backup restored") {
		t.Fatal("the log is not this run's")
	}
}
