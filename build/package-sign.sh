#!/usr/bin/env bash
# build/package-sign.sh FILE.exe - Authenticode-sign FILE.exe in place with
# osslsigncode, from the key the environment names (never one in the repo):
#   SIGN_PKCS12=file.p12                  a PKCS#12 with certificate and key, or
#   SIGN_CERT=cert.pem SIGN_KEY=key.pem   a certificate chain and its key
#   SIGN_PASS_FILE=file                   the key's password, when it has one
#   SIGN_TIMESTAMP_URL=url                an RFC 3161 TSA (optional; needs network)
# The password is read from the file by osslsigncode (-readpass), so it is
# never on a command line.
set -euo pipefail
[ $# -eq 1 ] || { sed -n '2p' "$0" >&2; exit 2; }
exe=$1
args=(sign -h sha256 -n "Tunduk Onboard" -i https://github.com/tunduk-onboard/tunduk-onboard)
if [ -n "${SIGN_PKCS12:-}" ]; then
	args+=(-pkcs12 "$SIGN_PKCS12")
elif [ -n "${SIGN_CERT:-}" ] && [ -n "${SIGN_KEY:-}" ]; then
	args+=(-certs "$SIGN_CERT" -key "$SIGN_KEY")
else
	echo "package-sign.sh: set SIGN_PKCS12, or SIGN_CERT and SIGN_KEY" >&2
	exit 2
fi
[ -z "${SIGN_PASS_FILE:-}" ] || args+=(-readpass "$SIGN_PASS_FILE")
[ -z "${SIGN_TIMESTAMP_URL:-}" ] || args+=(-ts "$SIGN_TIMESTAMP_URL")

# osslsigncode will not overwrite: sign into a fresh folder, then replace.
tmp=$(mktemp -d "$(dirname "$exe")/.sign.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
osslsigncode "${args[@]}" -in "$exe" -out "$tmp/signed.exe" >/dev/null
chmod 0755 "$tmp/signed.exe"
mv "$tmp/signed.exe" "$exe"
echo "package-sign.sh: signed $(basename "$exe")"
