#!/usr/bin/env bash
# Brings the local stack up, reports on it, or takes it down:
#   scripts/stack.sh up | status | down | reset | broker-db
# (broker-db prints the path of Tansu's sqlite file, for scripts that
# report its size.)
# PostgreSQL and Redis come from Debian's packages (installed where missing),
# the Kafka-protocol broker is Tansu 0.6.0 built once into a cache outside the
# repository. Idempotent: what already runs is left alone.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${PITWALL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pitwall}"
TANSU_VERSION=0.6.0
TANSU_BIN="$CACHE/tansu-$TANSU_VERSION/bin/tansu"
TANSU_DATA="$CACHE/tansu-data"
TANSU_PID="$TANSU_DATA/tansu.pid"
TANSU_LOG="$TANSU_DATA/tansu.log"
KAFKA_PORT=9092
PG_DB="${PITWALL_DB:-pitwall}"

log() { echo "[stack] $*" >&2; }

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  local port=$1 what=$2 i
  for i in $(seq 1 120); do
    port_open "$port" && return 0
    sleep 0.5
  done
  log "$what did not open 127.0.0.1:$port within 60 s"
  return 1
}

APT_UPDATED=0
apt_install() {
  if [ "$APT_UPDATED" -eq 0 ]; then
    log "apt-get update"
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    APT_UPDATED=1
  fi
  log "installing $*"
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -yq "$@" >/dev/null
}

postgres_up() {
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    apt_install postgresql
  fi
  if ! port_open 5432; then
    local version
    version="$(ls /etc/postgresql | sort -V | tail -n 1)"
    log "starting PostgreSQL $version"
    sudo_if_needed pg_ctlcluster --skip-systemctl-redirect "$version" main start
    wait_port 5432 PostgreSQL
  fi
  # Trust auth on loopback is what a fresh Debian cluster lacks; the project's
  # settings use postgres@127.0.0.1 without a password for local work.
  if ! psql -h 127.0.0.1 -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
    local hba
    hba="$(sudo_if_needed -u postgres psql -Atqc 'show hba_file' 2>/dev/null || true)"
    if [ -n "$hba" ]; then
      log "allowing trust auth for postgres on 127.0.0.1 ($hba)"
      sudo_if_needed sed -i '1i host all postgres 127.0.0.1/32 trust' "$hba"
      sudo_if_needed -u postgres psql -Atqc 'select pg_reload_conf()' >/dev/null
    fi
  fi
  if ! psql -h 127.0.0.1 -U postgres -d postgres -Atqc "select 1 from pg_database where datname='$PG_DB'" | grep -q 1; then
    log "creating database $PG_DB"
    psql -h 127.0.0.1 -U postgres -d postgres -qc "create database \"$PG_DB\""
  fi
}

redis_up() {
  if ! command -v redis-server >/dev/null 2>&1; then
    apt_install redis-server
  fi
  if ! port_open 6379; then
    log "starting Redis"
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
      --dir /tmp --logfile "$CACHE/redis.log"
    wait_port 6379 Redis
  fi
}

tansu_install() {
  [ -x "$TANSU_BIN" ] && return 0
  mkdir -p "$(dirname "$TANSU_BIN")"
  local shared="$ROOT/../shared/tools/tansu"
  if [ -x "$shared" ] && [ -f "$shared.sha256" ] \
     && [ "$(sha256sum "$shared" | cut -d' ' -f1)" = "$(cut -d' ' -f1 "$shared.sha256")" ]; then
    log "using the prebuilt Tansu from $shared"
    cp "$shared" "$TANSU_BIN"
    return 0
  fi
  log "building Tansu $TANSU_VERSION with cargo install (about 12 minutes on 2 cores, once)"
  if ! command -v cc >/dev/null 2>&1; then apt_install build-essential; fi
  cargo install tansu --version "$TANSU_VERSION" --locked \
    --features dynostore,postgres,libsql --root "$CACHE/tansu-$TANSU_VERSION"
}

tansu_running() { [ -f "$TANSU_PID" ] && kill -0 "$(cat "$TANSU_PID")" 2>/dev/null; }

tansu_up() {
  tansu_install
  if tansu_running && port_open "$KAFKA_PORT"; then return 0; fi
  if port_open "$KAFKA_PORT"; then
    log "something else listens on 127.0.0.1:$KAFKA_PORT; using it as the broker"
    return 0
  fi
  mkdir -p "$TANSU_DATA"
  log "starting Tansu (sqlite engine) in $TANSU_DATA"
  # Tansu resolves the sqlite path under its working directory, and without
  # --storage-engine it silently keeps everything in memory: start it from its
  # data directory with a relative path.
  (
    cd "$TANSU_DATA"
    nohup "$TANSU_BIN" broker \
      --listener-url "tcp://127.0.0.1:$KAFKA_PORT" \
      --advertised-listener-url "tcp://127.0.0.1:$KAFKA_PORT" \
      --storage-engine sqlite://tansu.db >>"$TANSU_LOG" 2>&1 &
    echo $! >"$TANSU_PID"
  )
  wait_port "$KAFKA_PORT" Tansu || { tail -n 20 "$TANSU_LOG" >&2; return 1; }
}

up() {
  mkdir -p "$CACHE"
  postgres_up
  redis_up
  tansu_up
  status
}

status() {
  local s
  for s in "PostgreSQL 5432" "Redis 6379" "Kafka(Tansu) $KAFKA_PORT"; do
    set -- $s
    if port_open "$2"; then log "$1 up on 127.0.0.1:$2"; else log "$1 DOWN on 127.0.0.1:$2"; fi
  done
}

down() {
  if tansu_running; then
    log "stopping Tansu"
    local pid
    pid="$(cat "$TANSU_PID")"
    kill "$pid" || true
    # Wait for it to let go of the port (and its files): a start right
    # after, as in `reset`, would otherwise find the port still open, take
    # the dying broker for a running one, and leave none.
    local waited
    for waited in $(seq 1 120); do
      kill -0 "$pid" 2>/dev/null || break
      # Asked nicely for 10 s; then told.
      if [ "$waited" -eq 100 ]; then kill -9 "$pid" 2>/dev/null || true; fi
      sleep 0.1
    done
    rm -f "$TANSU_PID"
  fi
  log "PostgreSQL and Redis are system services and stay up"
}

# Wipes the broker's data (every topic) and starts it afresh. Tests never
# delete topics (Tansu 0.6.0 panics when a deleted topic is still fetched),
# so this is how a long-used development broker is emptied.
reset() {
  down
  rm -f "$TANSU_DATA"/tansu.db*
  tansu_up
}

case "${1:-up}" in
  up) up ;;
  status) status ;;
  down) down ;;
  reset) reset ;;
  broker-db) echo "$TANSU_DATA/tansu.db" ;;
  *) echo "usage: $0 up|status|down|reset|broker-db" >&2; exit 2 ;;
esac
