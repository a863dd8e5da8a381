package ansible

// The run lock for an Ansible run: install holds installer.DefaultRunLock
// for as long as it drives a server (installer/runner_lock.go), so that
// two drivers never apply the plan at once. Ansible's tasks are separate
// SSH sessions, so no one of them can hold an flock for the run: a
// transient service does (HoldUnit), started by the play's first task and
// stopped by its last, which runs whatever happened between (always).
// install, started meanwhile, is refused with the holder's own words;
// the holder is refused by an install that drives the server now.
//
// A run that loses a server (its SSH cut and the host given up as
// unreachable, or ansible-playbook killed) never runs that last task
// there. So the service holds the lock only on a lease: the file
// LeaseFile, touched by the hold and by every step's Check and Apply
// (an Apply, which may outlive its run as an async job, all the while it
// runs). A lease left untouched for tunduk_lock_idle_seconds lets the
// lock go by itself; lockHold bounds the hold whatever happens. The next
// run that finds an earlier Ansible run's holder waits for it (a step of
// the lost run may still run there: applying it again beside it would
// race), then its Checks decide as always, so what the lost run finished
// is not applied again. An install's lock (our CLI) is refused at once,
// as before. The install play is strategy free (play.go): in lockstep a
// server would idle through another's long step and its hold lapse.

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

// LeaseFile is the run's lease: the holder lets go once it is older than
// the idle bound.
const LeaseFile = installer.DefaultRunLock + ".lease"

// IdleVar is the variable of the idle bound, in seconds; DefaultIdle its
// default: longer than any gap between two step tasks on one host (an
// upload of one package, a slow controller with many forks).
const (
	IdleVar     = "tunduk_lock_idle_seconds"
	DefaultIdle = 600
)

// lockHold bounds the hold: the role's long steps' own bound, twice.
var lockHold = 2 * time.Duration(asyncSeconds) * time.Second

const (
	// minIdle is the least idle bound the hold accepts: a few of the
	// Apply's touches (touchEvery) and of the holder's looks (holderPoll).
	minIdle = 10
	// touchEvery is how often a running Apply touches the lease.
	touchEvery = 3
	// holderPoll is how often the holder looks at the lease.
	holderPoll = 2
	// waitMargin: a holder whose lease is older than its idle bound and
	// this is stuck (or of an export before leases): the wait ends.
	waitMargin = 30
)

// Task names of the lock.
const (
	taskLock    = "Hold the install's run lock for this run (a cut run's hold is waited for)"
	taskUnit    = "Name the run lock's holder"
	taskWaited  = "Say whom the run lock was waited for"
	taskUnlock  = "Release the install's run lock"
	taskInstall = "Install, the run lock held"
)

// holderCmd is the holder service's sh script; its arguments are the
// lock, the run's id, its words and the idle bound. It takes the lock or
// exits 75; writes the holder's lines (install's: id, PID, who, since;
// then its idle bound, for a run that waits for it); and holds the lock
// while the lease is younger than the bound, for lockHold at most.
// find -newermt, not date +%s: no % in it (see holdScript). Its
// children never keep the lock (9>&-).
func holderCmd() string {
	return `exec 9>>"$1"; flock -n 9 || exit 75; ` +
		`{ echo "$2"; echo "$$"; echo "$3"; date -u -Iseconds; echo "$4"; } > "$1.who"; n=0; ` +
		`while [ $n -lt ` + strconv.Itoa(int(lockHold.Seconds())) + ` ] && ` +
		`[ -n "$(find "$1.lease" -newermt "-$4 seconds" 2>/dev/null 9>&-)" ]; do sleep ` +
		strconv.Itoa(holderPoll) + ` 9>&-; n=$((n+` + strconv.Itoa(holderPoll) + `)); done`
}

