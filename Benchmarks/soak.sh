#!/usr/bin/env bash
# oomwatch soak run (root, cgroup v1 memory at /sys/fs/cgroup/memory): for SOAK_MINUTES (default 10) the
# release daemon runs while
#   - a killer loop OOM-kills a small allocator over and over, each time in a fresh throwaway memory
#     cgroup capped at 16 MiB (real kernel memcg OOM kills, read back from /dev/kmsg);
#   - a churn loop creates and removes pod-like cgroups (kubepods/burstable/pod<uid>/<container>) in
#     batches, so the daemon's cgroup walker, histories and series expiry see constant turnover;
#   - the daemon's VmRSS is sampled every 5 s and /metrics is scraped every 5 s.
# At the end it checks: the daemon is alive; every kill pid appears exactly once in /events; RSS is flat
# (mean of the last quarter of samples <= mean of the first quarter + 10 % + 2 MiB). Exit 0 only if all hold.
# Usage: make soak [SOAK_MINUTES=2]   or   OOMWATCH=.build/release/oomwatch SOAK_MINUTES=2 bash Benchmarks/soak.sh
# Everything it creates is named oomwatch-soak-<pid>-... and removed at exit.
set -euo pipefail

minutes="${SOAK_MINUTES:-10}"
daemon_bin="${OOMWATCH:-.build/release/oomwatch}"
memory_root=/sys/fs/cgroup/memory

[[ $(id -u) -eq 0 ]] || { echo "soak: needs root (cgroups, /dev/kmsg)" >&2; exit 1; }
[[ -w $memory_root ]] || { echo "soak: needs a writable cgroup v1 memory hierarchy at $memory_root" >&2; exit 1; }
[[ -x $daemon_bin ]] || { echo "soak: $daemon_bin not built (make soak builds it)" >&2; exit 1; }

work=$(mktemp -d /tmp/oomwatch-soak-$$-XXXXXX)
scratch="$memory_root/oomwatch-soak-$$"
mkdir "$scratch"
pids_to_stop=()

cleanup() {
  set +e
  for pid in "${pids_to_stop[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  # Deepest first; retry while tasks are exiting.
  for attempt in 1 2 3 4 5; do
    find "$scratch" -depth -type d -exec rmdir {} \; 2>/dev/null
    [[ -d $scratch ]] || break
    sleep 0.5
  done
  [[ -d $scratch ]] && echo "soak: could not remove $scratch" >&2
  rm -rf "$work"
}
trap cleanup EXIT

cat > "$work/soakalloc.c" <<'C'
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
    size_t size = (size_t)atoi(argc > 1 ? argv[1] : "64") << 20;
    char *p = malloc(size);
    if (!p) return 3;
    for (size_t i = 0; i < size; i += 4096) p[i] = 1;
    for (;;) pause();
}
C
cc -O1 -o "$work/soakalloc" "$work/soakalloc.c"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/state"
# A journal directory that does not exist: the daemon falls back to /dev/kmsg, where the kernel writes the
# kill lines whether or not a journald runs (this VM runs none; an empty directory would be opened as an
# empty journal instead).
"$daemon_bin" run --listen "127.0.0.1:$port" --state-dir "$work/state" --journal-directory "$work/no-journal-here" \
  --poll-interval 1s --log-level notice > "$work/daemon.log" 2>&1 &
daemon=$!
pids_to_stop+=("$daemon")
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/readyz" >/dev/null || { echo "soak: daemon not ready"; cat "$work/daemon.log"; exit 1; }

soak_start=$(date +%s)
end=$(( soak_start + minutes * 60 ))

killer() {
  local i=0
  while (( $(date +%s) < end )); do
    local cg="$scratch/kill-$i"
    mkdir "$cg"
    echo $((16 << 20)) > "$cg/memory.limit_in_bytes"
    echo 0 > "$cg/memory.swappiness" 2>/dev/null || true
    echo $((16 << 20)) > "$cg/memory.memsw.limit_in_bytes" 2>/dev/null || true
    sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2" 64' sh "$cg" "$work/soakalloc" &
    local pid=$!
    local status=0
    { wait "$pid"; } 2>/dev/null || status=$?   # (no "Killed" job notice per kill)
    if (( status == 137 )); then echo "$pid" >> "$work/kills"; else echo "$pid $status" >> "$work/not-killed"; fi
    for _ in 1 2 3 4 5 6 7 8 9 10; do rmdir "$cg" 2>/dev/null && break; sleep 0.1; done
    i=$((i + 1))
    sleep 0.3
  done
}

