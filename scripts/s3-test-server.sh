#!/usr/bin/env bash
# Throwaway S3 endpoint for the test suite and CI: a single-node Ceph cluster
# (one ceph-mon, one memstore ceph-osd, no mgr, no auth) with radosgw in front,
# everything bound to 127.0.0.1 and kept under one directory.
#
#   scripts/s3-test-server.sh up     # start from scratch; prints export lines on stdout
#   scripts/s3-test-server.sh down   # stop the daemons started by `up`, remove the directory
#   scripts/s3-test-server.sh env    # print the export lines again
#
#   eval "$(scripts/s3-test-server.sh up)"
#
# Needs ceph-mon, ceph-osd, radosgw (scripts/install-s3-test-server.sh) and curl.
# Runs daemons directly (no systemd). Data lives in RAM (memstore): nothing survives `down`.
#
# Environment:
#   AUDIO_STORE_S3_DIR       state directory      (default /tmp/audio-store-s3; wiped by up/down)
#   AUDIO_STORE_S3_PORT      radosgw HTTP port    (default 17480)
#   AUDIO_STORE_S3_MON_PORT  ceph-mon msgr2 port  (default 16789)
#   AUDIO_STORE_S3_MEM_BYTES memstore capacity    (default 4 GiB, taken only as used)
#
# When memstore is full the OSD silently drops writes and S3 PUTs HANG (no error):
# run `up` again for a fresh, empty store. Deleted objects are freed by rgw's
# garbage collector about 1-2 minutes later.
set -euo pipefail

DIR="$(realpath -m "${AUDIO_STORE_S3_DIR:-/tmp/audio-store-s3}")" # absolute: it goes into ceph.conf
PORT="${AUDIO_STORE_S3_PORT:-17480}"
MON_PORT="${AUDIO_STORE_S3_MON_PORT:-16789}"
MEM_BYTES="${AUDIO_STORE_S3_MEM_BYTES:-4294967296}"

ACCESS_KEY=audiostoretestkey
SECRET_KEY=audiostoretestsecret
S3_UID=audio-store-test
REGION='us-east-1'

CONF="$DIR/ceph.conf"
RGW_NAME=client.rgw.audiostore
# The seven pools radosgw 16.x creates for the default zone (checked with
# `ceph osd pool ls` after a radosgw start on an empty cluster).
RGW_POOLS=(.rgw.root default.rgw.log default.rgw.control default.rgw.meta
  default.rgw.buckets.index default.rgw.buckets.data default.rgw.buckets.non-ec)
# pid file name -> process name (/proc/PID/comm), so a stale pid file never kills
# an unrelated process that happens to reuse the pid.
declare -A DAEMONS=([rgw]=radosgw [osd.0]=ceph-osd [mon.a]=ceph-mon)
STOP_ORDER=(rgw osd.0 mon.a)

T0_US=${EPOCHREALTIME/./}
# Seconds since the script started, e.g. "4.83".
elapsed() {
  local us=$((${EPOCHREALTIME/./} - T0_US))
  printf '%d.%02d' $((us / 1000000)) $((us % 1000000 / 10000))
}
log() { printf '[s3-test-server %ss] %s\n' "$(elapsed)" "$*" >&2; }

print_env() {
  cat <<EOF
export AUDIO_STORE_TEST_S3_ENDPOINT=http://127.0.0.1:$PORT
export AUDIO_STORE_TEST_S3_ACCESS_KEY_ID=$ACCESS_KEY
export AUDIO_STORE_TEST_S3_SECRET_ACCESS_KEY=$SECRET_KEY
export AUDIO_STORE_TEST_S3_REGION=$REGION
EOF
}

# Refuse to `rm -rf` anything that does not look like our own directory.
check_dir() {
  case "$DIR" in
    "" | / | /tmp | /tmp/ | "${HOME:-/}" | "${HOME:-/}"/) log "refusing to use AUDIO_STORE_S3_DIR=$DIR"; exit 2 ;;
  esac
  if [[ -d $DIR && -n "$(ls -A "$DIR")" && ! -f $DIR/ceph.conf && ! -d $DIR/run ]]; then
    log "$DIR exists, is not empty and does not look like an s3-test-server directory; refusing to wipe it"
    exit 2
  fi
}

