#!/usr/bin/env bash
# Installs Debian's redis-server for the tests when it is missing; does nothing when it is present.
# Never starts a server (start.sh does) and never touches other packages.
set -euo pipefail

if command -v redis-server >/dev/null 2>&1; then
  echo "redis-server present: $(redis-server --version)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "redis-server is missing and this is not root; install it with: apt-get install -y redis-server" >&2
    exit 1
  fi
fi

$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y redis-server
echo "installed: $(redis-server --version)"
