#!/usr/bin/env bash
# build/testhosts.sh - throwaway SSH test hosts, each an sshd in its own
# network namespace, all on one private bridge. Needs root.
#
# Usage:
#   build/testhosts.sh up N DIR   start N hosts tob-h0..tob-h<N-1> (N <= 200)
#   build/testhosts.sh down [DIR] stop them (sshd by PID), delete namespaces,
#                                 veths and the bridge; safe to run twice
#   build/testhosts.sh status     list the namespaces and their sshd PIDs
#
# Network: bridge tob-br0 = 10.213.0.1/24 on this machine, host i = 10.213.0.(10+i).
# These addresses exist only on the bridge and in the namespaces made here.
#
# DIR after `up` holds:
#   id_ed25519, id_ed25519.pub  client key pair (authorized on every host, as root)
#   known_hosts                 every host's ed25519 key, "10.213.0.x ssh-ed25519 ..."
#   hosts.txt                   one "root@10.213.0.x:22" per line
#   inventory.ini               ansible inventory (group "tob")
#   h<i>/                       per-host sshd_config, host key, sshd.pid, sshd.log
#
# Root's shell startup on these machines is slow (~1.2 s: pyenv init in
# ~/.bashrc, which Debian's bash reads for every sshd command). Each sshd runs
# in a private mount namespace (unshare -m) where root's dot files are
# bind-mounted over by an empty file, so a login costs what it would on a
# plain server. The rest of the filesystem is shared with this machine.
#
# Env for `up`:
#   TOB_SSHD_LOOPBACK=1  each sshd listens on its namespace's 127.0.0.1:22,
#                        leaving the host's own address to a relay in front
#                        of it (build/bench-relay.go: the delayed links of
#                        `make bench`); hosts.txt and the rest name the
#                        host's address as without it
#   TOB_BINDS="SRC=DST ..."  more files bind-mounted over DST in every
#                        host's mount namespace ({i} in SRC: the host's
#                        number), e.g. a stub systemctl; DST must exist
#
# Callers: `trap 'build/testhosts.sh down "$DIR"' EXIT`.
set -euo pipefail

BR=tob-br0
NET=10.213.0
NS_PREFIX=tob-h
SSHD=/usr/sbin/sshd

die() { echo "testhosts.sh: $*" >&2; exit 1; }
usage() { sed -n '2,9p' "$0" >&2; exit 2; }

need_root() { [ "$(id -u)" -eq 0 ] || die "must run as root (network namespaces, bridge)"; }

# Namespaces that belong to this script (tob-h<digits>).
our_namespaces() {
  ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^${NS_PREFIX}[0-9]+\$" || true
}

# Stop every process inside namespace $1 (only sshd and its sessions run there).
kill_ns_pids() {
  local ns=$1 pids
  pids=$(ip netns pids "$ns" 2>/dev/null || true)
  [ -n "$pids" ] || return 0
  # shellcheck disable=SC2086
  kill -TERM $pids 2>/dev/null || true
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [ -n "$pids" ] || return 0
    sleep 0.05
  done
  # shellcheck disable=SC2086
  kill -KILL $pids 2>/dev/null || true
}

cmd_down() {
  need_root
  local dir=${1:-} f pid ns
  # 1. sshd listeners by their PidFile (works even if a namespace is gone).
  if [ -n "$dir" ] && [ -d "$dir" ]; then
    for f in "$dir"/h*/sshd.pid; do
      [ -f "$f" ] || continue
      pid=$(cat "$f" 2>/dev/null || true)
      if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = sshd ]; then
        kill -TERM "$pid" 2>/dev/null || true
      fi
      rm -f "$f"
    done
  fi
  # 2. Anything still inside our namespaces (session sshds), then the
  #    namespaces themselves; deleting one removes its veth pair too.
  for ns in $(our_namespaces); do
    kill_ns_pids "$ns"
    ip netns delete "$ns" 2>/dev/null || true
  done
  # 3. Host-side veths left behind (should be none) and the bridge.
  for f in /sys/class/net/"${NS_PREFIX}"*-v; do
    [ -e "$f" ] || continue
    ip link delete "$(basename "$f")" 2>/dev/null || true
  done
  ip link delete "$BR" 2>/dev/null || true
  return 0
}

wait_port() { # host port timeout_s [namespace]
  local host=$1 port=$2 deadline=$(( $(date +%s) + $3 )) in=()
  [ -n "${4:-}" ] && in=(ip netns exec "$4")
  while :; do
    if "${in[@]}" timeout 1 bash -c "exec 3<>/dev/tcp/$host/$port && head -c 4 <&3 | grep -q SSH-" 2>/dev/null; then
      return 0
    fi
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.05
  done
}

