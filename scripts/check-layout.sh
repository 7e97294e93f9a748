#!/usr/bin/env bash
# Checks that a release daemon was linked with the code layout of Linker/hot-functions.order (run by
# `make test` after it builds the release daemon, which `make run` starts).
#
#   scripts/check-layout.sh DAEMON_BINARY [ORDER_FILE]
#
# Fails when the binary was not linked by lld or its .text does not start with the listed functions (the
# layout was dropped: the daemon would keep ~3 MiB more of its code resident). Prints how many listed
# functions the binary still has; when code has moved on so far that fewer than half are found, it says to
# regenerate the list (`make hot-functions`) without failing: a stale list costs memory, not correctness.
set -euo pipefail
daemon=${1:?daemon binary}
order=${2:-Linker/hot-functions.order}

comment=$(readelf -p .comment "$daemon")
if ! grep -q "Linker: LLD" <<< "$comment"; then
    echo "check-layout: $daemon was not linked by lld (Package.swift's release linker settings were not applied)" >&2
    exit 1
fi
"$daemon" --version > /dev/null || { echo "check-layout: $daemon --version failed" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
nm -n --defined-only "$daemon" | awk '$2 ~ /^[tTwW]$/ { print $1, $3 }' > "$work/by-address"
if [ ! -s "$work/by-address" ]; then
    echo "check-layout: $daemon has no symbol table (stripped?): cannot check its layout" >&2
    exit 1
fi
LC_ALL=C sort -u "$order" > "$work/listed"
listed=$(wc -l < "$work/listed")
[ "$listed" -gt 0 ] || { echo "check-layout: $order is empty" >&2; exit 1; }
awk '{ print $2 }' "$work/by-address" | LC_ALL=C sort -u > "$work/defined"
found=$(LC_ALL=C comm -12 "$work/listed" "$work/defined" | wc -l)
# The first 1,000 functions of .text (one name per address): with the layout applied most are listed ones
# (84 % on 2026-12-06; the rest share a section with a listed function in a library built without one
# section per function); linked without it, a few (6 %).
awk '!seen[$1]++ { print $2; if (++n == 1000) exit }' "$work/by-address" | LC_ALL=C sort > "$work/first"
first_total=$(wc -l < "$work/first")
first_listed=$(LC_ALL=C comm -12 "$work/first" "$work/listed" | wc -l)
echo "check-layout: $found of $listed listed functions are in the binary; $first_listed of the first $first_total functions of .text are listed"
if [ "$found" -eq 0 ]; then
    echo "check-layout: none of the listed functions is in the binary" >&2
    exit 1
fi
if [ "$first_listed" -lt $((first_total / 2)) ]; then
    echo "check-layout: .text does not start with the listed functions: the order file was not applied" >&2
    exit 1
fi
if [ "$found" -lt $((listed / 2)) ]; then
    echo "check-layout: fewer than half of the listed functions are left; regenerate the list with 'make hot-functions'"
fi
