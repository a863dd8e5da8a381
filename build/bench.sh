#!/usr/bin/env bash
# build/bench.sh - `make bench`: remote readiness check speed of
# tunduk-onboard-cli against `ansible -m setup` on the same SSH test hosts.
#
# Usage: build/bench.sh [--runs N] [--hosts N] [--delay MS] [--json FILE] [--stand-in]
#   --runs N    timed runs per case after one warm-up (default 5, env BENCH_RUNS)
#   --hosts N   test hosts for the many-host case (default 20, env BENCH_HOSTS)
#   --delay MS  added to each direction of every host's link by a relay in
#               front of it (default 25: 50 ms round trip, env BENCH_DELAY_MS;
#               0: no relay). The CLI and ansible go through the same relays.
#   --json FILE also write the results as JSON
#   --stand-in  no CLI yet: time `ssh HOST sh -s < assets/probe.sh` instead
#               (OpenSSH client, one connection per host, all hosts in parallel)
# Env: CLI=PATH (default ./bin/tunduk-onboard-cli, built by `make build`),
#      BENCH_NO_FAIL=1 (exit 0 even when a target is missed),
#      BENCH_NICE=N (nice increment for the whole bench, default -10; 0 = off).
#
# Needs root (network namespaces). Builds only the relay
# (build/bench-relay.go: this kernel has no netem). Brings up the hosts with
# build/testhosts.sh, each sshd on its namespace's loopback behind the
# relay, and always takes them down again.
# Cases (median of N runs; each run a fresh SSH connection per host):
#   cli1   CLI check of 1 host            (exit 0 or 1 = checked; 2+ = error)
#   cli20  CLI check of all hosts (--hosts FILE)
#   ans1   ansible -m setup, 1 host
#   ans20  ansible -m setup, all hosts, forks = number of hosts
# Targets: ans1/cli1 >= 20, ans20/cli20 >= 20, cli20/cli1 <= 3.
# Exit: 0 all targets met, 1 a target missed, 2 an error.
# Functions below run through measure/trap: shellcheck cannot see the calls.
# shellcheck disable=SC2317
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
CLI=${CLI:-$ROOT/bin/tunduk-onboard-cli}
RUNS=${BENCH_RUNS:-5}
NHOSTS=${BENCH_HOSTS:-20}
DELAY_MS=${BENCH_DELAY_MS:-25}
JSON_OUT=
STANDIN=0
TARGET_VS_ANSIBLE=20
TARGET_SCALE=3

die() { echo "bench.sh: $*" >&2; exit 2; }

# Run the whole bench (client, test sshds, ansible) at a higher CPU priority
# than other work on a shared machine; BENCH_NICE=0 turns this off.
if [ -z "${BENCH_NICED:-}" ] && [ "${BENCH_NICE:--10}" != 0 ] && [ "$(id -u)" -eq 0 ]; then
  export BENCH_NICED=1
  exec nice -n "${BENCH_NICE:--10}" bash "$0" "$@"
fi

while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS=${2:?}; shift 2 ;;
    --hosts) NHOSTS=${2:?}; shift 2 ;;
    --delay) DELAY_MS=${2:?}; shift 2 ;;
    --json) JSON_OUT=${2:?}; shift 2 ;;
    --stand-in) STANDIN=1; shift ;;
    -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive number"
