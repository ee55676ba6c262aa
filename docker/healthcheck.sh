#!/bin/bash
# pitwall-healthcheck [PATH]: asks the pitwall in this container for PATH
# (default /healthz) on the port of PITWALL__HTTP__BIND and exits 0 on an
# HTTP 200, 1 otherwise. Plain bash (/dev/tcp), so the image needs no curl.
set -u
path="${1:-/healthz}"
bind="${PITWALL__HTTP__BIND:-0.0.0.0:8080}"
port="${bind##*:}"
host="${bind%:*}"
host="${host#[}"
host="${host%]}"
case "$host" in
  "" | 0.0.0.0 | "::") host=127.0.0.1 ;;
esac
if ! exec 3<>"/dev/tcp/${host}/${port}"; then
  echo "pitwall-healthcheck: cannot connect to ${host}:${port}" >&2
  exit 1
fi
printf 'GET %s HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$path" >&3
status=""
IFS= read -r -t 5 status <&3 || true
exec 3<&-
case "$status" in
  "HTTP/1."?" 200 "*) exit 0 ;;
esac
echo "pitwall-healthcheck: GET ${path}: ${status:-no answer}" >&2
exit 1
