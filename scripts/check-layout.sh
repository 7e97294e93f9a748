#!/usr/bin/env bash
# Checks that a release daemon was linked with the code layout of Linker/hot-functions.order (run by
# `make test` after it builds the release daemon, which `make run` starts).
#
#   scripts/check-layout.sh DAEMON_BINARY [ORDER_FILE]
#
# Fails when the binary was not linked by lld or its .text does not start with the listed functions (the
# layout was dropped: the daemon would keep ~2 MiB more of its code resident). Prints how many listed
# functions the binary still has; when code has moved on so far that fewer than half are found, it says to
# regenerate the list (`make hot-functions`) without failing: a stale list costs memory, not correctness.
set -euo pipefail
daemon=${1:?daemon binary}
order=${2:-Linker/hot-functions.order}

if ! readelf -p .comment "$daemon" | grep -q "Linker: LLD"; then
    echo "check-layout: $daemon was not linked by lld (Package.swift's release linker settings were not applied)" >&2
    exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
nm -n --defined-only "$daemon" | awk '$2 ~ /^[tTwW]$/ { print $1, $3 }' > "$work/by-address"
LC_ALL=C sort -u "$order" > "$work/listed"
awk '{ print $2 }' "$work/by-address" | LC_ALL=C sort -u > "$work/defined"
listed=$(wc -l < "$work/listed")
found=$(LC_ALL=C comm -12 "$work/listed" "$work/defined" | wc -l)
# The first 200 functions of .text: with the layout applied most are listed ones (the rest share a section
# with a listed function in a library built without one section per function).
head -200 "$work/by-address" | awk '{ print $2 }' | LC_ALL=C sort -u > "$work/first"
first_listed=$(LC_ALL=C comm -12 "$work/first" "$work/listed" | wc -l)
first_total=$(wc -l < "$work/first")
"$daemon" --version > /dev/null || { echo "check-layout: $daemon --version failed" >&2; exit 1; }
echo "check-layout: $found of $listed listed functions are in the binary; $first_listed of the first $first_total functions of .text are listed"
if [ "$first_listed" -lt $((first_total / 2)) ]; then
    echo "check-layout: .text does not start with the listed functions: the order file was not applied" >&2
    exit 1
fi
if [ "$found" -lt $((listed / 2)) ]; then
    echo "check-layout: fewer than half of the listed functions are left; regenerate the list with 'make hot-functions'"
fi