[[ $NHOSTS =~ ^[1-9][0-9]*$ ]] || die "--hosts must be a positive number"
[[ $DELAY_MS =~ ^[0-9]+$ ]] || die "--delay must be a number of milliseconds"
[ "$(id -u)" -eq 0 ] || die "must run as root (test hosts live in network namespaces)"
unset SSH_AUTH_SOCK   # keys come from --identity only, never an agent
if [ -n "$JSON_OUT" ]; then
  case "$JSON_OUT" in /*) ;; *) JSON_OUT=$PWD/$JSON_OUT ;; esac
fi

# Tools: install what is missing (fast no-op when everything is there).
if ! command -v ansible >/dev/null || ! [ -x /usr/sbin/sshd ] || ! command -v ip >/dev/null; then
  "$ROOT/build/deps.sh" --bench || die "build/deps.sh --bench failed"
fi

if [ "$STANDIN" = 1 ]; then
  PROBE=$ROOT/assets/probe.sh
  SUBJECT="stand-in (ssh + sh -s < probe)"
else
  [ -x "$CLI" ] || die "$CLI not found: run 'make build' first (or --stand-in to time plain ssh)"
  SUBJECT="$CLI"
fi

WORK=$(mktemp -d /tmp/tob-bench.XXXXXX)
HD=$WORK/hosts
RELAY_PID=
if [ "$DELAY_MS" -gt 0 ]; then
  # Before HOME moves: goenv keeps Go's caches where they are.
  (. "$ROOT/build/goenv.sh" && go build -o "$WORK/bench-relay" "$ROOT/build/bench-relay.go") \
    || die "building build/bench-relay.go failed"
fi
export LANG=en_US.UTF-8 LC_ALL=en_US.UTF-8
# Keep every tool away from the caller's dot files.
export HOME=$WORK/home
mkdir -p "$HOME"

cleanup() {
  local rc=$? s
  trap - EXIT INT TERM
  # ansible's ControlPersist masters: ask each to exit (no killing by name).
  for s in "$WORK"/ans/cp*/*; do
    if [ -S "$s" ]; then ssh -o ControlPath="$s" -O exit tob-master >/dev/null 2>&1 || true; fi
  done
  if [ -n "$RELAY_PID" ]; then kill -TERM "$RELAY_PID" 2>/dev/null || true; wait "$RELAY_PID" 2>/dev/null || true; fi
  "$ROOT/build/testhosts.sh" down "$HD" >/dev/null 2>&1 || true
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "bench.sh: bringing up $NHOSTS test hosts"
if [ "$DELAY_MS" -gt 0 ]; then
  TOB_SSHD_LOOPBACK=1 "$ROOT/build/testhosts.sh" up "$NHOSTS" "$HD" || die "test hosts did not come up"
  # One relay process, a listener on each host's address in its namespace.
  specs=()
  for ((i = 0; i < NHOSTS; i++)); do specs+=("tob-h$i,10.213.0.$((10 + i)):22,127.0.0.1:22"); done
  "$WORK/bench-relay" -delay "${DELAY_MS}ms" -ready "$WORK/relay.ready" "${specs[@]}" &
  RELAY_PID=$!
  for _ in $(seq 300); do [ -s "$WORK/relay.ready" ] && break; kill -0 "$RELAY_PID" 2>/dev/null || break; sleep 0.1; done
  [ -s "$WORK/relay.ready" ] || die "the relays did not start"
  LINKS="+$((2 * DELAY_MS)) ms round trip on each host's link (bench-relay, ${DELAY_MS} ms each way)"
else
  "$ROOT/build/testhosts.sh" up "$NHOSTS" "$HD" || die "test hosts did not come up"
  LINKS="direct (bridge, no added delay)"
fi
HOST1=$(head -n1 "$HD/hosts.txt")   # root@10.213.0.10:22
HOST1_NOPORT=${HOST1%:22}

SSH_OPTS=(-i "$HD/id_ed25519" -o IdentitiesOnly=yes -o BatchMode=yes
  -o UserKnownHostsFile="$HD/known_hosts" -o StrictHostKeyChecking=yes
  -o GlobalKnownHostsFile=/dev/null -F /dev/null)

# The report goes to stdout -> /dev/null, not `--output /dev/null`: a CLI that
# writes its output file atomically (temp file + rename) would replace the
# device /dev/null with a regular file. check_devnull catches that.
check_devnull() {
  [ -c /dev/null ] || die "/dev/null is no longer a character device (something renamed a file over it); repair: rm /dev/null && mknod -m 666 /dev/null c 1 3"
}

