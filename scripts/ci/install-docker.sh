#!/usr/bin/env bash
# Makes sure a Docker engine answers on this machine, for the tests that run Testcontainers.
#
#   scripts/ci/install-docker.sh
#
# Idempotent: a working engine is left alone; missing Debian packages are installed (apt, root);
# dockerd is started only when nothing answers. Downloads come from the Debian mirror only.
#
# dockerd runs with overlay2 and the default bridge (docker0): published ports need the bridge,
# and overlay2 starts containers 2-3x faster than vfs. If dockerd dies on iptables, it is
# restarted with --iptables=false --ip-masq=false (ports then go through docker-proxy, and
# containers have no outbound NAT, which is why image builds use --network host). vfs is the last
# resort when overlay2 cannot mount (for example on a root filesystem that is itself overlayfs).
#
# Environment:
#   DOCKERD_LOG          where dockerd's output goes (default /var/log/coffer-dockerd.log)
#   DOCKERD_WAIT_SECONDS how long to wait for `docker info` per attempt (default 30)
# Exit status: 0 when `docker info` works at the end, 1 otherwise (with the reason printed).
set -euo pipefail

DOCKERD_LOG="${DOCKERD_LOG:-/var/log/coffer-dockerd.log}"
WAIT="${DOCKERD_WAIT_SECONDS:-30}"
# What the image builds need besides the engine: mmdebstrap writes the Debian base image, zstd
# compresses the image cache.
PACKAGES=(docker.io containerd runc iptables mmdebstrap zstd ca-certificates)

say() { printf 'install-docker: %s\n' "$*" >&2; }
fail() { say "error: $*"; exit 1; }

engine_up() { timeout 10 docker info >/dev/null 2>&1; }

report() {
  docker info --format 'install-docker: engine {{.ServerVersion}} up (storage {{.Driver}}, cgroup {{.CgroupDriver}})' >&2
  ip -4 -o addr show docker0 2>/dev/null | awk '{print "install-docker: bridge docker0 " $4}' >&2 ||
    say "warning: no docker0 bridge; published ports will not work"
}

if command -v docker >/dev/null && engine_up; then
  say "a Docker engine already answers; nothing to do"
  report
  exit 0
fi

# --- packages -------------------------------------------------------------------------------------
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  [ "$(id -u)" = 0 ] || fail "need root to apt-get install ${missing[*]}"
  command -v apt-get >/dev/null || fail "no apt-get: install ${missing[*]} yourself"
  say "installing ${missing[*]} (apt)"
  start=$SECONDS
  # Some configured sources (third-party repositories) may be unreachable; apt then still
  # refreshes the Debian lists and the install below tells whether what we need was found.
  apt-get update -q >/tmp/coffer-apt-update.log 2>&1 ||
    { say "warning: apt-get update reported errors (see /tmp/coffer-apt-update.log); trying the install anyway"; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" \
    >/tmp/coffer-apt-install.log 2>&1 ||
    { tail -n 30 /tmp/coffer-apt-install.log >&2; fail "apt-get install ${missing[*]} failed"; }
  say "installed in $((SECONDS - start)) s"
else
  say "packages present: ${PACKAGES[*]}"
fi
command -v dockerd >/dev/null || fail "dockerd is not on PATH after the install"

# --- dockerd --------------------------------------------------------------------------------------
# A dockerd that is running but not answering may still be starting: give it the same wait.
running_pid() {
  local pid
  pid="$(cat /var/run/docker.pid 2>/dev/null || true)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] &&
    printf '%s' "$pid"
}

wait_for_engine() { # wait_for_engine PID: 0 once docker info answers, 1 if dockerd died or timed out
  local pid=$1 i
  for ((i = 0; i < WAIT * 2; i++)); do
    engine_up && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.5
  done
  return 1
}

stop_dockerd() {
  local pid=$1 i
  kill "$pid" 2>/dev/null || true
  for ((i = 0; i < 40; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  # PID 1 may not reap here, leaving a zombie; a zombie is harmless but keeps docker.pid around.
  rm -f /var/run/docker.pid
}

try_start() { # try_start DESCRIPTION FLAGS...: 0 when the engine answers
  local what=$1 pid
  shift
  say "starting dockerd ($what); log: $DOCKERD_LOG"
  printf '\n==== %s: dockerd %s\n' "$(date -Is)" "$*" >>"$DOCKERD_LOG"
  nohup dockerd "$@" >>"$DOCKERD_LOG" 2>&1 </dev/null &
  pid=$!
  if wait_for_engine "$pid"; then return 0; fi
  say "dockerd ($what) did not come up; last lines of its log:"
  tail -n 8 "$DOCKERD_LOG" | sed 's/^/    /' >&2
  stop_dockerd "$pid"
  return 1
}

start=$SECONDS
if pid="$(running_pid)"; then
  say "dockerd (pid $pid) is running but not answering yet; waiting up to ${WAIT} s"
  if ! wait_for_engine "$pid"; then
    say "it never answered; restarting it"
    stop_dockerd "$pid"
  fi
fi
if ! engine_up; then
  mkdir -p "$(dirname "$DOCKERD_LOG")"
  # A pid file left by a dockerd that died (no such process now) makes every start fail with "pid
  # file found"; the first try would then fall back to no iptables for no reason.
  if [ -f /var/run/docker.pid ] && [ -z "$(running_pid)" ]; then
    say "removing a stale /var/run/docker.pid (pid $(cat /var/run/docker.pid 2>/dev/null) is not a dockerd)"
    rm -f /var/run/docker.pid
  fi
  try_start "overlay2, default bridge" --storage-driver=overlay2 ||
    try_start "overlay2, default bridge, no iptables" --storage-driver=overlay2 --iptables=false --ip-masq=false ||
    try_start "vfs (slow), default bridge, no iptables" --storage-driver=vfs --iptables=false --ip-masq=false ||
    fail "could not start dockerd; see $DOCKERD_LOG"
  say "dockerd up in $((SECONDS - start)) s"
fi
# Without its iptables rules (the fallbacks above, or an engine started so by someone else),
# containers on a user-defined network reach each other only if bridged traffic skips the
# FORWARD chain, whose policy an earlier dockerd may have left at DROP (br_netfilter). Tests put
# a server and its database on one network.
if ! iptables -S DOCKER-USER >/dev/null 2>&1 || pgrep -a dockerd | grep -q -- '--iptables=false'; then
  if [ "$(sysctl -n net.bridge.bridge-nf-call-iptables 2>/dev/null || echo 0)" = 1 ]; then
    say "engine runs without iptables: letting bridged container traffic skip the FORWARD chain"
    sysctl -q -w net.bridge.bridge-nf-call-iptables=0 || say "warning: could not set net.bridge.bridge-nf-call-iptables=0"
  fi
fi
report
