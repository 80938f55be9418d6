#!/bin/bash
# Installs what the S3 integration tests need (Ceph RGW from Debian, curl) when it is missing.
# Idempotent: does nothing when the binaries are already there; never starts a server.
set -euo pipefail

missing=()
command -v radosgw >/dev/null 2>&1 || missing+=(ceph-mon ceph-osd radosgw)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ ${#missing[@]} -eq 0 ]; then
  echo "s3: ceph-mon, ceph-osd, radosgw and curl are installed"
  exit 0
fi

SUDO=
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
