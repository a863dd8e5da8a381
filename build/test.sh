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
# 45 min per package: the wizard's tests install onto a booted host, and on a
# loaded two-core CI machine (both lanes of build/test-all.sh at once) that
# alone has taken over 10 minutes, and the CLI's package 26.
# The CLI's booted-host installs stay in line in its package: run as test
# binaries of their own beside the suite they overloaded two cores (load
# 40; the three-host Ansible install passed 30 minutes).
# RACE=no runs the suite only, RACE=only the race run only (build/test-all.sh
# runs them in its two lanes); unset, both.
if [ "${RACE:-}" != only ]; then
	dbus-run-session -- go test -tags "$TAGS" -count=1 -timeout 45m "$@" ./...
fi
# Once more under the race detector: the packages whose work runs in the
# background (the submission outbox, admin API sessions and their
# polling). The wizard's are left out: a race build of Fyne costs minutes.
if [ "${RACE:-}" != no ]; then
	dbus-run-session -- go test -race -tags "$TAGS" -count=1 -timeout 20m "$@" \
		./enroll/... ./xroad/...
fi
