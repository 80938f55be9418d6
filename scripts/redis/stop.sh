#!/usr/bin/env bash
# Stops the redis-server that start.sh started in REDIS_DIR (by its recorded pid) and removes the directory.
# usage: REDIS_DIR=/tmp/redis-test scripts/redis/stop.sh
set -euo pipefail

DIR=${REDIS_DIR:?set REDIS_DIR to the directory start.sh printed}
if [ -f "$DIR/redis.pid" ]; then
  PID=$(cat "$DIR/redis.pid")
  if kill "$PID" 2>/dev/null; then
    for _ in $(seq 1 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
  fi
fi
rm -rf "$DIR"