# Talk to the mon through the librados Python binding that the `ceph` CLI uses
# (one process instead of ~0.3 s of Python start-up per `ceph` command).
#   mon_setup new-osd UUID   `ceph osd new UUID` (prints the id) + create RGW_POOLS
#   mon_setup wait-osd-up    wait until osd.0 is marked up in the osdmap
mon_setup() {
  /usr/bin/python3 - "$CONF" "$@" <<'PY'
import json, sys, time
import rados

conf, action, args = sys.argv[1], sys.argv[2], sys.argv[3:]
cluster = rados.Rados(conffile=conf, name="client.admin")
cluster.connect(timeout=30)

def mon(prefix, **params):
    ret, out, err = cluster.mon_command(json.dumps(dict(prefix=prefix, **params)), b"")
    if ret != 0:
        sys.exit(f"mon command {prefix} {params} failed: {err} ({ret})")
    return out.decode()

if action == "new-osd":
    print(mon("osd new", uuid=args[0]).strip())
    for pool in args[1:]:
        mon("osd pool create", pool=pool, pg_num=8, pgp_num=8)
        mon("osd pool application enable", pool=pool, app="rgw")
elif action == "wait-osd-up":
    deadline = time.monotonic() + 30
    while not any(o["osd"] == 0 and o["up"] for o in json.loads(mon("osd dump", format="json"))["osds"]):
        if time.monotonic() > deadline:
            sys.exit("osd.0 not up after 30 s")
        time.sleep(0.1)
cluster.shutdown()
PY
}

# Stop one daemon by its pid file: SIGTERM, wait up to 10 s, then SIGKILL.
stop_daemon() {
  local name=$1 comm=$2 pidfile="$DIR/run/$1.pid" pid i
  [[ -f $pidfile ]] || return 0
  pid=$(<"$pidfile")
  if [[ $pid =~ ^[0-9]+$ ]] && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$comm" ]]; then
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name did not exit after SIGTERM, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
  fi
  rm -f "$pidfile"
}

stop_all() {
  local name
  for name in "${STOP_ORDER[@]}"; do stop_daemon "$name" "${DAEMONS[$name]}"; done
}

down() {
  check_dir
  stop_all
  rm -rf "$DIR"
}

