# Tunduk Onboard readiness probe. Run as `sh -s` with this script on stdin:
# nothing is uploaded or left on the host, nothing is changed, nothing
# prompts. It prints sections, each opened by a line @@tunduk:NAME@@;
# every section is always printed (empty when unknown), every command is
# bounded and its errors go to /dev/null.
LC_ALL=C
export LC_ALL
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
export PATH
T=
if command -v timeout >/dev/null 2>&1; then T='timeout 3'; fi

sec() { printf '\n@@tunduk:%s@@\n' "$1"; }
# lines MAX FILE: print at most MAX lines of FILE with shell builtins only.
# The probe runs on many hosts at once: every process it does not start
# is time the benchmark and the user save. The client bounds the total.
lines() {
	[ -r "$2" ] || return 0
	n=0
	while [ "$n" -lt "$1" ] && IFS= read -r l; do
		printf '%s\n' "$l"
		n=$((n + 1))
	done <"$2"
}
has() { command -v "$1" >/dev/null 2>&1; }

# files PATTERN...: each readable file as @@tunduk:file:PATH@@ and its first
# 64 KiB; an existing but unreadable file or directory as
# @@tunduk:unreadable:PATH@@. At most 64 files.
files() {
	n=0
	for f in "$@"; do
		if [ -d "$f" ]; then
			if ! [ -r "$f" ] || ! [ -x "$f" ]; then
				printf '@@tunduk:unreadable:%s@@\n' "$f"
			fi
			continue
		fi
		[ -f "$f" ] || continue
		n=$((n + 1))
		[ "$n" -le 64 ] || break
		if [ -r "$f" ]; then
			printf '@@tunduk:file:%s@@\n' "$f"
			head -c 65536 "$f" 2>/dev/null
			echo
		else
			printf '@@tunduk:unreadable:%s@@\n' "$f"
		fi
	done
}

# pv FILE...: "PATH:VALUE" for the first line of each readable file (as
# grep -H . would print it), builtins only; sysfs files that fail to read
# (a speed of a link that is down) are left out.
pv() {
	n=0
	for f in "$@"; do
		n=$((n + 1))
		[ "$n" -le 2048 ] || break
		v=
		{ IFS= read -r v || [ -n "$v" ]; } <"$f" 2>/dev/null && [ -n "$v" ] && printf '%s:%s\n' "$f" "$v"
	done
	return 0
}

sec hostname
if [ -r /proc/sys/kernel/hostname ]; then lines 1 /proc/sys/kernel/hostname; else uname -n 2>/dev/null; fi
sec uname-m
# Linux 6.1+ tells the machine type in /proc: no process needed there.
if [ -r /proc/sys/kernel/arch ]; then lines 1 /proc/sys/kernel/arch; else uname -m 2>/dev/null; fi
sec os-release
# Neither file readable: each one that exists is told unreadable, so the
# report says "permission denied", not "missing".
if [ -r /etc/os-release ]; then
	lines 256 /etc/os-release
elif [ -r /usr/lib/os-release ]; then
	lines 256 /usr/lib/os-release
else
	for f in /etc/os-release /usr/lib/os-release; do
		if [ -e "$f" ]; then printf '@@tunduk:unreadable:%s@@\n' "$f"; fi
	done
fi
sec cpuinfo
# Every "processor" line (to count them), the first model and flags line.
if has awk; then
	awk 'NR > 100000 { exit }
	/^processor[ \t]*:/ { print substr($0, 1, 64); next }
	!m && /^model name[ \t]*:/ { print substr($0, 1, 512); m = 1; next }
	!o && /^(Processor|Hardware|cpu model|uarch)[ \t]*:/ { print substr($0, 1, 512); o = 1; next }
	!f && /^(flags|Features)[ \t]*:/ { print substr($0, 1, 16384); f = 1 }' /proc/cpuinfo 2>/dev/null
else
	grep -E '^(processor|model name|flags|Features|Processor|Hardware)[[:space:]]*:' /proc/cpuinfo 2>/dev/null | head -n 8192 | head -c 262144
fi
sec meminfo
lines 1 /proc/meminfo
sec route
lines 1024 /proc/net/route
sec ip-addr
ip -o addr show 2>/dev/null
sec speed
# PATH:VALUE lines; interfaces whose driver has no speed are left out.
pv /sys/class/net/*/speed
sec netplan
# All three directories netplan reads: the parser applies its shadowing.
files /lib/netplan/*.yaml /etc/netplan/*.yaml /run/netplan/*.yaml
sec nm
files /etc/NetworkManager/system-connections /etc/NetworkManager/system-connections/*.nmconnection \
	/run/NetworkManager/system-connections/*.nmconnection
sec ifupdown
files /etc/network/interfaces /etc/network/interfaces.d/*
sec df
# No timeout: df given paths stats only those, so a hung NFS mount
# elsewhere cannot stall it.
out=$(df -P -B1 / /var/lib 2>/dev/null)
[ -n "$out" ] || out=$(df -Pk / /var/lib 2>/dev/null)
printf '%s\n' "$out"
sec listen
if has ss; then
	echo 'tool: ss'
	out=$(ss -Htulnp 2>/dev/null)
	[ -n "$out" ] || out=$(ss -tulnp 2>/dev/null)
	printf '%s\n' "$out"
elif has netstat; then
	echo 'tool: netstat'
	out=$(netstat -tulnpW 2>/dev/null)
	[ -n "$out" ] || out=$(netstat -tulnp 2>/dev/null)
	printf '%s\n' "$out"
else
	echo 'tool: none'
fi
sec locale
if has locale; then locale -a 2>/dev/null; fi
sec timesync
# The timesyncd flag file first: when it is there, no process is needed.
if [ -e /run/systemd/timesync/synchronized ]; then sf=yes; else sf=no; fi
printf 'synchronized-file: %s\n' "$sf"
td=
# timedatectl asks systemd over the system bus: without the bus it can only fail.
if [ "$sf" = no ] && [ -S /run/dbus/system_bus_socket ] && has timedatectl; then
	td=$($T timedatectl show -p NTPSynchronized --value 2>/dev/null)
fi
printf 'timedatectl: %s\n' "$td"
if [ "$td" != yes ] && [ "$td" != no ] && [ "$sf" = no ] && has chronyc; then
	$T chronyc -n tracking 2>/dev/null | head -n 32 | sed 's/^/chronyc: /'
fi
sec usb
# PATH:VALUE lines of each device's idVendor, idProduct, bDeviceClass, product.
if [ -d /sys/bus/usb/devices ]; then
	pv /sys/bus/usb/devices/*/idVendor /sys/bus/usb/devices/*/idProduct \
		/sys/bus/usb/devices/*/bDeviceClass /sys/bus/usb/devices/*/product
fi
sec pcscd
# A process named pcscd, read from /proc with builtins (pidof would be
# one more process and reads the same files).
st=
for f in /proc/[0-9]*/comm; do
	c=
	read -r c <"$f" 2>/dev/null || continue
	st=stopped
	if [ "$c" = pcscd ]; then st=running; break; fi
done
echo "$st"
sec sudo
idout=$(id 2>/dev/null)
printf 'id=%s\n' "$idout"
case "$idout" in
uid=0\(*) echo 'sudo_n=root' ;; # root needs no sudo: spare its process
*)
	if has sudo; then
		$T sudo -n true </dev/null >/dev/null 2>&1
		printf 'sudo_n=%s\n' "$?"
	else
		echo 'sudo_n=absent'
	fi
	;;
esac
sec end
exit 0
