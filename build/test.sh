#!/usr/bin/env bash
# Runs the Go test suite the way CI does: a throwaway HOME (Fyne and
# go-keyring write there), a private D-Bus session (Fyne starts one
# otherwise and leaves it running), the Fyne headless test driver.
set -euo pipefail
cd "$(dirname "$0")/.."
# The go that go.mod asks for (build/go.sh: found, or brought), first on PATH.
godir=$(build/go.sh --dir)
export PATH="$godir:$PATH"
# Keep Go's caches where they are before HOME moves, or every run is cold.
export GOCACHE="${GOCACHE:-$(go env GOCACHE)}" GOMODCACHE="${GOMODCACHE:-$(go env GOMODCACHE)}"
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
export HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_CACHE_HOME="$home/.cache"
export LANG=en_US.UTF-8
dbus-run-session -- go test -tags migrated_fynedo,ci -count=1 -timeout 20m "$@" ./...
# Once more under the race detector: the packages whose work runs in the
# background (the submission outbox, admin API sessions and their
# polling). The wizard's are left out: a race build of Fyne costs minutes.
dbus-run-session -- go test -race -tags migrated_fynedo,ci -count=1 -timeout 20m "$@" \
	./enroll/... ./xroad/...
