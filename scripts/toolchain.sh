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

# The dashboard is built with Vite, which needs Node.js 20 or later; Debian
# 12's own nodejs is 18, so a missing or old Node is reported, not patched.
if ! command -v node >/dev/null 2>&1; then
  echo "[toolchain] installing Node.js and npm from Debian's packages" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -q >/dev/null
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -yq nodejs npm >/dev/null
fi
node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$node_major" -lt 20 ]; then
  echo "[toolchain] Node.js $(node --version 2>/dev/null) is too old for the dashboard's Vite build: install Node.js 20 or later" >&2
  exit 1
fi
