#!/usr/bin/env bash
# Regenerates Linker/hot-functions.order, the layout of the daemon's code (run by `make hot-functions`).
#
#   scripts/hot-functions.sh DAEMON_BINARY BENCH_BINARY [OUTPUT]
#
# Records with valgrind's callgrind every function the release daemon runs on a node-sized cgroup fixture
# (1,000 pods x 2 containers, from `oomwatch-bench fixture`), in two parts: start-up (until the daemon has
# released its start-up code pages twice, with scrapes) and the steady loop after that (polls every
# 5 s, pod refreshes, a scrape every 15 s, for STEADY_SECONDS). The order file lists the steady loop's
# functions first, then those only start-up ran; each group sorted by name so regenerating gives small
# diffs. lld places them at the start of .text in that order (Package.swift), so after the daemon gives
# back its start-up pages the code it keeps touching is a few contiguous megabytes.
#
# Needs valgrind and curl (`make hot-functions` installs them). Not root: the fixture is plain files.
# Takes ~5 minutes.
set -euo pipefail
daemon=${1:?daemon binary}
bench=${2:?bench binary}
output=${3:-Linker/hot-functions.order}
steady_seconds=${STEADY_SECONDS:-150}
port=${HOT_FUNCTIONS_PORT:-19871}

for tool in valgrind callgrind_control curl nm strip; do
    command -v "$tool" > /dev/null || { echo "hot-functions: $tool is missing (scripts/install-deps.sh hot-functions)" >&2; exit 1; }
done

# Not /dev/shm: container runtimes mount it noexec and small.
work=$(mktemp -d "${TMPDIR:-/tmp}/oomwatch-hot-functions.XXXXXX")
valgrind_pid=""
cleanup() {
    if [ -n "$valgrind_pid" ] && kill -0 "$valgrind_pid" 2> /dev/null; then
        kill -KILL "$valgrind_pid" 2> /dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

fixture=$("$bench" fixture --pods 1000 --containers 2 --work-dir "$work")
mkdir -p "$work/state" "$work/journal"
# valgrind cannot read the DWARF 5 the toolchain's clang writes: profile a copy without debug sections
# (same code, same symbols).
strip --strip-debug -o "$work/oomwatch" "$daemon"

# --demangle=no: the order file needs the symbols' own names (the runtime's C++ ones too).
valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" --dump-instr=no --demangle=no \
    --compress-strings=no --compress-pos=no \
    "$work/oomwatch" run --listen "127.0.0.1:$port" --cgroup-root "$fixture" --state-dir "$work/state" \
    --journal-directory "$work/journal" --oom-score-adj 1000 > "$work/daemon.log" 2>&1 &
valgrind_pid=$!

scrape() { curl -s -o /dev/null --max-time 60 "http://127.0.0.1:$port$1" || true; }
# Start-up: until the daemon's second code trim (the first, logged, at readiness; the second 30 s later, at
# debug level), scraping as Prometheus would.
deadline=$((SECONDS + 900))
until grep -q 'released start-up code pages' "$work/daemon.log"; do
    if ! kill -0 "$valgrind_pid" 2> /dev/null; then
        echo "hot-functions: the daemon ended during start-up:" >&2; grep -v '^==' "$work/daemon.log" | tail -20 >&2; exit 1
    fi
    if [ $SECONDS -gt $deadline ]; then echo "hot-functions: the daemon did not get ready in 15 minutes" >&2; exit 1; fi
    scrape /metrics; scrape /readyz
    sleep 5
done
second_trim=$((SECONDS + 40))
while [ $SECONDS -lt $second_trim ]; do
    scrape /metrics
    sleep 10
done
callgrind_control --dump=start-up "$valgrind_pid" > /dev/null
# Steady loop, dumped before the daemon is stopped (its shutdown is not steady-loop code).
end=$((SECONDS + steady_seconds))
while [ $SECONDS -lt $end ]; do
    scrape /metrics
    sleep 15
done
callgrind_control --dump=steady "$valgrind_pid" > /dev/null
kill -TERM "$valgrind_pid"
wait "$valgrind_pid" || true
valgrind_pid=""

profiles=("$work"/callgrind.out.*)
if [ ${#profiles[@]} -lt 2 ] || [ ! -s "${profiles[0]}" ] || [ ! -s "${profiles[1]}" ]; then
    echo "hot-functions: callgrind wrote no start-up and steady profiles (${profiles[*]})" >&2; exit 1
fi
# Dumps are numbered in order: .1 start-up, .2 steady.
startup_profile="$work/callgrind.out.1"
steady_profile="$work/callgrind.out.2"
[ -s "$startup_profile" ] && [ -s "$steady_profile" ] || { echo "hot-functions: missing $startup_profile or $steady_profile" >&2; exit 1; }

# Functions named in a profile (run or called), without callgrind's recursion suffix ('2), that are code
# symbols of the binary (libc and the other shared libraries are not ours to lay out).
nm --defined-only "$daemon" | awk '$2 ~ /^[tTwW]$/ { print $3 }' | LC_ALL=C sort -u > "$work/symbols"
functions_in() {
    sed -nE "s/^c?fn=(.*)$/\1/p" "$1" | sed -E "s/'[0-9]+$//" | LC_ALL=C sort -u | LC_ALL=C comm -12 - "$work/symbols"
}
functions_in "$steady_profile" > "$work/steady"
functions_in "$startup_profile" | LC_ALL=C comm -23 - "$work/steady" > "$work/start-up-only"
cat "$work/steady" "$work/start-up-only" > "$output"
echo "hot-functions: $(wc -l < "$work/steady") steady-loop and $(wc -l < "$work/start-up-only") start-up functions -> $output"