dump_logs() {
  local f
  for f in "$DIR"/log/*.log; do
    [[ -f $f ]] || continue
    printf '\n===== tail %s =====\n' "$f" >&2
    tail -n 40 "$f" >&2
  done
}

write_conf() {
  # `$name` / `$cluster` are expanded by Ceph, not by the shell.
  cat >"$CONF" <<EOF
[global]
fsid = $FSID
mon host = v2:127.0.0.1:$MON_PORT
mon initial members = a
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind msgr1 = false
ms bind ipv6 = false
# Test-only cluster: no cephx at all.
auth cluster required = none
auth service required = none
auth client required = none
# The default mon client mode "secure crc" needs cephx session keys; with auth
# none the client keeps retrying and radosgw sits out rgw_init_timeout (300 s).
ms mon client mode = crc secure
keyring = /dev/null
run dir = $DIR/run
crash dir = $DIR/crash
admin socket = $DIR/run/\$cluster-\$name.asok
log file = $DIR/log/\$name.log
# One OSD, replication 1, tiny pg counts, no mgr: silence what would warn about it.
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon warn on pool no app = false
mon warn on insecure global id reclaim allowed = false

[mon.a]
mon data = $DIR/mon/ceph-a
# A single mon has nobody to batch with: commit map changes (osd boot, pool
# creation) right away instead of once a second.
paxos propose interval = 0.01
paxos min wait = 0.01

[osd]
osd data = $DIR/osd/ceph-\$id
osd objectstore = memstore
# RAM cap for all objects; memory is taken as objects are written. The OSD's
# RSS is roughly 2x the data stored (50 MB idle, ~190 MB with 90 MB of objects).
memstore device bytes = $MEM_BYTES

[client]
# CLI tools (ceph, radosgw-admin): no log files, no admin sockets.
log file =
admin socket =

[$RGW_NAME]
rgw data = $DIR/rgw
log file = $DIR/log/rgw.log
admin socket = $DIR/run/rgw.asok
# Without tcp_nodelay every response with a body waits ~50 ms (Nagle + delayed ACK).
rgw frontends = beast endpoint=127.0.0.1:$PORT tcp_nodelay=1
rgw init timeout = 60
rgw thread pool size = 64
# Deleted/overwritten object data is only freed by rgw's garbage collector, by
# default after 2 h; memstore keeps it in RAM until then. Collect after ~1 min.
rgw gc obj min wait = 60
rgw gc processor period = 60
# Lifecycle workers run between 00:00 and 06:00 UTC, fight over their locks and,
# sleeping 5 s at a time, delay radosgw's shutdown. Lifecycle rules can still be
# set and read; they are just never executed.
rgw enable lc threads = false
EOF
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# start_daemon NAME CMD...: run a daemon in the foreground (-f) as a background
# job in its own session, so that we know its pid from the start (a crash during
# init is noticed at once) and a Ctrl-C / process-group kill aimed at our caller
# does not reach it. Its stdio must not hold on to our stdout, or
# `$(s3-test-server.sh up)` would never return.
start_daemon() {
  local name=$1
  shift
  setsid "$@" -f </dev/null >>"$DIR/log/$name.stdio.log" 2>&1 &
  echo $! >"$DIR/run/$name.pid"
}

# 0 if the daemon started as $1 still runs, 2 if it has exited.
daemon_state() {
  kill -0 "$(cat "$DIR/run/$1.pid" 2>/dev/null)" 2>/dev/null || return 2
}

# Readiness probes for wait_for: 0 ready, 1 not yet, 2 exited (give up now).
mon_ready() {
  daemon_state mon.a || return
  port_in_use "$MON_PORT"
}
rgw_ready() {
  daemon_state rgw || return
  # --noproxy: an http_proxy in the environment must not swallow a loopback probe.
  curl -sf --noproxy '*' -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/"
}

wait_for() { # wait_for SECONDS DESCRIPTION PROBE...
  local secs=$1 what=$2 rc deadline=$((SECONDS + $1))
  shift 2
  while ((SECONDS < deadline)); do
    rc=0
    "$@" >/dev/null 2>&1 || rc=$?
    ((rc == 0)) && return 0
    if ((rc == 2)); then
      log "$what: the daemon exited"
      return 1
    fi
    sleep 0.2
  done
  log "timed out after ${secs}s waiting for $what"
  return 1
}

up() {
  for cmd in ceph-mon ceph-osd radosgw radosgw-admin monmaptool curl; do
    command -v "$cmd" >/dev/null || { log "$cmd not found (run scripts/install-s3-test-server.sh)"; exit 1; }
  done
  # Idempotent: stop whatever a previous run left behind, then start clean.
  down
  # Checked after `down` (which frees our own ports), so that the readiness
  # probe below cannot be answered by somebody else's server.
  local p
  for p in "$PORT" "$MON_PORT"; do
    if port_in_use "$p"; then
      log "127.0.0.1:$p is already in use (set AUDIO_STORE_S3_PORT / AUDIO_STORE_S3_MON_PORT)"
      exit 1
    fi
  done
  mkdir -p "$DIR"/{run,log,crash,mon,osd/ceph-0,rgw}
  FSID=$(cat /proc/sys/kernel/random/uuid)
  write_conf

  # On any failure: show the daemon logs, stop what we started (the directory is
  # kept for inspection; the next up/down removes it).
  trap 'rc=$?; if ((rc)); then log "start-up failed (exit $rc)"; dump_logs; stop_all; fi' EXIT

  log "creating mon.a on 127.0.0.1:$MON_PORT"
  monmaptool --create --clobber --fsid "$FSID" --addv a "[v2:127.0.0.1:$MON_PORT]" "$DIR/monmap" >/dev/null 2>&1
  ceph-mon -c "$CONF" -i a --mkfs --monmap "$DIR/monmap" >/dev/null 2>>"$DIR/log/setup.log"
  start_daemon mon.a ceph-mon -c "$CONF" -i a
  wait_for 30 "ceph-mon" mon_ready

  # Register osd.0 and create radosgw's pools up front: radosgw would otherwise
  # create them one at a time while starting (several seconds).
  log "creating osd.0 (memstore, $MEM_BYTES bytes) and the rgw pools"
  local osd_uuid osd_id
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  osd_id=$(mon_setup new-osd "$osd_uuid" "${RGW_POOLS[@]}" 2>>"$DIR/log/setup.log")
  [[ $osd_id == 0 ]]
  ceph-osd -c "$CONF" -i 0 --mkfs --osd-uuid "$osd_uuid" >/dev/null 2>>"$DIR/log/setup.log"
  start_daemon osd.0 ceph-osd -c "$CONF" -i 0
  # If radosgw starts before the osd is up, its first requests have no target
  # and are only retried on the objecter's 5 s tick.
  mon_setup wait-osd-up 2>>"$DIR/log/setup.log"

  log "starting radosgw on 127.0.0.1:$PORT"
  start_daemon rgw radosgw -c "$CONF" -n "$RGW_NAME"
  wait_for 60 "radosgw on port $PORT" rgw_ready

  log "creating S3 user $S3_UID"
  radosgw-admin -c "$CONF" user create --uid="$S3_UID" --display-name="audio-store tests" \
    --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >/dev/null 2>>"$DIR/log/setup.log"

  trap - EXIT
  log "ready in $(elapsed)s: http://127.0.0.1:$PORT (state in $DIR; stop with: $0 down)"
  print_env
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  env) print_env ;;
  *)
    echo "usage: $0 up|down|env" >&2
    exit 2
    ;;
esac
