#!/usr/bin/env bash
# Runs the tests that break things on purpose and writes what they measured
# into docs/guarantees.md, between its markers:
#   <!-- faults:begin --> … <!-- faults:end -->   tests/fault_matrix.rs
#   <!-- hostile:begin --> … <!-- hostile:end --> tests/hostile.rs
# `bash scripts/guarantees.sh hostile` (or `faults`) runs one of them.
# The fault matrix runs every row, the 30 s outages included (CI runs only
# the default rows). Needs the stack (scripts/stack.sh up) for PostgreSQL
# and Redis; the matrix starts its own private Tansu brokers.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DOC="$ROOT/docs/guarantees.md"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# Replaces what stands between <!-- NAME:begin --> and <!-- NAME:end --> in
# the doc with the contents of FILE.
splice() {
  local name=$1 file=$2
  grep -q "<!-- $name:begin -->" "$DOC" || { echo "no <!-- $name:begin --> in $DOC" >&2; exit 1; }
  awk -v begin="<!-- $name:begin -->" -v end="<!-- $name:end -->" -v file="$file" '
    $0 == begin { print; while ((getline line < file) > 0) print line; skip = 1; next }
    $0 == end { skip = 0 }
    !skip { print }
  ' "$DOC" >"$WORK/doc" && mv "$WORK/doc" "$DOC"
}

faults() {
  local report="$WORK/faults.md" started=$SECONDS status=0
  echo "== fault matrix (every row, one at a time; several minutes)"
  PITWALL_FAULT_REPORT="$report" cargo test --test fault_matrix -- --include-ignored \
    || status=$?
  [ -s "$report" ] || { echo "the fault matrix wrote no report" >&2; exit 1; }
  {
    cat "$report"
    echo
    echo "_Measured by \`scripts/guarantees.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores, in $(( SECONDS - started )) s$([ "$status" -eq 0 ] || echo "; SOME ROWS FAILED")._"
  } >"$WORK/faults.section"
  splice faults "$WORK/faults.section"
  return "$status"
}

hostile() {
  local report="$WORK/hostile.md" started=$SECONDS status=0
  echo "== hostile inputs (one server, every surface; a few minutes)"
  PITWALL_HOSTILE_REPORT="$report" cargo test --test hostile -- --nocapture \
    || status=$?
  [ -s "$report" ] || { echo "the hostile suite wrote no report" >&2; exit 1; }
  {
    cat "$report"
    echo
    echo "_Measured by \`scripts/guarantees.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores, in $(( SECONDS - started )) s$([ "$status" -eq 0 ] || echo "; SOME CASES WERE NOT HANDLED")._"
  } >"$WORK/hostile.section"
  splice hostile "$WORK/hostile.section"
  return "$status"
}

status=0
for part in "${@:-faults hostile}"; do
  for one in $part; do
    case $one in
      faults) faults || status=$? ;;
      hostile) hostile || status=$? ;;
      *) echo "unknown part $one (faults, hostile)" >&2; exit 2 ;;
    esac
  done
done
echo "== docs/guarantees.md updated"
exit "$status"
