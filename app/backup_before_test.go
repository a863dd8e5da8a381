package app

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/tunduk-onboard/tunduk-onboard/xroad/backup"
	"github.com/tunduk-onboard/tunduk-onboard/xroad/xroadtest"
)

// backupsIn keeps the wizard's backups in a folder of the test's and
// names the fake's backups a second apart; it returns the folder.
func backupsIn(t *testing.T, h *cfgHarness) string {
	t.Helper()
	h.wz.backups.dir = t.TempDir()
	h.fake.TickBackupClock()
	return h.wz.backups.dir
}

// changesAfterBackup: the fake's first call that changes something is
// the backup, and the run changed something after it.
func changesAfterBackup(t *testing.T, f *xroadtest.Server, what string) {
	t.Helper()
	var changes []string
	for _, c := range f.Calls() {
		if c.Method != "GET" && !strings.HasPrefix(c.Path, "/api-keys") {
			changes = append(changes, c.Method+" "+c.Path)
		}
	}
	if len(changes) < 2 || changes[0] != "POST /backups" {
		t.Fatalf("%s: the server's changes, in order: %v (the backup first, then the run's)", what, changes)
	}
}

// savedHere checks the backup the run saved: the fake holds one backup,
// and this computer a byte-identical copy in the server's folder with its
// SHA-256 beside it, as the row says.
func savedHere(t *testing.T, f *xroadtest.Server, dir string, row backupRow) backup.Saved {
	t.Helper()
	names := f.Backups()
	if len(names) != 1 || row.note.state != backupSaved {
		t.Fatalf("backups on the server %v; the row's state %d", names, row.note.state)
	}
	sv := row.note.saved
	want := f.BackupData(names[0])
	got, err := os.ReadFile(sv.Path)
	sum := sha256.Sum256(want)
	if err != nil || string(got) != string(want) || sv.SHA256 != hex.EncodeToString(sum[:]) || sv.Size != int64(len(want)) {
		t.Fatalf("the copy %s (%v): not the server's file, or its hash or size wrong", sv.Path, err)
	}
	if filepath.Dir(filepath.Dir(sv.Path)) != dir || filepath.Base(sv.Path) != names[0] {
		t.Fatalf("saved to %s, not in a server's folder of %s", sv.Path, dir)
	}
	line, _ := os.ReadFile(sv.Path + ".sha256")
	if string(line) != sv.SHA256+"  "+names[0]+"\n" {
		t.Fatalf("the hash beside it: %q", line)
	}
	if !hasText(row.box, T("backup.row.saved", savedData(sv))) {
		t.Fatalf("the row: %q", labelsIn(row.box))
	}
	return sv
}

// TestBackupBeforeConfigure: Initialise on a server not yet initialised
// says plainly there is nothing to back up; on one initialised, a backup
// is made, downloaded and checked before the first change.
func TestBackupBeforeConfigure(t *testing.T) {
	h := newCfgHarness(t, xroadtest.Options{})
	backupsIn(t, h)
	h.cfgLogin(t)
	h.initialise(t)
	cs := h.wz.configure
	if cs.bk.note.state != backupSkipped || len(h.fake.Backups()) != 0 || !hasText(cs.bk.box, T("backup.row.skipped")) {
		t.Fatalf("fresh server: the row %d %q, backups %v", cs.bk.note.state, labelsIn(cs.bk.box), h.fake.Backups())
	}

	o := validOrg()
	h = newCfgHarness(t, xroadtest.Options{Preset: xroadtest.Preset{Anchor: true, ServerCode: o.ServerCode,
		OwnerClass: o.MemberClass, OwnerCode: o.MemberCode, SoftTokenPIN: cfgPIN}})
	dir := backupsIn(t, h)
	v := h.cfgLogin(t)
	v.pin.SetText(cfgPIN)
	test.Tap(v.initBtn)
	cs = h.wz.configure
	h.idle(t, &cs.sessionRunner, "initialise")
	if cs.auth == nil {
		t.Fatalf("no CSR made: %q", labelsIn(v.outcome))
	}
	changesAfterBackup(t, h.fake, "configure")
	savedHere(t, h.fake, dir, cs.bk)
}

