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

// HoldUnit starts the name of the transient service that holds the run
// lock (a new one each run: a name used again could still be loaded
// while the last run's service goes), and HoldScript is the project's
// script that starts it.
const (
	HoldUnit   = "tunduk-onboard-ansible-lock"
	HoldScript = "files/hold-run-lock.sh"
)

// lockHold bounds the hold: the role's long steps' own bound, twice.
var lockHold = 2 * time.Duration(asyncSeconds) * time.Second

// Task names of the lock.
const (
	taskLock    = "Hold the install's run lock for this run"
	taskUnlock  = "Release the install's run lock"
	taskInstall = "Install, the run lock held"
)

// holdScript takes the lock through a service of its own and prints
// its name last, or says who holds the lock and exits 75 (as install's
// lock script does). The flock decides: a holder that cannot take it
// ends at once.
func holdScript() string {
	lock := installer.DefaultRunLock
	who := lock + ".who"
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
# held for this Ansible run by a service of its own.
umask 022; mkdir -p ` + remote.Quote(installer.StateDir) + ` || exit 1
id="$(date +%s)-$$"
unit="` + HoldUnit + `-$id"
systemd-run --quiet --unit="$unit" --collect sh -c ` + remote.Quote(inner) + ` sh ` + remote.Quote(lock) +
		` "$id" "Ansible (stop it: systemctl stop $unit)" || exit 1
i=0
while [ $i -lt 100 ]; do
  if [ "$(sed -n 1p ` + remote.Quote(who) + ` 2>/dev/null)" = "$id" ]; then echo "LOCKED $unit"; exit 0; fi
  systemctl is-active --quiet "$unit" || break
  sleep 0.1; i=$((i+1))
done
systemctl stop "$unit" 2>/dev/null
` + busy + "\n"
}

// lockedTasks are the install play's tasks: the hold, then the role in
// a block whose always releases it.
func lockedTasks() *yaml.Node {
	return seq(
		m("name", taskLock,
			"ansible.builtin.script", m("cmd", strings.TrimPrefix(HoldScript, "files/"), "executable", "/bin/sh"),
			"register", "tunduk_lock",
			"changed_when", false),
		m("name", taskInstall,
			"block", seq(m("name", "The install plan", "ansible.builtin.import_role", m("name", RoleName))),
			// A unit gone already (a run killed, then the hold's bound)
			// is no failure.
			"always", seq(m("name", taskUnlock,
				"ansible.builtin.systemd", m("name", "{{ tunduk_lock.stdout | regex_search('"+HoldUnit+"-[0-9-]+') }}", "state", "stopped"),
				"when", "tunduk_lock.stdout is defined and '"+HoldUnit+"-' in tunduk_lock.stdout",
				"changed_when", false,
				"failed_when", false))),
	)
}
