#!/usr/bin/env bash
# Installs and starts what is missing (PostgreSQL, Redis, the Tansu broker),
# builds Pitwall and runs every role in one process with a demo race.
# Open the URL it prints. Ctrl-C stops it cleanly.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/stack.sh up
bash scripts/toolchain.sh
# The binary embeds the dashboard's build: build it first.
(cd dashboard && npm ci --no-audit --no-fund && npm run build)
cargo build --bin pitwall
export PITWALL__HTTP__BIND="${PITWALL__HTTP__BIND:-127.0.0.1:8080}"
echo
echo "  Pitwall is starting: open http://${PITWALL__HTTP__BIND}/"
echo
exec target/debug/pitwall all --demo
