#!/usr/bin/env bash
# build/goenv.sh - the one environment every Go command here runs in, so
# that what one build compiled the next one reuses.
#
#   . build/goenv.sh          (from a script at the repository root)
#   build/goenv.sh CMD ARGS   run CMD in it (the Makefile's go recipes)
#
# It puts the go that go.mod asks for first on PATH (build/go.sh: found,
# or brought), keeps Go's caches where they are when a script moves HOME,
# and builds with the C flags and -trimpath of the wizard's release build.
#
# Why those flags: `fyne package --release` (fyne.io/tools v1.7.2,
# cmd/fyne/internal/commands/build.go: baseCFLAGSRelease, hardeningCFLAGS,
# hardeningLDFLAGSLinux) compiles cgo with its own CGO_CFLAGS and
# -trimpath, and both are part of a cgo package's cache key. With Go's
# defaults the tests, `make run` and the release each ran cgo over the
# OpenGL bindings on their own, one C compiler process for minutes each on
# a fresh machine. With the release's flags everywhere, the Linux bindings
# are compiled once. build/package.sh clears CGO_CFLAGS and CGO_LDFLAGS
# before it calls fyne, which appends its flags to any already set.
# (-trimpath: runtime.Caller gives module paths, not files; see
# build/srcdir for finding files from a test.)

_goenv_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
_goenv_dir=$("$_goenv_root/build/go.sh" --dir) || { echo "goenv.sh: no go (build/go.sh above)" >&2; return 1 2>/dev/null || exit 1; }
case ":$PATH:" in *":$_goenv_dir:"*) ;; *) PATH="$_goenv_dir:$PATH" ;; esac
export PATH
export GOCACHE="${GOCACHE:-$(go env GOCACHE)}" GOMODCACHE="${GOMODCACHE:-$(go env GOMODCACHE)}"
case " ${GOFLAGS:-} " in *" -trimpath "*) ;; *) GOFLAGS="${GOFLAGS:+$GOFLAGS }-trimpath" ;; esac
export GOFLAGS
export CGO_CFLAGS="-O3 -pipe -D_FORTIFY_SOURCE=3 -fstack-protector-strong"
export CGO_LDFLAGS="-Wl,-z,relro,-z,now -Wl,--as-needed"
unset _goenv_root _goenv_dir

# Executed rather than sourced: run the command given.
if [ "${BASH_SOURCE[0]}" = "$0" ] && [ "$#" -gt 0 ]; then
	exec "$@"
fi
