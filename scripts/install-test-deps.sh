#!/usr/bin/env bash
# Installs the real servers the integration tests start (Redis for the ring, Ceph RGW for S3)
# from Debian's packages when they are missing. Idempotent; starts nothing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bash "$here/redis/install.sh"
bash "$here/s3/install.sh"
