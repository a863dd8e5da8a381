#!/bin/sh
# Screenshots of the wizard for the README, from the real app under Xvfb:
# docs/screenshot-STEP.png (and -ru/-ky with LANGS="en ru ky").
# STEP is a step id (welcome organisation server readiness install token
# certificates submit summary) or "all". Readiness shows a real local check;
# token lists one initialised SoftHSM2 token (a throwaway SOFTHSM2_CONF);
# the steps after Organisation show a filled-in organisation; submit and
# summary show two real CSRs and one application sent by e-mail (made by
# build/screenshot-data.go). configure (English only) is the page after a
# real run against a test security server (build/demo: a real sshd and the
# spec-checked admin API fake), driven with xdotool; register (English
# only, after configure) imports the certificate and waits for approval.
#
#   build/screenshot.sh                       # readiness, English
#   LANGS="en ru ky" build/screenshot.sh
#   STEP=token build/screenshot.sh
#   STEP=all build/screenshot.sh              # every step (make screenshots)
#
# Needs: xvfb imagemagick (import), xdotool, dbus-daemon, a Fyne build
# environment when bin/tunduk-onboard is missing; root for configure (the
# test sshd).
set -eu

cd "$(dirname "$0")/.."
ROOT=$(pwd)
. build/goenv.sh
BIN=${BIN:-$ROOT/bin/tunduk-onboard}
DISPLAY_NUM=${DISPLAY_NUM:-99}
WAIT=${WAIT:-12}
LANGS=${LANGS:-en}
STEP=${STEP:-readiness}
ALL_STEPS="welcome organisation server readiness install token certificates configure submit register summary"
[ "$STEP" = all ] && STEP=$ALL_STEPS
SOFTHSM_LIB=${SOFTHSM_LIB:-/usr/lib/softhsm/libsofthsm2.so}

if [ ! -x "$BIN" ]; then
	echo "building $BIN"
	go build -tags migrated_fynedo,no_emoji -o "$BIN" .
fi
mkdir -p docs

