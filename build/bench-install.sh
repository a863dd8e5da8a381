#!/usr/bin/env bash
# build/bench-install.sh: the installer runner against plain SSH.
#
# Boots two identical fresh Debian hosts (build/targethost: systemd-nspawn
# in network namespaces, apt through a relay to the Debian mirror) and, at
# the same time, applies the whole install plan (stand-in X-Road packages)
# on one through the Runner and the very same Apply scripts on the other
# through one plain OpenSSH session; prints the ratio (target <= 1.10). Then cuts the
# connection 2 s into a 6 s detached step and prints how long resuming
# cost beyond the step's own remaining time (target < 2 s).
# Needs root (namespaces, nspawn); build/deps.sh installs the rest.
# Exit: 0 targets met, 1 missed, 2 could not run.
set -euo pipefail
cd "$(dirname "$0")/.."
. build/goenv.sh
out=$(TUNDUK_BENCH_INSTALL=1 go test -count=1 -timeout 30m -run '^TestBenchInstall$' -v ./installer/ 2>&1) && rc=0 || rc=$?
if ! grep -E '^(install|resume)' <<<"$out"; then
  # What the test said, without the containers' consoles.
  grep -v '^        ' <<<"$out" | tail -30
  exit 2
fi
if [ "$rc" -ne 0 ]; then
  grep -q 'target missed' <<<"$out" && exit 1
  grep -v '^        ' <<<"$out" | tail -30
  exit 2
fi
