#!/usr/bin/env bash
# Runs every benchmark once and writes docs/benchmarks.md from the numbers:
# simulator, PostgreSQL ingest, the raw broker, the pipeline under load
# (20 cars x 50 Hz, 500 x 10 Hz, 5,000 x 10 Hz, and a faster-than-real-time
# run for its ceiling), WebSocket fan-out to 1,000 and 10,000 clients, and
# GraphQL. Each scenario gets its own topics, consumer groups, database and
# Redis prefix; every server it starts listens on 127.0.0.1 and is stopped
# at the end. Release profile, as production runs it (docker/Dockerfile);
# PITWALL_BENCH_PROFILE=dev measures the tests' build instead. Expects the
# stack up (scripts/stack.sh up) and the dashboard built (the binary embeds
# it).
#
#   scripts/bench.sh [OUTPUT]      # default docs/benchmarks.md; ~10 minutes
#
# A run writes gigabytes into the local Tansu broker's sqlite file, which
# nothing trims (tests never delete topics). After a few runs it reached
# 6 GB here, and the tests that followed timed out on the broker (slow
# ListOffsets, expired group sessions): `scripts/stack.sh reset` empties it.
#
# PITWALL_BENCH_ONLY="pipeline fanout" runs only those parts (simulator,
# storage, broker, pipeline, fanout, graphql), for working on one figure;
# the others read "—" in its output, so write it elsewhere than the docs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT="${1:-docs/benchmarks.md}"
PROFILE="${PITWALL_BENCH_PROFILE:-release}"
case "$PROFILE" in
  release) BIN="${CARGO_TARGET_DIR:-target}/release" PROFILE_NOTE="the **release profile** (as docker/Dockerfile builds it)" ;;
  dev) BIN="${CARGO_TARGET_DIR:-target}/debug" PROFILE_NOTE="the **dev profile** (our code at \`opt-level = 1\`, dependencies at 2: the tests' build)" ;;
  *) echo "[bench] PITWALL_BENCH_PROFILE is release or dev, not $PROFILE" >&2; exit 1 ;;
esac
ONLY="${PITWALL_BENCH_ONLY:-simulator storage broker pipeline fanout graphql}"
runs() { [[ " $ONLY " == *" $1 "* ]]; }
RUN="bench_$(date +%s)_$$"
WORK="$(mktemp -d -t pitwall-bench.XXXXXX)"
PORT=$(( 20000 + RANDOM % 20000 ))
T0=$(date +%s)

log() { echo "[bench $(( $(date +%s) - T0 ))s] $*" >&2; }

# 10,000 WebSocket clients need 10,000 descriptors on each side.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" -ge 12000 ] || { echo "[bench] ulimit -n is $(ulimit -n); 10,000 clients need ~12,000" >&2; exit 1; }

log "building ($PROFILE profile)"
cargo build --profile "$PROFILE" --bin pitwall --examples 2>&1 | tail -n 2 >&2

LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"
# The local broker's sqlite file: Tansu answered more slowly as it grew
# (docs/broker.md), so the header says how big it was.
TANSU_DB="$(bash scripts/stack.sh broker-db)"
broker_db_mb() { if [ -f "$TANSU_DB" ]; then du -m "$TANSU_DB" | cut -f1; else echo "—"; fi; }
DB_START=$(broker_db_mb)
SERVER=""
DBS=()
cleanup() {
  stop_server || true
  for db in "${DBS[@]}"; do
    psql -h 127.0.0.1 -U postgres -d postgres -qc "drop database if exists \"$db\" with (force)" >/dev/null 2>&1 || true
  done
  redis-cli --scan --pattern "${RUN}_*" | xargs -r redis-cli del >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# Settings of scenario $1: topics, groups, database and keys of its own.
isolate() {
  local id="${RUN}_$1" db="pitwall_${RUN}_$1"
  psql -h 127.0.0.1 -U postgres -d postgres -qc "create database \"$db\"" >/dev/null
  DBS+=("$db")
  export PITWALL__HTTP__BIND="127.0.0.1:$PORT"
  export PITWALL__KAFKA__TOPICS__RAW="${id}_raw" PITWALL__KAFKA__TOPICS__PROCESSED="${id}_processed"
  export PITWALL__KAFKA__TOPICS__DLQ="${id}_dlq" PITWALL__KAFKA__TOPICS__COMMANDS="${id}_commands"
  export PITWALL__KAFKA__PARTITIONS=1 PITWALL__KAFKA__GROUP_PREFIX="$id"
  export PITWALL__POSTGRES__URL="postgres://postgres@127.0.0.1:5432/$db" PITWALL__REDIS__PREFIX="${id}:"
}

# Starts `pitwall all` for the current scenario and waits until it is ready
# (its consumers assigned).
start_server() {
  RUST_LOG=warn "$BIN/pitwall" all >"$WORK/server_$1.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && return 0
    kill -0 "$SERVER" 2>/dev/null || break
    sleep 0.5
  done
  echo "[bench] server for $1 not ready; its log:" >&2
  tail -n 20 "$WORK/server_$1.log" >&2
  return 1
}

# Peak resident memory (VmHWM, MiB) and CPU seconds of the server so far;
# CPU seconds of the local Tansu broker ("—" when the broker is not Tansu).
server_hwm_mb() { awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$SERVER/status"; }
server_cpu_s() { awk '{ printf "%.1f", ($14 + $15) / 100 }' "/proc/$SERVER/stat"; }
broker_cpu_s() {
  local pid
  pid=$(pgrep -x tansu | head -n 1) || { echo "—"; return; }
  awk '{ printf "%.1f", ($14 + $15) / 100 }' "/proc/$pid/stat"
}

stop_server() {
  [ -n "$SERVER" ] || return 0
  kill -TERM "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  SERVER=""
}

loadtest() { # name, loadtest arguments...
  local name=$1; shift
  log "loadtest $name: $*"
  RUST_LOG=warn "$BIN/pitwall" loadtest --server "http://127.0.0.1:$PORT" --json "$@" \
    >"$WORK/$name.json" 2>"$WORK/$name.log" || { log "loadtest $name failed"; tail -n 5 "$WORK/$name.log" >&2; echo '{}' >"$WORK/$name.json"; }
}

# A cell of a loadtest's JSON report: jq filter on file $1.
j() { jq -r "$2 // \"—\"" "$WORK/$1.json" 2>/dev/null || echo "—"; }
r0() { jq -r "($2 // null) | if . == null then \"—\" else (. | round | tostring) end" "$WORK/$1.json" 2>/dev/null || echo "—"; }
lat() { jq -r "($2 // null) | if . == null then \"—\" else \"\(.p50|round) / \(.p95|round) / \(.p99|round) / \(.max|round)\" end" "$WORK/$1.json" 2>/dev/null || echo "—"; }

# Every part's output exists, so a run of only some parts (PITWALL_BENCH_ONLY)
# writes "—" for the rest instead of failing to read them.
touch "$WORK/simulator.md" "$WORK/storage.md" "$WORK/broker.md" "$WORK/graphql.md" \
  "$WORK/ws1000.server" "$WORK/ws10000.server"
if runs simulator; then
  log "simulator"
  "$BIN/examples/bench_simulator" >"$WORK/simulator.md" 2>"$WORK/simulator.log" || echo "(failed: see its log)" >>"$WORK/simulator.md"
fi
if runs storage; then
  log "PostgreSQL ingest"
  "$BIN/examples/bench_storage" 100000 2 >"$WORK/storage.md" 2>"$WORK/storage.log" || echo "(failed: see its log)" >>"$WORK/storage.md"
fi
if runs broker; then
  log "raw broker"
  "$BIN/examples/bench_broker" 300000 >"$WORK/broker.md" 2>"$WORK/broker.log" || echo "(failed: see its log)" >>"$WORK/broker.md"
fi

PIPE_HWM="—"
if runs pipeline; then
  log "pipeline"
  isolate pipeline
  start_server pipeline
  # The end-to-end run reads telemetry_raw back after the race, as the
  # fan-out runs do: a reader polling it during the race is one more
  # consumer the broker serves (Tansu answers each fetch at its wait's end),
  # which production does not have. It cost the WebSocket p50 4-7 ms here
  # (docs/broker.md); the 500-car run keeps the raw latency column.
  loadtest p20x50 --races 1 --cars 20 --hz 50 --duration 20s --ws-clients 20 --read-back-after
  loadtest p500x10 --races 1 --cars 500 --hz 10 --duration 20s --ws-clients 20
  # Throughput runs read telemetry_raw back for the lost/duplicated check
  # after the races stop: the broker then serves only the pipeline while it
  # is measured. Above real time: 62,500, 75,000, 87,500 and 100,000
  # samples/s asked (on an Intel Xeon host the ceiling lay between the
  # last two, on an AMD EPYC host below the second).
  loadtest p5000x10 --races 1 --cars 5000 --hz 10 --duration 20s --read-back-after
  loadtest p5000x125 --races 1 --cars 5000 --hz 10 --time-scale 1.25 --duration 15s --read-back-after
  loadtest p5000x15 --races 1 --cars 5000 --hz 10 --time-scale 1.5 --duration 15s --read-back-after
  loadtest p5000x175 --races 1 --cars 5000 --hz 10 --time-scale 1.75 --duration 15s --read-back-after
  loadtest pmax --races 1 --cars 5000 --hz 10 --time-scale 2 --duration 15s --read-back-after
  PIPE_HWM=$(server_hwm_mb)
  stop_server
fi

fanout() { # clients
  local n=$1
  log "WebSocket fan-out to $n clients"
  isolate "ws$n"
  # Leaderboards every 100 ms of race clock: ~10 a second at real time.
  PITWALL__PROCESSING__LEADERBOARD_INTERVAL_MS=100 start_server "ws$n"
  local idle_mb cpu0 cpu1 broker0 broker1
  idle_mb=$(awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$SERVER/status")
  cpu0=$(server_cpu_s)
  broker0=$(broker_cpu_s)
  # The raw topic is read back after the race: its reader would only add
  # broker load (Tansu answers every fetch at its wait's end, so each
  # polling reader costs it CPU) on the cores the fan-out needs.
  loadtest "ws$n" --races 1 --cars 20 --hz 10 --duration 30s --ws-clients "$n" --read-back-after
  cpu1=$(server_cpu_s)
  broker1=$(broker_cpu_s)
  echo "$idle_mb $(server_hwm_mb) $(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.1f", b - a }') $(awk '/^Max open files/ { print $4 }' "/proc/$SERVER/limits") $(awk -v a="$broker0" -v b="$broker1" 'BEGIN { if (a == "—") print "—"; else printf "%.1f", b - a }')" >"$WORK/ws$n.server"
  stop_server
}
if runs fanout; then
  fanout 1000
  fanout 10000
fi

GQL_CPU=0
if runs graphql; then
  log "GraphQL"
  isolate graphql
  start_server graphql
  GQL_CPU0=$(server_cpu_s)
  "$BIN/examples/bench_graphql" --server "http://127.0.0.1:$PORT" --seconds 10 --clients 32 --server-pid "$SERVER" \
    >"$WORK/graphql.md" 2>"$WORK/graphql.log" || { echo "(failed: see its log)" >>"$WORK/graphql.md"; tail -n 5 "$WORK/graphql.log" >&2; }
  GQL_CPU=$(awk -v a="$GQL_CPU0" -v b="$(server_cpu_s)" 'BEGIN { printf "%.1f", b - a }')
  stop_server
fi

LOAD_END="$(cut -d' ' -f1-3 /proc/loadavg)"
DB_END=$(broker_db_mb)
TOOK=$(( $(date +%s) - T0 ))
log "writing $OUT"

# Figures the prose compares. The pipeline's throughput is the fastest
# 5,000-car run it kept up with: nothing lost, the race's end processed
# within the load test's drain, and processed latency p99 within a second
# (a run that ends seconds behind was buffered by the broker, not kept up).
RAW5000=$(awk -F'|' '$2 ~ /^ *5000 *$/ { gsub(/ /, "", $6); print $6 }' "$WORK/broker.md")
PIPE=0 PIPE_RUN="none"
for f in p5000x10 p5000x125 p5000x15 p5000x175 pmax; do
  kept=$(jq -r 'if (.check.lost == 0 and .check.duplicated == 0 and .processed.races_finished == .config.races and (.latency_ms.processed.p99 // 1e9) <= 1000) then (.samples.produced_per_s | round) else 0 end' "$WORK/$f.json" 2>/dev/null || echo 0)
  if [ "${kept:-0}" -gt "$PIPE" ]; then PIPE=$kept PIPE_RUN=$f; fi
done
# What set the raw figure: the records' acknowledgements far ahead of the
# reader mean fetches are the broker's cost; close together, its writes.
ACKED5000=$(awk -F'|' '$2 ~ /^ *5000 *$/ { gsub(/ /, "", $5); print $5 }' "$WORK/broker.md")
BROKER_BOUND=$(awk -v a="$ACKED5000" -v b="$RAW5000" 'BEGIN {
  if (a + 0 <= 0 || b + 0 <= 0) { print "What bounds the broker was not measured"; exit }
  r = a / b
  if (r >= 2) printf "Here a fetch costs Tansu several times what a produce does (the raw records were all acknowledged at %d samples/s, %.1f× the rate its reader kept), so each reader of the raw topic is close to another raw figure'"'"'s worth of broker work", a, r
  else printf "Here the writes set the raw figure (with the reader running, the records were acknowledged at %d samples/s, only %.2f× the rate the reader kept), and the pipeline'"'"'s five readers and its processed writes take the broker'"'"'s time from them", a, r
}')
# One hop through the broker at the end-to-end scenario's pace, nothing
# else running: the floor each of an event's two crossings stands on.
HOP=$(awk -F'|' '$2 ~ /latency paths/ { split($4, p, "/"); gsub(/ /, "", p[1]); print p[1] }' "$WORK/broker.md")
RATIO=$(awk -v a="$PIPE" -v b="$RAW5000" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "—" }')
GQL=$(awk -F'|' 'NR > 0 && $2 ~ /^ *[0-9]+ *$/ && !done { gsub(/ /, ""); print $2 " req/s, p99 " $5 " ms"; done = 1 }' "$WORK/graphql.md")
# The server's CPU a request as bench_graphql read it around the timed run.
GQL_US=$(sed -n 's/^CPU a request: server \([0-9]*\) µs.*/\1/p' "$WORK/graphql.md")
TELE=$(awk -F'|' '$2 ~ /^ *500 *$/ { gsub(/ /, ""); print "p50 " $4 " ms, p99 " $6 " ms" }' "$WORK/graphql.md")
ws_goal() { # clients
  local idle hwm rest
  read -r idle hwm rest <"$WORK/ws$1.server" || true
  echo "$(jq -r '.latency_ms.websocket // null | if . == null then "no events" else "p50 \(.p50|round) ms, p99 \(.p99|round) ms" end' "$WORK/ws$1.json" 2>/dev/null), $(r0 "ws$1" .websocket.events_per_s) events/s, server peak RSS ${hwm:-—} MiB"
}
ws_row() { # clients
  local n=$1 idle hwm cpu nofile broker
  read -r idle hwm cpu nofile broker <"$WORK/ws$n.server" || true
  local per_event
  per_event=$(awk -v c="${cpu:-0}" -v e="$(j "ws$n" .websocket.events)" 'BEGIN { if (e + 0 > 0) printf "%.1f", c * 1e6 / e; else print "—" }')
  echo "| $n | $(j "ws$n" .websocket.connected) | $(r0 "ws$n" .websocket.events_per_s) | $(lat "ws$n" .latency_ms.websocket) | $(lat "ws$n" .latency_ms.processed) | ${idle:-—} | ${hwm:-—} | ${cpu:-—} (${per_event} µs an event) | ${broker:-—} | $(j "ws$n" .websocket.subscribed_after_s | awk '{ if ($1 + 0 > 0) printf "%.1f", $1; else print "—" }') | $(j "ws$n" .websocket.closed_by_server) | ${nofile:-—} |"
}
# Lost / duplicated, or why it is not known: a read-back that did not reach
# the race's end within the drain has not seen every sample yet.
checked() {
  jq -r 'if (.check.races_finished // 0) < (.config.races // 1) then "not known (read-back incomplete)" else "\(.check.lost) / \(.check.duplicated) of \(.check.delivered)" end' "$WORK/$1.json" 2>/dev/null || echo "—"
}
pipe_row() { # name label
  echo "| $2 | $(r0 "$1" .samples.produced_per_s) ($(r0 "$1" .samples.target_per_s)) | $(checked "$1") | $(jq -r '.processed.events_per_s // 0 | . * 10 | round / 10' "$WORK/$1.json" 2>/dev/null) | $(lat "$1" .latency_ms.raw) | $(lat "$1" .latency_ms.processed) | $(lat "$1" .latency_ms.websocket) | $(j "$1" .check.races_finished)/1, $(j "$1" .processed.races_finished)/1 |"
}
warnings() {
  local f
  for f in p20x50 p500x10 p5000x10 p5000x125 p5000x15 p5000x175 pmax ws1000 ws10000; do
    jq -r --arg f "$f" '.warnings[]? | "- `\($f)`: \(.)"' "$WORK/$f.json" 2>/dev/null || true
  done
}

{
cat <<EOF
# Benchmarks

Generated by \`scripts/bench.sh\` (one command, ${TOOK} s) on $(date -u '+%Y-%m-%d %H:%M UTC'), commit
\`$(git rev-parse --short HEAD)\`$(git diff --quiet HEAD -- src examples 2>/dev/null || echo " plus uncommitted changes").
Machine: $(nproc) vCPUs ($(lscpu | sed -n 's/^Model name: *//p' | head -n 1)), $(free -g | awk '/^Mem:/ { print $2 }') GB RAM,
load average ${LOAD_START} at the start and ${LOAD_END} at the end (the machine is shared with
other builds: tail latencies follow that load). Tansu 0.6.0 (sqlite engine) on
127.0.0.1:9092, its database ${DB_START} MB at the start and ${DB_END} MB at the end
(\`scripts/stack.sh reset\` empties it; a bigger one answers more slowly), PostgreSQL and Redis on loopback, $(rustc --version | cut -d' ' -f1-2), every binary
in ${PROFILE_NOTE}. Figures
are measurements of this run, not promises. Latencies are milliseconds,
written p50 / p95 / p99 / max.

## Summary against the goals

| goal | measured here |
|---|---|
| 10,000 WebSocket clients, ~10 leaderboards/s each: p99 ≤ 250 ms, server RSS ≤ 1 GiB | $(ws_goal 10000) |
| (1,000 clients, for scale) | $(ws_goal 1000) |
| GraphQL live leaderboard ≥ 5,000 req/s, p99 ≤ 20 ms | ${GQL:-—} (${GQL_US:-—} µs of server CPU a request) |
| telemetry, 1 h at 10 Hz → 500 points ≤ 50 ms | ${TELE:-—} |
| pipeline ≥ 50,000 samples/s, nothing lost, ≥ 0.5× the raw broker | ${PIPE} samples/s (\`${PIPE_RUN}\`) vs ${RAW5000} raw = ${RATIO}× |
| end-to-end latency, 20 cars × 50 Hz (WebSocket): p50 ≤ 20 ms, p99 ≤ 100 ms | $(lat p20x50 .latency_ms.websocket); an event crosses the broker twice, and one crossing alone (below) takes p50 ${HOP:-—} ms |

## Simulator

    $BIN/examples/bench_simulator

$(cat "$WORK/simulator.md")

## PostgreSQL ingest with Redis alongside

    $BIN/examples/bench_storage 100000 2

$(cat "$WORK/storage.md")

## Raw broker ceiling

    $BIN/examples/bench_broker 300000

The simulator's frame records (a 5,000-car tick is 5 records of 1,000
samples) produced by the project's idempotent producer to a fresh
one-partition topic while a consumer reads them back; the clock stops at
the last record read. Then one hop on its own: at the end-to-end run's
pace, how long a frame takes to be acknowledged and to reach a consumer,
with the latency paths' fetch wait and with none (Tansu answers a fetch
only when its wait runs out, docs/broker.md).

$(cat "$WORK/broker.md")

## The pipeline: \`pitwall loadtest\` against \`pitwall all\`

One \`pitwall all\` with its own topics (1 partition, the default: a race lives on one), groups, database
and Redis prefix; then, against it:

    $BIN/pitwall loadtest --races 1 --cars 20 --hz 50 --duration 20s --ws-clients 20 --read-back-after --server http://127.0.0.1:PORT
    $BIN/pitwall loadtest --races 1 --cars 500 --hz 10 --duration 20s --ws-clients 20 --server …
    $BIN/pitwall loadtest --races 1 --cars 5000 --hz 10 --duration 20s --read-back-after --server …
    $BIN/pitwall loadtest --races 1 --cars 5000 --hz 10 --time-scale 1.25 --duration 15s --read-back-after --server …
    $BIN/pitwall loadtest --races 1 --cars 5000 --hz 10 --time-scale 1.5 --duration 15s --read-back-after --server …
    $BIN/pitwall loadtest --races 1 --cars 5000 --hz 10 --time-scale 1.75 --duration 15s --read-back-after --server …
    $BIN/pitwall loadtest --races 1 --cars 5000 --hz 10 --time-scale 2 --duration 15s --read-back-after --server …

Latency runs from the \`sent_at_us\` of the newest frame behind each record
or event (stamped by the generator at publish) to its arrival: *raw* at an
independent reader of \`telemetry_raw\`, *processed* at a reader of
\`telemetry_processed\`, *WebSocket* at the clients. The first 2 s are left
out (warm-up). *Lost / duplicated* compares every (race, car, seq) the
producer saw acknowledged with an independent read-back of \`telemetry_raw\`
(for the 20-car and 5,000-car runs, made after the races stop, so no raw
latency: a reader polling the raw topic during the race loads the broker
the latencies cross).

| run | samples/s produced (asked) | lost / duplicated | processed events/s | raw | processed | WebSocket (20 clients) | race end seen: raw, processed |
|---|---:|---:|---:|---:|---:|---:|---:|
$(pipe_row p20x50 "20 cars × 50 Hz (end-to-end latency)")
$(pipe_row p500x10 "500 cars × 10 Hz")
$(pipe_row p5000x10 "5,000 cars × 10 Hz")
$(pipe_row p5000x125 "5,000 cars × 10 Hz × 1.25 (above real time)")
$(pipe_row p5000x15 "5,000 cars × 10 Hz × 1.5 (above real time)")
$(pipe_row p5000x175 "5,000 cars × 10 Hz × 1.75 (above real time)")
$(pipe_row pmax "5,000 cars × 10 Hz × 2 (above real time)")

The pipeline's throughput is the fastest 5,000-car run it kept up with
(nothing lost, the race's end processed within the drain, processed p99
within 1 s; a run that ends seconds behind was buffered by the broker, not
kept up with): ${PIPE} samples/s (\`${PIPE_RUN}\`) against ${RAW5000} samples/s
of raw produce + consume of the same records in this run = **${RATIO}×**.
The raw figure is one writer and one reader. The pipeline's broker takes
the same writes but serves two readers of \`telemetry_raw\` (processing and
storage) and \`telemetry_processed\` to three (storage, the hub, the load
test's reader). ${BROKER_BOUND}, on the same two cores as Pitwall
itself. Past the ceiling a run does not fall a little behind but
far: once the broker's produce latency fills an idempotent producer's five
requests in flight, librdkafka's broker thread polls without sleeping until
one returns (docs/broker.md), in the load generator and in the server, and
takes the CPU the broker needed. The server's peak RSS over these runs:
${PIPE_HWM} MiB.

## WebSocket fan-out

A fresh \`pitwall all\` per size (leaderboards every 100 ms of race clock,
\`PITWALL__PROCESSING__LEADERBOARD_INTERVAL_MS=100\`), one 20-car race at
10 Hz for 30 s, N clients in the load-test process, each subscribed to
the race's leaderboard channel:

    $BIN/pitwall loadtest --races 1 --cars 20 --hz 10 --duration 30s --ws-clients N --read-back-after --server …

WebSocket latency is end to end (frame published by the generator →
processing → broker → hub → every client); the *processed* column is the
same events at a plain Kafka reader, so the difference is what the hub and
the sessions add. Server memory is \`VmHWM\` (peak RSS) of the server
process from \`/proc\`, *idle* its RSS before the clients connected; CPU is
the server's user + system time during the run, *broker CPU* Tansu's.
The race starts once every client holds its subscribe's snapshot (*all
subscribed*: from the first connect), so the subscribe storm is timed on
its own and not as the first events' delivery.

What the fan-out costs: each event is encoded into one WebSocket frame
that every client's queue shares, then copied once into each connection's
write buffer and sent with one loopback \`send\` per client (~5 KB for a
20-car leaderboard, so 10,000 clients at 10 Hz are ~500 MB/s through the
kernel, which is about half the server's CPU); the clients' reads run on
the same two cores, and so does the broker, which Tansu keeps busy: it
answers every fetch only when the fetch's wait runs out, so the
latency-profile consumers (processing, the hub, the load test's reader)
each cost it a query every few milliseconds even when idle. When the
server or the clients get less CPU than that needs, events wait in each
connection's queue (\`websocket.send_queue\`, 256) and write buffer:
latency grows with the backlog, until the hub drops events for a full
queue and evicts a client after 200 in a row (*closed by server*).

| clients | connected | events/s (all clients) | WebSocket | processed | server RSS idle, MiB | server peak RSS, MiB | server CPU s (per event delivered) | broker CPU s | all subscribed, s | closed by server | server nofile |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
$(ws_row 1000)
$(ws_row 10000)

## GraphQL

    $BIN/examples/bench_graphql --server http://127.0.0.1:PORT --seconds 10 --clients 32 --server-pid PID

Against a \`pitwall all\` with a running 20-car race: 32 keep-alive
connections from one client thread, each sending the next
\`race(id) { leaderboard { … 13 fields × 20 rows } }\` as soon as the last
answer is read. Then one car's hour at 10 Hz written to the history as
storage writes it and read back through \`telemetry(…, maxPoints: 500)\`.
The server's CPU time is read from \`/proc\` around the timed run, less
what it spends with the race running and no requests: ${GQL_US} µs of
server CPU per leaderboard request (${GQL_CPU} s over the whole GraphQL
benchmark). Unlike requests/s, that does not depend on what else the
machine runs; the load client's own CPU a request is printed beside it.

$(cat "$WORK/graphql.md")

## Warnings from the runs

$(warnings)
EOF
} >"$OUT"
log "done in ${TOOK} s"