// TestBackupBeforeConnectApply: Apply backs the server up before its
// first change; when no backup can be made it asks, and Stop changes
// nothing while Continue goes on without one. One backup a run.
func TestBackupBeforeConnectApply(t *testing.T) {
	h, cs, _ := connectHarness(t)
	dir := backupsIn(t, h)
	h.show(stepConnect)
	if p := cs.addSubsystem("crm", "Citizen register"); p != "" {
		t.Fatal(p)
	}
	cs.refresh()
	asked := 0
	answer := false
	h.wz.backups.asked = func(reply func(bool)) { asked++; reply(answer) }

	// No backup: asked, Stop; nothing changed.
	h.fake.FailNext("POST", "/backups")
	test.Tap(cs.v.apply)
	h.idle(t, &cs.sessionRunner, "apply")
	if asked != 1 || mutations(h.fake) != 1 || len(h.fake.Backups()) != 0 {
		t.Fatalf("asked %d; the server's changes %v", asked, h.fake.Calls())
	}
	lead := T("backup.row.failed")
	if cs.bk.note.state != backupFailed || !hasText(cs.bk.box, lead) || !hasTextPart(cs.v.outcome, T("backup.failed.todo")) {
		t.Fatalf("stopped: the row %q, outcome %q", labelsIn(cs.bk.box), labelsIn(cs.v.outcome))
	}

	// No backup again: Continue goes on without one.
	answer = true
	h.fake.FailNext("POST", "/backups")
	test.Tap(cs.v.apply)
	h.idle(t, &cs.sessionRunner, "apply")
	if asked != 2 || mutations(h.fake) < 3 || len(h.fake.Backups()) != 0 || cs.bk.note.state != backupWithout || !cs.applied {
		t.Fatalf("asked %d, applied %v, the row %q; calls %v", asked, cs.applied, labelsIn(cs.bk.box), h.fake.Calls())
	}

	// A backup taken, once, before the changes.
	h2, cs2, _ := connectHarness(t)
	dir = backupsIn(t, h2)
	h2.show(stepConnect)
	cs2.addSubsystem("crm", "Citizen register")
	cs2.refresh()
	test.Tap(cs2.v.apply)
	h2.idle(t, &cs2.sessionRunner, "apply")
	if !cs2.applied {
		t.Fatalf("not applied: %q", labelsIn(cs2.v.outcome))
	}
	changesAfterBackup(t, h2.fake, "connect")
	savedHere(t, h2.fake, dir, cs2.bk)
	// Nothing left to do: no backup for a run that changes nothing.
	test.Tap(cs2.v.apply)
	h2.idle(t, &cs2.sessionRunner, "apply again")
	if n := len(h2.fake.Backups()); n != 1 {
		t.Fatalf("%d backups after an apply with nothing to do", n)
	}
}

