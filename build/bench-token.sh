#!/usr/bin/env bash
# build/bench-token.sh: the whole token pipeline (initialise + PINs + one
# RSA-2048 signing key + a SHA-256 CSR) with tunduk-onboard-cli against the
# OpenSC route (pkcs11-tool --init-token/--init-pin/--keypairgen, then
# openssl req with the pkcs11 engine), on the same SoftHSM2 module, each
# run on a fresh, empty SoftHSM2 token store. Prints the median of N runs
# of each route and their ratio (target: CLI/OpenSC <= 0.7).
#
# Env: N=runs (default 7), CLI=PATH (default: built into a temp dir),
#      MODULE=PKCS#11 library (default SoftHSM2's).
# Needs: softhsm2, opensc (pkcs11-tool), openssl, libengine-pkcs11-openssl.
# Exit: 0 measured (target met or not: the ratio is printed), 2 could not run.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
N=${N:-7}
MODULE=${MODULE:-/usr/lib/softhsm/libsofthsm2.so}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bench-token.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

die() { echo "bench-token.sh: $*" >&2; exit 2; }
for t in softhsm2-util pkcs11-tool openssl; do
  command -v "$t" >/dev/null || die "$t is not installed"
done
[ -e "$MODULE" ] || die "no PKCS#11 module at $MODULE (apt-get install softhsm2)"
ENGINE=$(find /usr/lib -name pkcs11.so -path '*engines*' 2>/dev/null | head -n1)
[ -n "$ENGINE" ] || die "the OpenSSL pkcs11 engine is missing (apt-get install libengine-pkcs11-openssl)"

if [ -z "${CLI:-}" ]; then
  CLI=$WORK/tunduk-onboard-cli
  (cd "$ROOT" && go build -o "$CLI" ./cmd/tunduk-onboard-cli) || die "go build failed"
fi

SO=so-bench-4711
PIN=user-bench-0815
ORG='Государственное агентство «Бенч»'
export XDG_CONFIG_HOME=$WORK/config # the CLI's logs

# fresh_store points SOFTHSM2_CONF at a new, empty token store.
fresh_store() {
  local d=$WORK/store-$1
  rm -rf "$d" && mkdir -p "$d/tokens"
  printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' "$d/tokens" > "$d/softhsm2.conf"
  export SOFTHSM2_CONF=$d/softhsm2.conf
  mkdir -p "$d/out"
  OUT=$d/out
}

route_cli() {
  printf '%s\n%s\n%s\n' "$SO" "$PIN" "$PIN" |
    "$CLI" token init --module "$MODULE" --label bench --pin-stdin --format json > "$OUT/init.json"
  printf '%s\n' "$PIN" |
    "$CLI" token keygen --module "$MODULE" --token bench --pin-stdin --label "bench sign" --format json > "$OUT/key.json"
  local id
  id=$(sed -n 's/^ *"id": "\([0-9a-f]*\)",*$/\1/p' "$OUT/key.json") # no python: its start-up would dominate
  [ -n "$id" ] || return 1
  printf '%s\n' "$PIN" |
    "$CLI" csr sign --module "$MODULE" --token bench --pin-stdin --id "$id" --member-code 70000001 \
      --org-name "$ORG" --member-class GOV --server-code bench --out "$OUT" --format json > "$OUT/csr.json"
  [ -s "$OUT/bench-sign-csr.pem" ]
}

route_opensc() {
  pkcs11-tool --module "$MODULE" --init-token --label bench --so-pin "$SO" > /dev/null 2>&1
  pkcs11-tool --module "$MODULE" --token-label bench --login --login-type so --so-pin "$SO" --init-pin --pin "$PIN" > /dev/null 2>&1
  pkcs11-tool --module "$MODULE" --token-label bench --login --pin "$PIN" \
    --keypairgen --key-type rsa:2048 --id 0a1b2c3d --label "bench sign" > /dev/null 2>&1
  PKCS11_MODULE_PATH=$MODULE openssl req -new -engine pkcs11 -keyform engine \
    -key "pkcs11:token=bench;id=%0a%1b%2c%3d;type=private;pin-value=$PIN" \
    -utf8 -subj "/C=KG/serialNumber=70000001/CN=$ORG" -sha256 -out "$OUT/opensc.pem" > /dev/null 2>&1
  [ -s "$OUT/opensc.pem" ]
}

# time_ms RUNS ROUTE: prints one elapsed time in ms per run.
time_ms() {
  local route=$1 i t0 t1
  for i in $(seq 1 "$N"); do
    fresh_store "$route-$i"
    t0=$(date +%s%N)
    "route_$route" || die "$route route failed on run $i"
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000000 ))
  done
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# Sanity: both routes produce a CSR openssl verifies.
fresh_store check-cli && route_cli || die "CLI route failed"
openssl req -in "$OUT/bench-sign-csr.pem" -noout -verify > /dev/null 2>&1 || die "CLI CSR does not verify"
fresh_store check-opensc && route_opensc || die "OpenSC route failed (see: PKCS11_MODULE_PATH, libengine-pkcs11-openssl)"
openssl req -in "$OUT/opensc.pem" -noout -verify > /dev/null 2>&1 || die "OpenSC CSR does not verify"

# Interleave nothing: each route gets its N runs back to back.
CLI_MS=$(time_ms cli | tee "$WORK/cli.ms" | median)
OSC_MS=$(time_ms opensc | tee "$WORK/opensc.ms" | median)

echo "runs per route:           $N"
echo "tunduk-onboard-cli (ms):  $(tr '\n' ' ' < "$WORK/cli.ms")-> median $CLI_MS"
echo "OpenSC + openssl (ms):    $(tr '\n' ' ' < "$WORK/opensc.ms")-> median $OSC_MS"
rc=0
awk -v a="$CLI_MS" -v b="$OSC_MS" 'BEGIN {
  r = a / b
  printf "ratio CLI/OpenSC:         %.2fx (target <= 0.70x): %s\n", r, (r <= 0.7 ? "met" : "NOT met")
  exit (r <= 0.7 ? 0 : 1)
}' || rc=1

# In-process: our key + CSR pipeline against the bare C_GenerateKeyPair +
# C_Sign it cannot avoid (tokens/bench_test.go), same SoftHSM, same process.
BENCHTIME=${BENCHTIME:-30x}
(cd "$ROOT" && go test -run NONE -bench 'Pipeline|Bare' -benchtime "$BENCHTIME" ./tokens/) > "$WORK/gobench.txt" \
  || die "go test -bench failed: $(tail -5 "$WORK/gobench.txt")"
awk '/^BenchmarkPipeline/ {p = $3} /^BenchmarkBare/ {b = $3} END {
  if (!p || !b) { print "in-process bench: no result"; exit 1 }
  r = p / b
  printf "pipeline (ms/key+CSR):    %.1f\nbare PKCS#11 (ms):        %.1f\n", p / 1e6, b / 1e6
  printf "ratio pipeline/bare:      %.2fx (target < 1.10x): %s\n", r, (r < 1.1 ? "met" : "NOT met")
  exit (r < 1.1 ? 0 : 1)
}' "$WORK/gobench.txt" || rc=1
exit $rc
