#!/usr/bin/env bash
# Runs the Go test suite the way CI does: a throwaway HOME (Fyne and
# go-keyring write there), a private D-Bus session (Fyne starts one
# otherwise and leaves it running), the Fyne headless test driver.
set -euo pipefail
cd "$(dirname "$0")/.."
# go, its caches and flags as every build here has them (build/goenv.sh);
# the caches stay where they are when HOME moves below.
. build/goenv.sh
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_CACHE_HOME="$home/.cache"
export LANG=en_US.UTF-8
# The wizard's tags as it ships (the Makefile's TAGS: no_emoji changes
# Fyne's theme) plus ci, so the tests test what users get and share what
# they compile with `make run`.
TAGS=migrated_fynedo,no_emoji,ci
# 30 min per package: the wizard's tests install onto a booted host, and on a
# loaded two-core CI machine (both lanes of build/test-all.sh at once) that
# alone has taken over 10 minutes.
#
# The CLI's two installs onto booted hosts (one host through our runner,
# three through the exported Ansible project) are most of its package's
# time and mostly wait on the hosts: each runs in a test binary of its own
# beside the rest, instead of one after the other in the CLI's.
apart=(TestInstallEndToEnd TestAnsibleExportInstallsAFleet)
logs=$(mktemp -d)
trap 'rm -rf "$home" "$logs"' EXIT
pids=()
for t in "${apart[@]}"; do
	dbus-run-session -- go test -tags "$TAGS" -count=1 -timeout 30m "$@" -run "^$t\$" \
		./cmd/tunduk-onboard-cli >"$logs/$t" 2>&1 &
	pids+=($!)
done
rc=0
dbus-run-session -- go test -tags "$TAGS" -count=1 -timeout 30m "$@" \
	-skip "^($(IFS='|'; echo "${apart[*]}"))\$" ./... || rc=1
for i in "${!apart[@]}"; do
	wait "${pids[$i]}" || rc=1
	echo "--- ${apart[$i]} (cmd/tunduk-onboard-cli, a test binary of its own):"
	cat "$logs/${apart[$i]}"
done
# Once more under the race detector: the packages whose work runs in the
# background (the submission outbox, admin API sessions and their
# polling). The wizard's are left out: a race build of Fyne costs minutes.
dbus-run-session -- go test -race -tags "$TAGS" -count=1 -timeout 20m "$@" \
	./enroll/... ./xroad/... || rc=1
exit "$rc"
