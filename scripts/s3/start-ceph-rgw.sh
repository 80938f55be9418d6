#!/bin/bash
# Starts a throwaway single-node Ceph cluster (mon + memstore OSD + radosgw) on 127.0.0.1 for tests.
# Never touches anything outside CEPH_DIR; data lives in memory and is lost when the daemons stop.
#
# usage: CEPH_DIR=/tmp/x RGW_PORT=7480 MON_PORT=16789 [WATCH_PID=1234] scripts/s3/start-ceph-rgw.sh
# Prints MON_PID=, OSD_PID=, RGW_PID= (and WATCHDOG_PID= with WATCH_PID) as each starts, then READY
# once RGW answers HTTP and the user exists. Credentials: ACCESS_KEY/SECRET_KEY (default LOKIAK /
# LOKISECRET). With WATCH_PID, a watchdog kills the daemons when that process exits.
# Stop: kill -9 the printed PIDs, then remove CEPH_DIR.
set -euo pipefail

D=${CEPH_DIR:?set CEPH_DIR}
RGW_PORT=${RGW_PORT:-7480}
MON_PORT=${MON_PORT:-16789}
ACCESS_KEY=${ACCESS_KEY:-LOKIAK}
SECRET_KEY=${SECRET_KEY:-LOKISECRET}
READY_TIMEOUT=${READY_TIMEOUT:-90}

for bin in ceph-mon ceph-osd radosgw radosgw-admin ceph ceph-authtool monmaptool curl; do
  command -v "$bin" >/dev/null 2>&1 || { echo "missing $bin: run scripts/s3/install.sh" >&2; exit 1; }
done

PIDS=()
cleanup_on_failure() {
  local rc=$?
  if [ $rc -ne 0 ]; then
    [ ${#PIDS[@]} -gt 0 ] && kill -9 "${PIDS[@]}" 2>/dev/null || true
    echo "ceph start failed (rc=$rc); logs in $D/log" >&2
    tail -n 20 "$D"/log/*.out >&2 2>/dev/null || true
  fi
}
trap cleanup_on_failure EXIT

rm -rf "$D"
mkdir -p "$D"/{mon,osd0,run,log,rgw}
FSID=$(cat /proc/sys/kernel/random/uuid)
cat > "$D/ceph.conf" <<CONF
[global]
fsid = $FSID
mon host = v1:127.0.0.1:$MON_PORT
public addr = 127.0.0.1
cluster addr = 127.0.0.1
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = true
run dir = $D/run
admin socket = $D/run/\$name.asok
log file = $D/log/\$name.log
keyring = $D/keyring
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon allow pool delete = true
mon max pg per osd = 1000
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
ms bind ipv6 = false
ms bind msgr2 = false
paxos propose interval = 0.05
paxos min wait = 0.01
[mon.a]
mon data = $D/mon
[osd.0]
osd data = $D/osd0
osd objectstore = memstore
memstore device bytes = 2147483648
osd max object name len = 460
osd max object namespace len = 64
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT
rgw data = $D/rgw
rgw dns name = localhost
CONF

C=(-c "$D/ceph.conf")
ceph-authtool --create-keyring "$D/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
ceph-authtool "$D/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' >/dev/null
monmaptool --create --addv a "v1:127.0.0.1:$MON_PORT" --fsid "$FSID" "$D/monmap" >/dev/null
ceph-mon "${C[@]}" --mkfs -i a --monmap "$D/monmap" --keyring "$D/keyring"

ceph-mon "${C[@]}" -i a -f </dev/null >"$D/log/mon.out" 2>&1 &
MON_PID=$!; PIDS+=("$MON_PID"); echo "MON_PID=$MON_PID"

if [ -n "${WATCH_PID:-}" ]; then
  (
    while kill -0 "$WATCH_PID" 2>/dev/null && kill -0 "$MON_PID" 2>/dev/null; do sleep 1; done
    kill -9 "${PIDS[@]}" $(cat "$D/pids" 2>/dev/null) 2>/dev/null || true
    kill -0 "$WATCH_PID" 2>/dev/null || rm -rf "$D"
  ) </dev/null >/dev/null 2>&1 &
  echo "WATCHDOG_PID=$!"
fi

OSD_UUID=$(cat /proc/sys/kernel/random/uuid)
timeout 30 ceph "${C[@]}" osd new "$OSD_UUID" 0 >/dev/null

# An OSD that talks to the mon before it has the monmap sends a zero fsid ("wrong fsid") and then
# hangs in init; start it afresh until it reports active.
osd_active=
for attempt in 1 2 3 4 5; do
  rm -rf "$D/osd0"; mkdir -p "$D/osd0"; : > "$D/log/osd.0.log"
  ceph-osd "${C[@]}" -i 0 --mkfs --osd-uuid "$OSD_UUID" >"$D/log/osd-mkfs.out" 2>&1
  ceph-osd "${C[@]}" -i 0 -f </dev/null >"$D/log/osd.out" 2>&1 &
  OSD_PID=$!
  echo "$OSD_PID" > "$D/pids"
  for _ in $(seq 100); do
    if grep -q 'state: booting -> active' "$D/log/osd.0.log"; then osd_active=1; break; fi
    if grep -q 'wrong fsid' "$D/log/osd.out" || ! kill -0 "$OSD_PID" 2>/dev/null; then break; fi
    sleep 0.1
  done
  [ -n "$osd_active" ] && break
  kill -9 "$OSD_PID" 2>/dev/null || true
  wait "$OSD_PID" 2>/dev/null || true
  echo "osd start attempt $attempt failed, retrying" >&2
done
[ -n "$osd_active" ] || { echo "osd did not become active" >&2; exit 1; }
PIDS+=("$OSD_PID"); echo "OSD_PID=$OSD_PID"

radosgw "${C[@]}" -n client.rgw.a -f </dev/null >"$D/log/rgw.out" 2>&1 &
RGW_PID=$!; PIDS+=("$RGW_PID"); echo "RGW_PID=$RGW_PID"
echo "$OSD_PID $RGW_PID" > "$D/pids"

deadline=$((SECONDS + READY_TIMEOUT))
until curl -s -o /dev/null "http://127.0.0.1:$RGW_PORT/"; do
  if [ $SECONDS -ge $deadline ]; then echo "radosgw did not answer on port $RGW_PORT within ${READY_TIMEOUT}s" >&2; exit 1; fi
  kill -0 "$RGW_PID" 2>/dev/null || { echo "radosgw exited" >&2; exit 1; }
  sleep 0.2
done
radosgw-admin "${C[@]}" user create --uid=loki --display-name=loki \
  --access-key="$ACCESS_KEY" --secret="$SECRET_KEY" >"$D/log/user-create.out"
echo READY
