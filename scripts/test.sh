#!/usr/bin/env bash
# Installs and starts what is missing (PostgreSQL, Redis, the Tansu broker),
# then runs every check: the dashboard's type check, unit tests and build,
# formatting, clippy, all tests against the real services, and the browser
# test. CI runs this through .ci/run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
start=$(date +%s)

bash scripts/stack.sh up
bash scripts/toolchain.sh

# The dashboard first: the binary embeds its build.
echo "== dashboard: install, type check, unit tests, build"
(cd dashboard && npm ci --no-audit --no-fund && npm run typecheck && npm test && npm run build)

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --all-targets -- -D warnings
echo "== cargo test"
cargo test --all-targets
echo "== browser test (headless Chromium against a real server)"
cargo build --bin pitwall
bash scripts/e2e.sh
echo "== all checks passed in $(( $(date +%s) - start )) s"
