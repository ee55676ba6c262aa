#!/usr/bin/env bash
# Installs and starts what is missing (PostgreSQL, Redis, the Tansu broker),
# then runs every check: formatting, clippy, and all tests against the real
# services. CI runs this through .ci/run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
start=$(date +%s)

bash scripts/stack.sh up
bash scripts/toolchain.sh

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --all-targets -- -D warnings
echo "== cargo test"
cargo test --all-targets
echo "== all checks passed in $(( $(date +%s) - start )) s"
