#!/usr/bin/env bash
# build/bench-ansible.sh: the exported Ansible project against our runner.
#
# Boots six identical fresh Debian hosts (build/targethost) and installs
# the same plan (stand-in X-Road packages) on three with our runner (three
# `install` processes at once) and then on the other three with the
# exported playbook (ansible-playbook, forks); prints the times and
# playbook/runner. Then Ansible's fact gathering (-m setup) against our
# readiness module (-m tunduk_readiness) on the same hosts, the median of
# five each. Neither has a target: the figures say what handing a fleet to
# Ansible costs. Needs root (namespaces, nspawn); build/deps.sh installs
# the rest. Exit: 0 measured, 2 could not run.
set -euo pipefail
cd "$(dirname "$0")/.."
. build/goenv.sh
out=$(TUNDUK_BENCH_ANSIBLE=1 go test -tags migrated_fynedo,no_emoji,ci -count=1 -timeout 40m -run '^TestBenchAnsible$' -v ./cmd/tunduk-onboard-cli/ 2>&1) && rc=0 || rc=$?
grep -E '^ansible-(install|facts)' <<<"$out" || true
if [ "$rc" -ne 0 ]; then
	# What the test said, without the containers' consoles.
	grep -v '^        ' <<<"$out" | tail -30
	exit 2
fi
