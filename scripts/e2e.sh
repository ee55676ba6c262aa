#!/usr/bin/env bash
# The browser test: starts `pitwall all` on its own port with its own topics,
# database and Redis prefix, drives the dashboard in headless Chromium
# (dashboard/e2e/live.mjs) and stops the server. Expects the stack up and
# the binary and dashboard built (scripts/test.sh does both).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if ! command -v chromium >/dev/null 2>&1; then
  echo "[e2e] installing Debian's chromium" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -q >/dev/null
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -yq chromium >/dev/null
fi

id="e2e_$(date +%s)_$$"
port=$(( 20000 + RANDOM % 20000 ))
db="pitwall_$id"
psql -h 127.0.0.1 -U postgres -d postgres -qc "create database \"$db\""
export PITWALL__HTTP__BIND="127.0.0.1:$port"
export PITWALL__KAFKA__TOPICS__RAW="${id}_raw" PITWALL__KAFKA__TOPICS__PROCESSED="${id}_processed"
export PITWALL__KAFKA__TOPICS__DLQ="${id}_dlq" PITWALL__KAFKA__TOPICS__COMMANDS="${id}_commands"
export PITWALL__KAFKA__PARTITIONS=2 PITWALL__KAFKA__GROUP_PREFIX="$id"
export PITWALL__POSTGRES__URL="postgres://postgres@127.0.0.1:5432/$db" PITWALL__REDIS__PREFIX="$id:"
log="$(mktemp -t pitwall-e2e.XXXXXX.log)"
target/debug/pitwall all >"$log" 2>&1 &
server=$!
cleanup() {
  kill -TERM "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  psql -h 127.0.0.1 -U postgres -d postgres -qc "drop database if exists \"$db\" with (force)" || true
  redis-cli --scan --pattern "$id:*" | xargs -r redis-cli del >/dev/null || true
}
trap cleanup EXIT

for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fs "http://127.0.0.1:$port/readyz" >/dev/null || { echo "[e2e] server not ready" >&2; tail -n 30 "$log" >&2; exit 1; }

# GraphiQL works offline: its page and every asset it loads come from this
# server (the binary), none from a CDN.
page="$(curl -fs "http://127.0.0.1:$port/graphiql")"
if grep -Eo '(src|href)="https?://[^"]*"' <<<"$page"; then
  echo "[e2e] /graphiql loads assets from another host" >&2; exit 1
fi
for asset in $(grep -Eo '(src|href)="/assets/[^"]*"' <<<"$page" | cut -d'"' -f2); do
  curl -fs -o /dev/null "http://127.0.0.1:$port$asset" || { echo "[e2e] $asset missing" >&2; exit 1; }
done
echo "[e2e] GraphiQL is served from the binary"

cd dashboard
if BASE_URL="http://127.0.0.1:$port" SCREENSHOT="$ROOT/docs/dashboard.png" timeout 240 node e2e/live.mjs; then
  echo "[e2e] browser test passed"
else
  echo "[e2e] browser test failed; server log:" >&2
  tail -n 40 "$log" >&2
  exit 1
fi
