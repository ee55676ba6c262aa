#!/usr/bin/env bash
# Makes sure the Rust toolchain has what the checks need, and the C tools
# librdkafka's build uses. Idempotent.
set -euo pipefail
if ! command -v cargo >/dev/null 2>&1; then
  echo "[toolchain] cargo not found: install Rust with rustup first" >&2
  exit 1
fi
if command -v rustup >/dev/null 2>&1; then
  for c in rustfmt clippy; do
    rustup component list --installed 2>/dev/null | grep -q "^$c" || rustup component add "$c"
  done
fi
missing=()
for tool in cc make perl; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "[toolchain] installing build tools for librdkafka (${missing[*]})" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -q >/dev/null
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -yq build-essential perl >/dev/null
fi
