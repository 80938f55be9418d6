#!/usr/bin/env bash
# Starts a throwaway redis-server on 127.0.0.1 (no persistence) for tests and waits until it answers PING.
# usage: REDIS_PORT=6390 REDIS_DIR=/tmp/redis-test scripts/redis/start.sh
# prints REDIS_PID=<pid> and REDIS_TEST_ENDPOINT=127.0.0.1:<port>; stop it with scripts/redis/stop.sh.
set -euo pipefail

PORT=${REDIS_PORT:-6390}
DIR=${REDIS_DIR:-$(mktemp -d -t redis-test.XXXXXX)}
mkdir -p "$DIR"

redis-server --bind 127.0.0.1 --port "$PORT" --save '' --appendonly no --daemonize no --dir "$DIR" \
  > "$DIR/redis.log" 2>&1 &
PID=$!
echo "$PID" > "$DIR/redis.pid"

for _ in $(seq 1 100); do
  if [ "$(redis-cli -h 127.0.0.1 -p "$PORT" ping 2>/dev/null || true)" = "PONG" ]; then
    echo "REDIS_PID=$PID"
    echo "REDIS_DIR=$DIR"
    echo "REDIS_TEST_ENDPOINT=127.0.0.1:$PORT"
    exit 0
  fi
  if ! kill -0 "$PID" 2>/dev/null; then
    echo "redis-server exited; log follows" >&2
    cat "$DIR/redis.log" >&2
    exit 1
  fi
  sleep 0.1
done
echo "redis-server did not answer PING within 10s" >&2
kill "$PID" 2>/dev/null || true
exit 1