# --- the subject: the CLI, or the stand-in ---------------------------------
if [ "$STANDIN" = 1 ] && [ ! -f "$PROBE" ]; then
  PROBE=$WORK/probe.sh
  cat > "$PROBE" <<'EOF'
# minimal stand-in probe: a few sections like the real one would print
echo "== os"; cat /etc/os-release 2>/dev/null
echo "== uname"; uname -a
echo "== cpu"; grep -c ^processor /proc/cpuinfo
echo "== mem"; head -n 3 /proc/meminfo
echo "== disk"; df -P / 2>/dev/null
echo "== net"; ip -o addr 2>/dev/null
echo "== listen"; ss -ltn 2>/dev/null
EOF
fi

standin_one() { # user@host:port
  local t=$1 hp=${1%:*} port=${1##*:}
  [ "$hp" = "$t" ] && port=22
  ssh "${SSH_OPTS[@]}" -p "$port" "$hp" 'sh -s' < "$PROBE" > /dev/null
}

cli1() {
  if [ "$STANDIN" = 1 ]; then standin_one "$HOST1"; return; fi
  if [ -n "${CLI_OUT:-}" ]; then
    "$CLI" check --ssh "$HOST1_NOPORT" --identity "$HD/id_ed25519" \
      --known-hosts "$HD/known_hosts" --format json --output "$CLI_OUT"
  else
    "$CLI" check --ssh "$HOST1_NOPORT" --identity "$HD/id_ed25519" \
      --known-hosts "$HD/known_hosts" --format json > /dev/null
  fi
}

cli_all() {
  if [ "$STANDIN" = 1 ]; then
    local h pids=() rc=0 p
    while IFS= read -r h; do
      [ -n "$h" ] || continue
      standin_one "$h" & pids+=($!)
    done < "$HD/hosts.txt"
    for p in "${pids[@]}"; do wait "$p" || rc=$?; done
    return "$rc"
  fi
  "$CLI" check --hosts "$HD/hosts.txt" --identity "$HD/id_ed25519" \
    --known-hosts "$HD/known_hosts" --format json > /dev/null
}

# --- the peer: ansible -m setup ---------------------------------------------
mkdir -p "$WORK/ans/home" "$WORK/ans/rtmp" "$WORK/ans/ltmp"
: > "$WORK/ans/ansible.cfg"
export ANSIBLE_CONFIG=$WORK/ans/ansible.cfg
export ANSIBLE_HOME=$WORK/ans/home
export ANSIBLE_REMOTE_TEMP=$WORK/ans/rtmp
export ANSIBLE_LOCAL_TEMP=$WORK/ans/ltmp
export ANSIBLE_HOST_KEY_CHECKING=True
export ANSIBLE_NOCOLOR=1
export ANSIBLE_RETRY_FILES_ENABLED=False
# ansible's own default ssh_args (-C, ControlMaster=auto, ControlPersist=60s)
# plus the test known_hosts: the peer keeps its connection reuse within a run.
export ANSIBLE_SSH_ARGS="-C -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=$HD/known_hosts -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -o GlobalKnownHostsFile=/dev/null"
ANS_RUN=0

ansible_run() { # pattern forks
  # A fresh ControlPath dir per run: no run reuses an earlier run's connection.
  ANS_RUN=$((ANS_RUN + 1))
  local cp=$WORK/ans/cp$ANS_RUN rc=0 s
  mkdir -p "$cp"
  ANSIBLE_SSH_CONTROL_PATH_DIR=$cp ansible "$1" -i "$HD/inventory.ini" -m setup -f "$2" \
    > "$WORK/ans/last.out" 2>&1 || rc=$?
  echo "$cp" > "$WORK/ans/last.cp"
  return "$rc"
}
ans1() { ansible_run tob-h0 5; }
ans_all() { ansible_run tob "$NHOSTS"; }
close_masters() {
  local s
  for s in "$(cat "$WORK/ans/last.cp" 2>/dev/null)"/*; do
    if [ -S "$s" ]; then ssh -o ControlPath="$s" -O exit tob-master >/dev/null 2>&1 || true; fi
  done
}

# --- timing -----------------------------------------------------------------
# Exit codes that count as "it ran": CLI 0/1 (1 = a check failed, which the
# test hosts, not being X-Road servers, may well do); ansible and ssh only 0.
declare -A MED MIN MAX ALL
now_ns() { date +%s%N; }

once() { # name okcodes command... : one timed run, appends ms to ALL[name]
  local name=$1 ok=$2 rc=0 t0 t1
  shift 2
  t0=$(now_ns)
  "$@" || rc=$?
  t1=$(now_ns)
  case "$name" in ans*) close_masters ;; esac
  if [[ " $ok " != *" $rc "* ]]; then
    echo "bench.sh: $name: exit code $rc" >&2
    case "$name" in ans*) tail -n 20 "$WORK/ans/last.out" >&2 ;; esac
    return 2
  fi
  LAST_MS=$(((t1 - t0) / 1000000))
}

summarize() { # name
  local name=$1 sorted n
  mapfile -t sorted < <(tr ' ' '\n' <<< "${ALL[$name]}" | grep . | sort -n)
  n=${#sorted[@]}
  if ((n % 2)); then MED[$name]=${sorted[n / 2]}
  else MED[$name]=$(((sorted[n / 2 - 1] + sorted[n / 2]) / 2)); fi
  MIN[$name]=${sorted[0]}
  MAX[$name]=${sorted[n - 1]}
  printf 'bench.sh: %-6s runs(ms): %s\n' "$name" "${ALL[$name]}"
}

if [ "$STANDIN" = 1 ]; then CLI_OK="0"; else CLI_OK="0 1"; fi

# Sanity: the subject must really check one host and produce JSON.
if [ "$STANDIN" = 0 ]; then
  rc=0
  CLI_OUT=$WORK/cli1.json cli1 2> "$WORK/cli1.err" || rc=$?
  if [ "$rc" -ge 2 ]; then
    cat "$WORK/cli1.err" >&2
    die "CLI check of $HOST1_NOPORT failed with exit code $rc"
  fi
  if ! python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$WORK/cli1.json" 2>/dev/null; then
    echo "bench.sh: warning: CLI output for 1 host is not valid JSON" >&2
  fi
  echo "bench.sh: CLI sanity check of $HOST1_NOPORT: exit $rc, $(wc -c < "$WORK/cli1.json") bytes of JSON"
fi

# Rounds: one warm-up, then RUNS timed rounds; each round runs all four cases,
# so load from elsewhere on the machine hits every case alike.
echo "bench.sh: 1 warm-up + $RUNS timed rounds of 4 cases; subject: $SUBJECT"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for ((round = 0; round <= RUNS; round++)); do
  once cli1 "$CLI_OK" cli1 || die "CLI (1 host) errored"
  [ "$round" -gt 0 ] && ALL[cli1]+=" $LAST_MS"
  once cli20 "$CLI_OK" cli_all || die "CLI ($NHOSTS hosts) errored"
  [ "$round" -gt 0 ] && ALL[cli20]+=" $LAST_MS"
  once ans1 "0" ans1 || die "ansible (1 host) errored"
  [ "$round" -gt 0 ] && ALL[ans1]+=" $LAST_MS"
  once ans20 "0" ans_all || die "ansible ($NHOSTS hosts) errored"
  [ "$round" -gt 0 ] && ALL[ans20]+=" $LAST_MS"
  check_devnull
  if [ "$round" -eq 0 ]; then echo "bench.sh: warm-up done"; else echo "bench.sh: round $round/$RUNS done"; fi
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
check_devnull
for c in cli1 cli20 ans1 ans20; do summarize "$c"; done

# --- report -----------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) b = 1; printf "%.1f", a / b }'; }
verdict() { # value op target
  awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN { ok = (op == ">=") ? (v >= t) : (v <= t); print ok ? "PASS" : "FAIL" }'
}
R1=$(ratio "${MED[ans1]}" "${MED[cli1]}")
R20=$(ratio "${MED[ans20]}" "${MED[cli20]}")
RS=$(ratio "${MED[cli20]}" "${MED[cli1]}")
V1=$(verdict "$R1" ">=" "$TARGET_VS_ANSIBLE")
V20=$(verdict "$R20" ">=" "$TARGET_VS_ANSIBLE")
VS=$(verdict "$RS" "<=" "$TARGET_SCALE")

echo
echo "Remote readiness check: tunduk-onboard-cli vs ansible -m setup"
echo "subject: $SUBJECT"
echo "ansible: $(ansible --version 2>/dev/null | head -n1), forks=$NHOSTS for $NHOSTS hosts"
echo "links: $LINKS"
echo "machine: $(nproc) cores, $(uname -r), nice $(nice); load avg $LOAD_BEFORE before, $LOAD_AFTER after"
echo "$RUNS runs per case after 1 warm-up, cases interleaved; times in ms"
echo
printf '%-28s %9s %9s %9s\n' "case" "median" "min" "max"
printf '%-28s %9s %9s %9s\n' "----" "------" "---" "---"
printf '%-28s %9d %9d %9d\n' "cli, 1 host" "${MED[cli1]}" "${MIN[cli1]}" "${MAX[cli1]}"
printf '%-28s %9d %9d %9d\n' "cli, $NHOSTS hosts" "${MED[cli20]}" "${MIN[cli20]}" "${MAX[cli20]}"
printf '%-28s %9d %9d %9d\n' "ansible -m setup, 1 host" "${MED[ans1]}" "${MIN[ans1]}" "${MAX[ans1]}"
printf '%-28s %9d %9d %9d\n' "ansible -m setup, $NHOSTS hosts" "${MED[ans20]}" "${MIN[ans20]}" "${MAX[ans20]}"
echo
printf '%-28s %9s %9s %6s\n' "ratio (of medians)" "value" "target" "result"
printf '%-28s %9s %9s %6s\n' "-----" "-----" "------" "------"
printf '%-28s %8sx %8s %6s\n' "ansible/cli, 1 host" "$R1" ">=${TARGET_VS_ANSIBLE}x" "$V1"
printf '%-28s %8sx %8s %6s\n' "ansible/cli, $NHOSTS hosts" "$R20" ">=${TARGET_VS_ANSIBLE}x" "$V20"
printf '%-28s %8sx %8s %6s\n' "cli $NHOSTS hosts / cli 1 host" "$RS" "<=${TARGET_SCALE}x" "$VS"

if [ -n "$JSON_OUT" ]; then
  cat > "$JSON_OUT" <<EOF
{
  "subject": "$( [ "$STANDIN" = 1 ] && echo stand-in || echo cli )",
  "hosts": $NHOSTS,
  "delay_ms_each_way": $DELAY_MS,
  "runs": $RUNS,
  "median_ms": {"cli1": ${MED[cli1]}, "cli_all": ${MED[cli20]}, "ansible1": ${MED[ans1]}, "ansible_all": ${MED[ans20]}},
  "min_ms": {"cli1": ${MIN[cli1]}, "cli_all": ${MIN[cli20]}, "ansible1": ${MIN[ans1]}, "ansible_all": ${MIN[ans20]}},
  "ratios": {"ansible_cli_1": $R1, "ansible_cli_all": $R20, "cli_all_cli_1": $RS},
  "pass": {"ansible_cli_1": $([ "$V1" = PASS ] && echo true || echo false), "ansible_cli_all": $([ "$V20" = PASS ] && echo true || echo false), "cli_scale": $([ "$VS" = PASS ] && echo true || echo false)}
}
EOF
fi

if [ "$V1$V20$VS" = PASSPASSPASS ]; then
  echo; echo "bench: all targets met"
  exit 0
fi
echo; echo "bench: target missed"
[ "${BENCH_NO_FAIL:-0}" = 1 ] && exit 0
exit 1