cmd_up() {
  need_root
  [ $# -eq 2 ] || usage
  local n=$1 dir=$2 i ns ip hdir veth
  if ! [[ $n =~ ^[0-9]+$ ]] || [ "$n" -lt 1 ] || [ "$n" -gt 200 ]; then die "N must be 1..200"; fi
  [ -x "$SSHD" ] || die "$SSHD missing (run build/deps.sh)"
  [ -x /usr/lib/openssh/sftp-server ] || die "sftp-server missing (run build/deps.sh)"
  command -v unshare >/dev/null || die "unshare missing (util-linux)"

  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd -P)

  # Leftovers from an earlier run with this DIR: clean them. Leftovers from
  # somewhere else: refuse unless TOB_FORCE=1 (they may be someone's live run).
  if [ -f "$dir/.tob-state" ]; then
    cmd_down "$dir"
  fi
  if [ -n "$(our_namespaces)" ] || ip link show "$BR" >/dev/null 2>&1; then
    if [ "${TOB_FORCE:-0}" = 1 ]; then
      cmd_down "$dir"
    else
      die "test hosts already exist ($BR / ${NS_PREFIX}*): run '$0 down' first, or set TOB_FORCE=1"
    fi
  fi

  mkdir -p /run/sshd
  chmod 0755 /run/sshd

  # Client key pair, authorized keys, an empty file to hide slow dot files.
  rm -f "$dir/id_ed25519" "$dir/id_ed25519.pub"
  ssh-keygen -q -t ed25519 -N '' -C tob-client -f "$dir/id_ed25519"
  cp "$dir/id_ed25519.pub" "$dir/authorized_keys"
  chmod 600 "$dir/id_ed25519" "$dir/authorized_keys"
  : > "$dir/empty-rc"
  : > "$dir/known_hosts"
  : > "$dir/hosts.txt"
  {
    echo "[tob]"
    for ((i = 0; i < n; i++)); do
      echo "${NS_PREFIX}$i ansible_host=$NET.$((10 + i))"
    done
    echo
    echo "[tob:vars]"
    echo "ansible_user=root"
    echo "ansible_port=22"
    echo "ansible_ssh_private_key_file=$dir/id_ed25519"
    echo "ansible_python_interpreter=/usr/bin/python3"
  } > "$dir/inventory.ini"
  echo "$n" > "$dir/.tob-state"
  # A failed `up` leaves nothing behind.
  UP_DIR=$dir UP_OK=0
  trap '[ "$UP_OK" = 1 ] || { echo "testhosts.sh: up failed, cleaning up" >&2; cmd_down "$UP_DIR"; }' EXIT

  # Root's dot files that a non-login or login bash would read, hidden
  # by an empty file; then the caller's binds. Each is SRC=DST.
  local roothome binds=() b loopback=${TOB_SSHD_LOOPBACK:-0} listen
  roothome=$(getent passwd root | cut -d: -f6)
  for f in .bashrc .profile .bash_profile .bash_login .bash_logout; do
    [ -e "$roothome/$f" ] && binds+=("$dir/empty-rc=$roothome/$f")
  done
  for b in ${TOB_BINDS:-}; do
    [[ $b == ?*=/?* ]] || die "TOB_BINDS: want SRC=/DST, got $b"
    binds+=("$b")
  done

  # Bridge.
  ip link add "$BR" type bridge
  ip addr add "$NET.1/24" dev "$BR"
  ip link set "$BR" up

  for ((i = 0; i < n; i++)); do
    ns=${NS_PREFIX}$i
    ip=$NET.$((10 + i))
    veth=${ns}-v
    hdir=$dir/h$i
    listen=$ip
    [ "$loopback" = 1 ] && listen=127.0.0.1
    mkdir -p "$hdir"
    rm -f "$hdir/ssh_host_ed25519_key" "$hdir/ssh_host_ed25519_key.pub"
    ssh-keygen -q -t ed25519 -N '' -C "$ns" -f "$hdir/ssh_host_ed25519_key"
    printf '%s %s\n' "$ip" "$(cut -d' ' -f1,2 "$hdir/ssh_host_ed25519_key.pub")" >> "$dir/known_hosts"
    echo "root@$ip:22" >> "$dir/hosts.txt"
    cat > "$hdir/sshd_config" <<EOF
# test host $ns ($ip), written by build/testhosts.sh
Port 22
ListenAddress $listen
HostKey $hdir/ssh_host_ed25519_key
PidFile $hdir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
StrictModes no
UsePAM no
PermitRootLogin yes
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UseDNS no
PrintMotd no
PrintLastLog no
X11Forwarding no
MaxStartups 200:30:400
MaxSessions 50
AcceptEnv LANG LC_*
Subsystem sftp /usr/lib/openssh/sftp-server
EOF

    ip netns add "$ns"
    ip link add "$veth" type veth peer name eth0 netns "$ns"
    ip link set "$veth" master "$BR"
    ip link set "$veth" up
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add "$ip/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" route add default via "$NET.1"

    # sshd daemonizes; its mount namespace (with the binds) lives on with it.
    # shellcheck disable=SC2016 # $1.. expand in the inner sh
    ip netns exec "$ns" unshare --mount --propagation private \
      sh -c 'log=$1; cfg=$2; shift 2
             for b in "$@"; do mount --bind "${b%%=*}" "${b#*=}" || exit 1; done
             exec /usr/sbin/sshd -f "$cfg" -E "$log"' \
      sh "$hdir/sshd.log" "$hdir/sshd_config" "${binds[@]//\{i\}/$i}" \
      || die "sshd for $ns failed to start: see $hdir/sshd.log"
  done

  for ((i = 0; i < n; i++)); do
    if [ "$loopback" = 1 ]; then
      wait_port 127.0.0.1 22 15 "${NS_PREFIX}$i" || die "127.0.0.1:22 in ${NS_PREFIX}$i did not answer (see $dir/h$i/sshd.log)"
    else
      wait_port "$NET.$((10 + i))" 22 15 || die "$NET.$((10 + i)):22 did not answer (see $dir/h$i/sshd.log)"
    fi
  done
  UP_OK=1
  echo "testhosts.sh: $n hosts up in $dir ($NET.10-$NET.$((9 + n)))"
}

cmd_status() {
  local ns
  for ns in $(our_namespaces); do
    echo "$ns: pids $(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')"
  done
  ip -br addr show "$BR" 2>/dev/null || echo "$BR: absent"
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  down) shift; cmd_down "$@" ;;
  status) cmd_status ;;
  *) usage ;;
esac