// holdScript takes the lock through a service of its own and prints
// its name last, or says who holds the lock and exits 75 (as install's
// lock script does). The flock decides: a holder that cannot take it
// ends at once. Its argument is the idle bound.
func holdScript() string {
	lock := installer.DefaultRunLock
	who := lock + ".who"
	// The service's command line reaches sh through ExecStart, which
	// expands $ (every $ of it doubled) and may read % as a specifier
	// (none in it).
	inner := strings.ReplaceAll(holderCmd(), "$", "$$")
	busy := `busy() {
  printf 'Another run drives this server: %s, since %s\n' "$(sed -n 3p "$who" 2>/dev/null)" "$(sed -n 4p "$who" 2>/dev/null)"; exit 75
}`
	return `#!/bin/sh
# Written by tunduk-onboard-cli ansible export: the install's run lock,
# held for this Ansible run by a service of its own for as long as the
# run's lease (touched by every step's task) is younger than $1 seconds.
idle="$1"
case "$idle" in ''|*[!0-9]*) idle=0 ;; esac
if [ "$idle" -lt ` + strconv.Itoa(minIdle) + ` ]; then echo "` + IdleVar + ` must be at least ` + strconv.Itoa(minIdle) + ` (seconds)"; exit 1; fi
umask 022; mkdir -p ` + remote.Quote(installer.StateDir) + ` || exit 1
who=` + remote.Quote(who) + `
lease=` + remote.Quote(LeaseFile) + `
` + busy + `
# An earlier Ansible run's holder (a run cut from this server, whose step
# may still run here, or a run still going) lets go by itself: wait for
# it while its lease is kept, as long as its steps may run. Any other
# holder (install) refuses at once, below.
start=$(date +%s); said=
while case "$(sed -n 3p "$who" 2>/dev/null)" in Ansible*) pid="$(sed -n 2p "$who")"; [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null ;; *) false ;; esac; do
  hidle="$(sed -n 5p "$who")"
  case "$hidle" in ''|*[!0-9]*) hidle=0 ;; esac
  now=$(date +%s)
  age=$((now - $(stat -c %Y "$lease" 2>/dev/null || echo 0)))
  if [ "$age" -gt $((hidle + ` + strconv.Itoa(waitMargin) + `)) ] || [ $((now - start)) -gt $((` + strconv.Itoa(asyncSeconds) + ` + hidle + ` + strconv.Itoa(waitMargin) + `)) ]; then busy; fi
  [ -n "$said" ] || { said=1; echo "Waiting for the run lock, held by $(sed -n 3p "$who"), since $(sed -n 4p "$who")"; }
  sleep 1
done
[ -z "$said" ] || echo "Waited $(($(date +%s) - start)) s for the run lock"
if [ "$idle" -ge 120 ]; then after="$(((idle + 59) / 60)) minutes"; else after="$idle seconds"; fi
id="$(date +%s)-$$"
unit="` + HoldUnit + `-$id"
touch "$lease" || exit 1
systemd-run --quiet --unit="$unit" --collect sh -c ` + remote.Quote(inner) + ` sh ` + remote.Quote(lock) +
		` "$id" "Ansible (lets go $after after the last step's activity, or sooner: systemctl stop $unit)" "$idle" || exit 1
i=0
while [ $i -lt 100 ]; do
  if [ "$(sed -n 1p "$who" 2>/dev/null)" = "$id" ]; then echo "LOCKED $unit"; exit 0; fi
  systemctl is-active --quiet "$unit" || break
  sleep 0.1; i=$((i+1))
done
systemctl stop "$unit" 2>/dev/null
busy
`
}

// touchLease is a Check's first line: the run is active on the host.
func touchLease() string { return "touch " + remote.Quote(LeaseFile) + " 2>/dev/null\n" }

// applyLead comes before an Apply: the lease touched, the Apply refused
// when this run's holder has let go (the run was idle too long: another
// run may drive the server now), and the lease kept while the Apply
// runs, by a toucher in the background that ends within touchEvery of
// the task's shell (or after the long steps' bound): an async Apply
// outlives a run that lost the host, and the lock must stay held until
// it ends. The toucher's output goes nowhere, so the task never waits
// for it.
func applyLead() string {
	lease := remote.Quote(LeaseFile)
	every := strconv.Itoa(touchEvery)
	return touchLease() +
		"systemctl is-active --quiet {{ tunduk_lock_unit | quote }} ||\n" +
		`  { echo "This run's hold on the run lock has ended (no step for {{ ` + IdleVar + ` }} s): run the play again." >&2; exit 75; }` + "\n" +
		`(n=0; while [ $n -lt ` + strconv.Itoa(asyncSeconds) + ` ] && kill -0 $$ 2>/dev/null; do` + "\n" +
		`  touch ` + lease + `; sleep ` + every + `; n=$((n+` + every + `)); done) </dev/null >/dev/null 2>&1 &` + "\n"
}

// lockedTasks are the install play's tasks: the hold, then the role in
// a block whose always releases it.
func lockedTasks() *yaml.Node {
	return seq(
		m("name", taskLock,
			"ansible.builtin.script", m("cmd", strings.TrimPrefix(HoldScript, "files/")+" {{ "+IdleVar+" | int }}", "executable", "/bin/sh"),
			"register", "tunduk_lock",
			"changed_when", false),
		// The LOCKED line's unit: a wait's line before it names the
		// earlier run's.
		m("name", taskUnit,
			"ansible.builtin.set_fact", m("tunduk_lock_unit", "{{ tunduk_lock.stdout_lines | select('match', 'LOCKED ') | map('regex_replace', '^LOCKED ', '') | first | default('') }}")),
		m("name", taskWaited,
			"ansible.builtin.debug", m("msg", "{{ tunduk_lock.stdout_lines | select('match', 'Wait') | list }}"),
			"when", "'Waited' in tunduk_lock.stdout"),
		m("name", taskInstall,
			"block", seq(m("name", "The install plan", "ansible.builtin.import_role", m("name", RoleName))),
			// A unit gone already (the lease lapsed, or the hold's
			// bound) is no failure.
			"always", seq(m("name", taskUnlock,
				"ansible.builtin.systemd", m("name", "{{ tunduk_lock_unit }}", "state", "stopped"),
				"when", "tunduk_lock_unit | default('') | length > 0",
				"changed_when", false,
				"failed_when", false))),
	)
}