WORK=$(mktemp -d)
XPID=""
APID=""
DBUS_PID=""
DEMO_PID=""
cleanup() {
	if [ -n "$APID" ]; then kill "$APID" 2>/dev/null || true; wait "$APID" 2>/dev/null || true; fi
	if [ -n "$DEMO_PID" ]; then touch "$WORK/demo/stop"; wait "$DEMO_PID" 2>/dev/null || true; fi
	[ -n "$DBUS_PID" ] && kill "$DBUS_PID" 2>/dev/null || true
	if [ -n "$XPID" ]; then kill "$XPID" 2>/dev/null || true; wait "$XPID" 2>/dev/null || true; fi
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

Xvfb ":$DISPLAY_NUM" -screen 0 1280x800x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
XPID=$!
for _ in $(seq 50); do
	[ -e "/tmp/.X11-unix/X$DISPLAY_NUM" ] && break
	sleep 0.1
done

# One private session bus for the app (Fyne and the keyring look for one),
# stopped by its PID at the end.
dbus-daemon --session --fork --nopidfile --print-address=3 --print-pid=4 3>"$WORK/bus.addr" 4>"$WORK/bus.pid"
DBUS_PID=$(cat "$WORK/bus.pid")
DBUS_SESSION_BUS_ADDRESS=$(cat "$WORK/bus.addr")
export DBUS_SESSION_BUS_ADDRESS

ORG=',"org_member_class":"GOV","org_member_code":"70000001","org_name":"Министерство цифрового развития","org_server_code":"SS1"'
SOFTHSM_READY=0
SUBMIT_READY=0
ACT=""
EXTRA_ENV=""

# demo_server starts the test security server once and reads where it is.
demo_server() {
	[ -n "$DEMO_PID" ] && return 0
	mkdir -p "$WORK/demo"
	go test -tags demo -c -o "$WORK/demo.test" ./build/demo/
	DEMO_DIR="$WORK/demo" "$WORK/demo.test" -test.run TestDemoServer -test.timeout 20m >"$WORK/demo.log" 2>&1 &
	DEMO_PID=$!
	for _ in $(seq 300); do
		[ -f "$WORK/demo/demo.env" ] && break
		sleep 0.1
	done
	[ -f "$WORK/demo/demo.env" ] || { echo "screenshot.sh: the demo server did not start:" >&2; tail -5 "$WORK/demo.log" >&2; exit 1; }
	. "$WORK/demo/demo.env"
}

# act_configure types the admin password and a new software token PIN and
# presses Initialise, at their places on the 1280x800 English page, then
# waits until the server says it was initialised.
act_configure() {
	x() { DISPLAY=":$DISPLAY_NUM" xdotool "$@"; }
	x mousemove 880 305 click 1 sleep 0.3 type --delay 15 "$DEMO_ADMIN_PASSWORD"
	x mousemove 880 430 click 1 sleep 0.3 type --delay 15 'Tunduk-soft-token-PIN-2026'
	x mousemove 880 492 click 1 sleep 0.3 type --delay 15 'Tunduk-soft-token-PIN-2026'
	x mousemove 420 702 sleep 0.3 click 1
	for _ in $(seq 200); do
		[ -f "$WORK/demo/initialised" ] && { sleep 2; return 0; }
		sleep 0.1
	done
	echo "screenshot.sh: Initialise did not reach the server; the Configure page's layout changed? Update act_configure." >&2
	exit 1
}

# act_register types the admin password (a new run of the wizard holds
# none), imports the certificate the test CA issued for the CSR made on
# Configure, and sends the registration; the shot shows the wait for the
# central server's approval.
act_register() {
	x() { DISPLAY=":$DISPLAY_NUM" xdotool "$@"; }
	if [ ! -f "$WORK/demo/initialised" ]; then
		echo "screenshot.sh: register needs configure first: STEP=\"configure register\"" >&2
		exit 1
	fi
	x mousemove 880 217 click 1 sleep 0.3 type --delay 15 "$DEMO_ADMIN_PASSWORD"
	x mousemove 360 405 sleep 0.3 click 1 sleep 4
	x mousemove 460 405 sleep 0.3 click 1
	for _ in $(seq 200); do
		[ -f "$WORK/demo/registration-sent" ] && { sleep 2; return 0; }
		sleep 0.1
	done
	echo "screenshot.sh: the registration did not reach the server; the Register page's layout changed? Update act_register." >&2
	exit 1
}

# shot STEP: one screenshot per language of STEP.
shot() {
	S=$1
	AUTOCHECK=0
	PREFS_EXTRA=$ORG
	W=${SHORT_WAIT:-5}
	ACT=""
	EXTRA_ENV=""
	unset TUNDUK_ONBOARD_PKCS11_MODULE TUNDUK_ONBOARD_SUBMISSIONS_DIR TUNDUK_ONBOARD_CSR_DIR || true
	case $S in
	welcome | organisation) [ "$S" = welcome ] && PREFS_EXTRA="" ;;
	readiness) AUTOCHECK=1 W=$WAIT ;;
	token | certificates)
		# One initialised token in a private SoftHSM2 store; the app is told
		# the library through TUNDUK_ONBOARD_PKCS11_MODULE.
		if [ "$SOFTHSM_READY" = 0 ]; then
			mkdir -p "$WORK/softhsm/tokens"
			printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n' \
				"$WORK/softhsm/tokens" >"$WORK/softhsm/softhsm2.conf"
			SOFTHSM2_CONF="$WORK/softhsm/softhsm2.conf"
			export SOFTHSM2_CONF
			softhsm2-util --init-token --free --label "SS1-sign" --so-pin 'so-pin-4711' --pin 'user-pin-0815' >/dev/null
			SOFTHSM_READY=1
		fi
		TUNDUK_ONBOARD_PKCS11_MODULE="$SOFTHSM_LIB"
		export TUNDUK_ONBOARD_PKCS11_MODULE
		W=${TOKEN_WAIT:-6}
		;;
	submit | summary)
		# Two CSRs and a store with one sent application, prepared once;
		# the app is pointed at them through TUNDUK_ONBOARD_CSR_DIR and
		# TUNDUK_ONBOARD_SUBMISSIONS_DIR (used by this script only).
		if [ "$SUBMIT_READY" = 0 ]; then
			go run build/screenshot-data.go "$WORK/submit"
			SUBMIT_READY=1
		fi
		TUNDUK_ONBOARD_CSR_DIR="$WORK/submit/csr"
		TUNDUK_ONBOARD_SUBMISSIONS_DIR="$WORK/submit/submissions"
		export TUNDUK_ONBOARD_CSR_DIR TUNDUK_ONBOARD_SUBMISSIONS_DIR
		PREFS_EXTRA="$ORG"',"server_public_ip":"93.184.216.34","submit_via":"email","submit_smtp_from":"it@digital.gov.kg"'
		;;
	configure | register)
		# A real sshd and the admin API fake (build/demo); the app reaches
		# the fake through the SSH tunnel as it would X-Road's.
		demo_server
		PREFS_EXTRA="$ORG"',"server_remote":true,"server_host":"'"$DEMO_HOST"'","server_port":"'"$DEMO_PORT"'","server_user":"'"$DEMO_USER"'","server_auth":"key","server_key_file":"'"$DEMO_KEY"'","server_public_ip":"93.184.216.34","configure_anchor_path":"'"$DEMO_ANCHOR"'","configure_admin_user":"'"$DEMO_ADMIN_USER"'","register_auth_cert":"'"$DEMO_AUTH_CERT"'"'
		EXTRA_ENV="TUNDUK_ONBOARD_ADMIN_API=$DEMO_ADMIN_API TUNDUK_ONBOARD_ADMIN_API_CERT=$DEMO_ADMIN_API_CERT TUNDUK_ONBOARD_PROXY_JAR=$DEMO_PROXY_JAR"
		ACT=act_$S
		;;
	esac
	for L in $LANGS; do
		if [ -n "$ACT" ] && [ "$L" != en ]; then
			echo "screenshot.sh: $S is shot in English only (its clicks know the English layout)"
			continue
		fi
		# A fresh HOME: no saved state, this computer as the server; the
		# language is preset through the preferences file.
		H="$WORK/home-$S-$L"
		mkdir -p "$H/.config/fyne/kg.tunduk.onboard" "$H/.ssh"
		[ -n "${DEMO_KNOWN_HOSTS_LINE:-}" ] && echo "$DEMO_KNOWN_HOSTS_LINE" >"$H/.ssh/known_hosts"
		printf '{"ui_language":"%s"%s}\n' "$L" "$PREFS_EXTRA" >"$H/.config/fyne/kg.tunduk.onboard/preferences.json"
		HOME="$H" XDG_CONFIG_HOME="$H/.config" DISPLAY=":$DISPLAY_NUM" LANG=en_US.UTF-8 \
			LIBGL_ALWAYS_SOFTWARE=1 FYNE_SCALE=1 TUNDUK_ONBOARD_SIZE=1280x800 \
			TUNDUK_ONBOARD_START_STEP="$S" TUNDUK_ONBOARD_AUTOCHECK="$AUTOCHECK" \
			env $EXTRA_ENV "$BIN" >"$WORK/app-$S-$L.log" 2>&1 &
		APID=$!
		sleep "$W"
		[ -z "$ACT" ] || $ACT
		OUT=docs/screenshot-$S.png
		[ "$L" = en ] || OUT=docs/screenshot-$S-$L.png
		DISPLAY=":$DISPLAY_NUM" import -window root "$OUT"
		# An empty screen is one colour: the app did not draw.
		if [ "$(identify -format '%k' "$OUT")" -lt 64 ]; then
			echo "screenshot.sh: $OUT is blank; app log:" >&2
			tail -5 "$WORK/app-$S-$L.log" >&2
			exit 1
		fi
		echo "wrote $OUT"
		kill "$APID" 2>/dev/null || true
		wait "$APID" 2>/dev/null || true
		APID=""
	done
}

for S in $STEP; do
	shot "$S"
done