// TestBackupBeforeConnectGrant: access granted or revoked one by one on
// Connect backs the server up just before the first change of a visit of
// the page, as Apply does; a grant already there takes none; a failed
// backup, the user saying Stop, changes nothing and tells why; a refresh
// backs up too.
func TestBackupBeforeConnectGrant(t *testing.T) {
	h, cs, _ := connectHarness(t)
	backupsIn(t, h)
	h.show(stepConnect)
	v := cs.v
	cs.addSubsystem("crm", "Citizen register")
	cs.refresh()
	v.svcType.SetSelectedIndex(0) // REST
	v.svcURL.SetText("https://is.example.kg/rest")
	v.svcCode.SetText("people")
	test.Tap(v.svcAdd)
	test.Tap(v.apply)
	h.idle(t, &cs.sessionRunner, "apply")
	if !cs.applied || len(h.fake.Backups()) != 1 {
		t.Fatalf("applied %v, backups %v: %q", cs.applied, h.fake.Backups(), labelsIn(v.outcome))
	}
	const subject = "GOV:70000002:registry"
	grants := func() int {
		n := 0
		for _, c := range h.fake.Calls() {
			if c.Method == "POST" && strings.HasSuffix(c.Path, "/service-clients") {
				n++
			}
		}
		return n
	}
	revisit := func() {
		h.show(stepHealth)
		h.show(stepConnect)
		v = cs.v
	}
	asked := 0
	h.wz.backups.asked = func(reply func(bool)) { asked++; reply(false) }

	// A new visit: no backup can be made, Stop; nothing granted.
	revisit()
	before := mutations(h.fake)
	h.fake.FailNext("POST", "/backups")
	cs.grant(0, subject)
	h.idle(t, &cs.sessionRunner, "grant, no backup")
	if asked != 1 || grants() != 0 || mutations(h.fake) != before+1 || len(h.fake.Backups()) != 1 {
		t.Fatalf("asked %d, grants %d; calls %v", asked, grants(), h.fake.Calls())
	}
	if cs.bk.note.state != backupFailed || !hasText(cs.bk.box, T("backup.row.failed")) || !hasTextPart(v.outcome, T("backup.failed.todo")) {
		t.Fatalf("stopped: the row %q, outcome %q", labelsIn(cs.bk.box), labelsIn(v.outcome))
	}

	// Again: the backup, then the grant.
	cs.grant(0, subject)
	h.idle(t, &cs.sessionRunner, "grant")
	var changes []string
	for _, c := range h.fake.Calls()[before:] {
		if c.Method != "GET" && !strings.HasPrefix(c.Path, "/api-keys") {
			changes = append(changes, c.Method+" "+c.Path)
		}
	}
	if n := len(changes); n < 2 || changes[n-2] != "POST /backups" || !strings.HasSuffix(changes[n-1], "/service-clients") || grants() != 1 {
		t.Fatalf("the server's changes, in order: %v (the backup, then the grant)", changes)
	}
	if len(h.fake.Backups()) != 2 || cs.bk.note.state != backupSaved || !hasText(cs.bk.box, T("backup.row.saved", savedData(cs.bk.note.saved))) ||
		!hasText(v.outcome, T("connect.granted", map[string]any{"Subject": subject})) {
		t.Fatalf("backups %v, the row %q, outcome %q", h.fake.Backups(), labelsIn(cs.bk.box), labelsIn(v.outcome))
	}

	// A new visit, the grant there already: no change, no backup.
	revisit()
	before = mutations(h.fake)
	cs.grant(0, subject)
	h.idle(t, &cs.sessionRunner, "grant again")
	if mutations(h.fake) != before || len(h.fake.Backups()) != 2 || asked != 1 {
		t.Fatalf("a grant already there: changes %d -> %d, backups %v", before, mutations(h.fake), h.fake.Backups())
	}

	// The revoke on this visit: one backup before it; a second change on
	// the same visit none more.
	cs.revoke(0, subject)
	h.idle(t, &cs.sessionRunner, "revoke")
	cs.grant(0, subject)
	h.idle(t, &cs.sessionRunner, "grant back")
	if len(h.fake.Backups()) != 3 || grants() != 2 || len(cs.subs[0].Services[0].Access) != 1 {
		t.Fatalf("backups %v, grants %d, access %v: %q", h.fake.Backups(), grants(), cs.subs[0].Services[0].Access, labelsIn(v.outcome))
	}

	// A refresh on a new visit: a change, so a backup before it.
	revisit()
	cs.refreshService(0)
	h.idle(t, &cs.sessionRunner, "refresh")
	var tail []string
	for _, c := range h.fake.Calls() {
		if c.Method != "GET" && !strings.HasPrefix(c.Path, "/api-keys") {
			tail = append(tail, c.Method+" "+c.Path)
		}
	}
	if n := len(tail); len(h.fake.Backups()) != 4 || n < 2 || tail[n-2] != "POST /backups" || !strings.HasSuffix(tail[n-1], "/refresh") {
		t.Fatalf("backups %v; the server's changes %v", h.fake.Backups(), tail)
	}
}