churn() {
  local round=0
  mkdir -p "$scratch/kubepods/burstable" "$scratch/kubepods/besteffort"
  while (( $(date +%s) < end )); do
    local tier=burstable; (( round % 2 )) && tier=besteffort
    local made=()
    for p in $(seq 20); do
      local pod="$scratch/kubepods/$tier/pod$(cat /proc/sys/kernel/random/uuid)"
      mkdir "$pod" "$pod/$(printf '%064x' $((round * 100 + p)))" "$pod/$(printf '%064x' $((round * 100 + p + 50)))"
      made+=("$pod")
    done
    sleep 2
    for pod in "${made[@]}"; do rmdir "$pod"/* "$pod" 2>/dev/null || true; done
    round=$((round + 1))
  done
  echo "$round" > "$work/churn-rounds"
}

sampler() {
  local n=0
  while (( $(date +%s) < end )); do
    awk '/^VmRSS:/ { print $2 }' "/proc/$daemon/status" >> "$work/rss" || echo "daemon gone" >> "$work/rss"
    curl -sf -o /dev/null "http://127.0.0.1:$port/metrics" || echo 1 >> "$work/scrape-failures"
    # /events answers at most 1,000 events per request: take the last 2 minutes every 5 s (a few hundred
    # kills at most) and merge them at the end, so a run with thousands of kills is checked in full.
    curl -sf "http://127.0.0.1:$port/events?type=oom_kill&limit=1000&since=2m" > "$work/events-$n.json" || true
    n=$((n + 1))
    sleep 5
  done
}

echo "soak: $minutes min, daemon pid $daemon on 127.0.0.1:$port, scratch cgroups under $scratch"
killer & pids_to_stop+=($!)
churn & pids_to_stop+=($!)
sampler & sampler_pid=$!
wait "${pids_to_stop[1]}" "${pids_to_stop[2]}" "$sampler_pid"
sleep 3   # the last kill's trailing lines (the assembler holds a kill 250 ms for oom_reaper lines)

kill -0 "$daemon" 2>/dev/null || { echo "soak: FAIL: the daemon died"; tail -50 "$work/daemon.log"; exit 1; }
curl -sf "http://127.0.0.1:$port/events?type=oom_kill&limit=1000&since=2m" > "$work/events-final.json"
touch "$work/kills" "$work/not-killed" "$work/scrape-failures"

python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
kills = [int(l) for l in open(f"{work}/kills") if l.strip()]
import glob
# The snapshots overlap: the same event appears in several; a kill reported twice is two distinct events.
distinct = {}
for path in sorted(glob.glob(f"{work}/events-*.json")):
    try: snapshot = json.load(open(path))["events"]
    except Exception: continue
    for event in snapshot:
        distinct[event.get("id") or json.dumps(event, sort_keys=True)] = event
events = list(distinct.values())
def victim_pids(event):
    found = []
    def walk(node):
        if isinstance(node, dict):
            victim = node.get("victim")
            if isinstance(victim, dict) and isinstance(victim.get("pid"), int):
                found.append((victim["pid"], str(victim.get("comm", ""))))
            for value in node.values(): walk(value)
        elif isinstance(node, list):
            for value in node: walk(value)
    walk(event)
    return found
seen = {}
for event in events:
    for pid, comm in victim_pids(event):
        if "soakalloc" in comm:
            seen[pid] = seen.get(pid, 0) + 1
# Pids wrap in a long run (thousands of processes): a pid killed twice must be listed twice, no more.
expected = {}
for p in kills: expected[p] = expected.get(p, 0) + 1
missing = [p for p, n in expected.items() if seen.get(p, 0) < n]
doubled = {p: n for p, n in seen.items() if n > expected.get(p, 1)}
reused = sum(1 for n in expected.values() if n > 1)
extra = [p for p in seen if p not in set(kills)]
rss = [int(l) for l in open(f"{work}/rss") if l.strip().isdigit()]
q = max(1, len(rss) // 4)
first, last = sum(rss[:q]) / q, sum(rss[-q:]) / q
flat = last <= first * 1.10 + 2048
not_killed = [l.strip() for l in open(f"{work}/not-killed") if l.strip()]
failures = sum(1 for l in open(f"{work}/scrape-failures") if l.strip())
try: rounds = int(open(f"{work}/churn-rounds").read())
except Exception: rounds = 0
print(f"soak: kills {len(kills)} (allocators not OOM-killed: {len(not_killed)}), in /events: {len(seen)}, "
      f"missing {len(missing)}, duplicated {len(doubled)}, "
      f"other soakalloc kills (earlier runs, replayed from the ring buffer) {len(extra)}; pids reused by a later killed allocator {reused}")
print(f"soak: churn rounds {rounds} ({rounds * 20} pod cgroups with 2 containers created and removed); scrape failures {failures}")
print(f"soak: daemon VmRSS samples {len(rss)}: first quarter mean {first/1024:.1f} MiB, last quarter mean {last/1024:.1f} MiB, "
      f"min {min(rss)/1024:.1f} MiB, max {max(rss)/1024:.1f} MiB -> {'flat' if flat else 'GROWING'}")
ok = kills and not missing and not doubled and flat and failures == 0
if missing: print("soak: missing pids:", missing[:20])
if doubled: print("soak: duplicated pids:", list(doubled.items())[:20])
print("soak: PASS" if ok else "soak: FAIL")
sys.exit(0 if ok else 1)
PY
