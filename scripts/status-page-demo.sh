#!/usr/bin/env bash
# Takes docs/status-page.png: runs the daemon for real (as root) over a throwaway cgroup v1 tree laid out
# like a node (kubepods, system.slice, kube.slice), runs workloads that the kernel OOM-kills for real,
# then screenshots GET / with headless Chromium. Pods are named through a pod log tree as kubelet
# writes it, and a kubelet configuration enforces system-reserved and kube-reserved on the two slices
# (the seed incident's shape). Everything created is removed on exit.
#   sudo scripts/status-page-demo.sh [seconds-of-workload (default 240)] [output.png]     (or: make screenshot)
# The kernel log is shared: kills of other cgroups are not this demo node's and are not shown
# (--cgroup-hierarchy-prefix).
set -euo pipefail
DURATION=${1:-240}
OUT=${2:-docs/status-page.png}
BIN=${OOMWATCH_BIN:-.build/debug/oomwatch}
MEM=/sys/fs/cgroup/memory
NAME=oomwatch-test-demo-$$
ROOT=$MEM/$NAME
WORK=$(mktemp -d /tmp/oomwatch-demo-XXXXXX)
PORT=${PORT:-19848}
PIDS=()

cleanup() {
    set +e
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    [[ -n ${DAEMON:-} ]] && kill "$DAEMON" 2>/dev/null && wait "$DAEMON" 2>/dev/null
    # Kill anything left in the scratch tree, then remove it bottom-up.
    if [[ -d $ROOT ]]; then
        find "$ROOT" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -9 2>/dev/null
        sleep 0.5
        find "$ROOT" -depth -type d -exec rmdir {} \; 2>/dev/null
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# A process that grows from START to TARGET MiB over SECONDS (touching every page), then holds.
cat > "$WORK/ramp.c" <<'C'
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
    size_t start = strtoull(argv[1], 0, 10), target = strtoull(argv[2], 0, 10);
    double seconds = atof(argv[3]);
    size_t have = 0, steps = seconds > 0 ? (size_t)(seconds * 4) : 1;
    for (size_t s = 0; s <= steps; s++) {
        size_t want = start + (target - start) * s / steps;
        while (have < want) { char *p = malloc(1 << 20); for (int i = 0; i < (1 << 20); i += 4096) p[i] = 1; have++; }
        usleep(250000);
    }
    for (;;) pause();
}
C
cc -O1 -o "$WORK/ramp" "$WORK/ramp.c"
for comm in java nginx haproxy kubelet backup-job; do cp "$WORK/ramp" "$WORK/$comm"; done

POD_UID=$(cat /proc/sys/kernel/random/uuid)
BE_UID=$(cat /proc/sys/kernel/random/uuid)
CID=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
CID2=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
JAVA=kubepods/burstable/pod$POD_UID/$CID
NGINX=kubepods/besteffort/pod$BE_UID/$CID2
mkdir -p "$ROOT/$JAVA" "$ROOT/$NGINX" "$ROOT/system.slice/haproxy.service" "$ROOT/system.slice/backup.service" "$ROOT/kube.slice/kubelet.service"
echo $((768 << 20)) > "$ROOT/kubepods/memory.limit_in_bytes"
echo $((160 << 20)) > "$ROOT/$JAVA/memory.limit_in_bytes"
echo $((192 << 20)) > "$ROOT/system.slice/memory.limit_in_bytes"
echo $((128 << 20)) > "$ROOT/kube.slice/memory.limit_in_bytes"

# Pod and container names, as kubelet lays them out in /var/log/pods and /var/log/containers.
mkdir -p "$WORK/pods/shop_checkout-7d9f6c5b8-x2x9q_$POD_UID/app" "$WORK/pods/batch_thumbnailer-5f7d9_$BE_UID/resize" "$WORK/containers"
touch "$WORK/pods/shop_checkout-7d9f6c5b8-x2x9q_$POD_UID/app/0.log" "$WORK/pods/batch_thumbnailer-5f7d9_$BE_UID/resize/0.log"
ln -s "$WORK/pods/shop_checkout-7d9f6c5b8-x2x9q_$POD_UID/app/0.log" "$WORK/containers/checkout-7d9f6c5b8-x2x9q_shop_app-$CID.log"
ln -s "$WORK/pods/batch_thumbnailer-5f7d9_$BE_UID/resize/0.log" "$WORK/containers/thumbnailer-5f7d9_batch_resize-$CID2.log"
# The kubelet configuration that caps the slices (cgroup paths relative to this demo node's root).
cat > "$WORK/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: cgroupfs
enforceNodeAllocatable: [pods, system-reserved, kube-reserved]
systemReserved: {memory: 192Mi}
systemReservedCgroup: /system.slice
kubeReserved: {memory: 128Mi}
kubeReservedCgroup: /kube.slice
evictionHard: {memory.available: 100Mi}
YAML

# run CGROUP COMM START TARGET SECONDS: starts a workload inside CGROUP (relative to the scratch root).
run() { sh -c "echo \$\$ > $ROOT/$1/cgroup.procs; exec $WORK/$2 $3 $4 $5" & PIDS+=($!); }

"$BIN" run --listen 127.0.0.1:$PORT --cgroup-hierarchy-prefix "/$NAME" --poll-interval 1s \
    --state-dir "$WORK/state" --journal-directory "$WORK/no-journal" --kubelet-config "$WORK/kubelet.yaml" \
    --pod-log-dir "$WORK/pods" --container-log-dir "$WORK/containers" >"$WORK/daemon.log" 2>&1 &
DAEMON=$!
sleep 2

run kube.slice/kubelet.service kubelet 30 60 60
run system.slice/haproxy.service haproxy 40 90 30
run "$NGINX" nginx 20 70 120
start=$SECONDS
java_pid=""; backup_started=0
while (( SECONDS - start < DURATION )); do
    # The burstable container grows past its 160 MiB limit, is killed, and is restarted (as kubelet would).
    if [[ -z $java_pid ]] || ! kill -0 "$java_pid" 2>/dev/null; then
        run "$JAVA" java 60 220 50; java_pid=$!
    fi
    # A backup job in system.slice pushes the slice over its 192 MiB cap once, mid-way.
    if (( backup_started == 0 && SECONDS - start > DURATION / 3 )); then
        run system.slice/backup.service backup-job 10 160 40; backup_started=1
    fi
    sleep 1
done

curl -fsS "http://127.0.0.1:$PORT/events?type=oom_kill&limit=5" >/dev/null
mkdir -p "$(dirname "$OUT")"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,${HEIGHT:-1600} \
    --screenshot="$OUT" "http://127.0.0.1:$PORT/?window=${WINDOW:-5m}" 2>/dev/null
echo "screenshot: $OUT"
if [[ -n ${KEEP_OUTPUT:-} ]]; then
    COLUMNS=100 "$BIN" status --server "http://127.0.0.1:$PORT" > "$KEEP_OUTPUT.status.txt"
    COLUMNS=100 "$BIN" events --server "http://127.0.0.1:$PORT" --limit 8 > "$KEEP_OUTPUT.events.txt"
    curl -fsS "http://127.0.0.1:$PORT/?window=${WINDOW:-5m}" > "$KEEP_OUTPUT.html"
fi
