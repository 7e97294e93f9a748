#!/usr/bin/env bash
# Checks what a release daemon links (run by `make test` after it builds the release daemon).
#
#   scripts/check-footprint.sh DAEMON_BINARY
#
# The daemon links FoundationEssentials only: full Foundation brings CoreFoundation and ICU (33 MB of
# tables, its start-up state and relocations; 1.4-2.3 MiB more resident at 1,000 pods, measured 2026-12-06).
# One `import Foundation` in Sources/, or a dependency that needs it (Yams did), links it again; this
# fails then, naming the symbols found. It also fails when the binary needs a shared library beyond
# libsystemd's and the C/C++ runtime's (libyaml is linked statically: nothing more to install).
set -euo pipefail
daemon=${1:?daemon binary}

foundation=$(nm --defined-only "$daemon" | awk '{ print $NF }' \
    | grep -E '^(\$s10Foundation|\$s30FoundationInternationalization|_CFRuntime|__CFInitialize|_?u(col|cal|dat|num|loc)_)' || true)
if [ -n "$foundation" ]; then
    echo "check-footprint: $daemon links full Foundation or ICU ($(wc -l <<< "$foundation") symbols, e.g. $(head -n 3 <<< "$foundation" | tr '\n' ' '))" >&2
    echo "check-footprint: import FoundationEssentials instead (see the #if canImport(FoundationEssentials) blocks in Sources/)" >&2
    exit 1
fi
allowed='^(libsystemd\.so\.0|libm\.so\.6|libstdc\+\+\.so\.6|libgcc_s\.so\.1|libc\.so\.6|ld-linux-x86-64\.so\.2|ld-linux-aarch64\.so\.1)$'
needed=$(readelf -d "$daemon" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
unexpected=$(grep -vE "$allowed" <<< "$needed" || true)
if [ -n "$unexpected" ]; then
    echo "check-footprint: $daemon needs shared libraries beyond libsystemd's and the C/C++ runtime's: $(tr '\n' ' ' <<< "$unexpected")" >&2
    exit 1
fi
echo "check-footprint: no Foundation or ICU linked; shared libraries needed: $(tr '\n' ' ' <<< "$needed")"
