package ansible

// The run lock for an Ansible run: install holds installer.DefaultRunLock
// for as long as it drives a server (installer/runner_lock.go), so that
// two drivers never apply the plan at once. Ansible's tasks are separate
// SSH sessions, so no one of them can hold an flock for the run: a
// transient service does (HoldUnit), started by the play's first task and
// stopped by its last, which runs whatever happened between (always).
// install, started meanwhile, is refused with the holder's own words;
// the holder is refused by an install that drives the server now. A run
// killed before its end leaves the service holding the lock for at most
// lockHold; the holder's words say how to end it sooner.

import (
	"strconv"
	"strings"
	"time"

	"github.com/tunduk-onboard/tunduk-onboard/installer"
	"github.com/tunduk-onboard/tunduk-onboard/remote"
	yaml "go.yaml.in/yaml/v3"
)

// HoldUnit is the transient service that holds the run lock, and
// HoldScript the project's script that starts it.
const (
	HoldUnit   = "tunduk-onboard-ansible-lock"
	HoldScript = "files/hold-run-lock.sh"
)

// lockHold bounds the hold: the role's long steps' own bound, twice.
var lockHold = 2 * time.Duration(asyncSeconds) * time.Second

// Task names of the lock.
const (
	TaskLock    = "Hold the install's run lock for this run"
	TaskUnlock  = "Release the install's run lock"
	taskInstall = "Install, the run lock held"
)

// holdScript takes the lock through HoldUnit and says LOCKED, or says
// who holds it and exits 75 (as install's lock script does).
func holdScript() string {
	lock := installer.DefaultRunLock
	who := lock + ".who"
	holder := "Ansible (stop it: systemctl stop " + HoldUnit + ")"
	// The service's command line reaches sh through ExecStart, which
	// expands $ (every $ of it doubled) and may read % as a specifier
	// (none in it). The holder's lines are install's: id, PID, who, since.
	inner := strings.ReplaceAll(`exec 9>>"$1"; flock -n 9 || exit 75; `+
		`{ echo "$2"; echo "$$"; echo "$3"; date -u -Iseconds; } > "$1.who"; exec sleep `+
		strconv.Itoa(int(lockHold.Seconds())), "$", "$$")
	busy := `printf 'Another run drives this server: %s, since %s\n' "$(sed -n 3p ` + remote.Quote(who) + ` 2>/dev/null)" "$(sed -n 4p ` +
		remote.Quote(who) + ` 2>/dev/null)"; exit 75`
	return `#!/bin/sh
# Written by tunduk-onboard-cli ansible export: the install's run lock,
# held by the service ` + HoldUnit + ` for this Ansible run.
umask 022; mkdir -p ` + remote.Quote(installer.StateDir) + ` || exit 1
if systemctl is-active --quiet ` + HoldUnit + `; then ` + busy + `; fi
id="ansible-$(date +%s)-$$"
systemctl reset-failed ` + HoldUnit + ` 2>/dev/null
systemd-run --quiet --unit=` + HoldUnit + ` --collect sh -c ` + remote.Quote(inner) + ` sh ` + remote.Quote(lock) + ` "$id" ` + remote.Quote(holder) + ` || exit 1
i=0
while [ $i -lt 100 ]; do
  if [ "$(sed -n 1p ` + remote.Quote(who) + ` 2>/dev/null)" = "$id" ]; then echo LOCKED; exit 0; fi
  systemctl is-active --quiet ` + HoldUnit + ` || break
  sleep 0.1; i=$((i+1))
done
` + busy + "\n"
}

// lockedTasks are the install play's tasks: the hold, then the role in
// a block whose always releases it.
func lockedTasks() *yaml.Node {
	return seq(
		m("name", TaskLock,
			"ansible.builtin.script", m("cmd", strings.TrimPrefix(HoldScript, "files/"), "executable", "/bin/sh"),
			"changed_when", false),
		m("name", taskInstall,
			"block", seq(m("name", "The install plan", "ansible.builtin.import_role", m("name", RoleName))),
			// A unit gone already (a run killed, then the hold's bound)
			// is no failure.
			"always", seq(m("name", TaskUnlock,
				"ansible.builtin.systemd", m("name", HoldUnit, "state", "stopped"),
				"changed_when", false,
				"failed_when", false))),
	)
}
