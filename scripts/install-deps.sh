#!/usr/bin/env bash
# Installs what building, running and testing oomwatch needs on Debian/Ubuntu, only when missing.
# Usage: scripts/install-deps.sh [run|test|bench|screenshot|hot-functions]
set -euo pipefail

purpose="${1:-test}"
# Debian packages, by purpose. libsystemd-dev: sd-journal/sd-daemon headers (the CSystemd module);
# libyaml-dev: libyaml's header and libyaml.a (the CYAML module, linked statically).
packages=(libsystemd-dev libyaml-dev pkg-config gcc)
case "$purpose" in
  run) ;;
  test|bench)
    # systemd: journald started by the end-to-end tests; systemd-journal-remote: fixture journals;
    # prometheus: promtool and a real server scraping the daemon; wrk and node_exporter: load and comparison.
    packages+=(systemd systemd-journal-remote prometheus wrk prometheus-node-exporter procps psmisc)
    ;;
  screenshot) packages+=(chromium curl) ;;  # headless Chromium takes docs/status-page.png
  hot-functions) packages+=(valgrind curl binutils) ;;  # callgrind records the code layout (make hot-functions)
  *) echo "usage: $0 [run|test|bench|screenshot|hot-functions]" >&2; exit 2 ;;
esac

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done

if ((${#missing[@]})); then
  echo "oomwatch: installing Debian packages: ${missing[*]}"
  if [[ $(id -u) -eq 0 ]]; then sudo=(); elif command -v sudo >/dev/null; then sudo=(sudo); else
    echo "oomwatch: need root (or sudo) to apt-get install ${missing[*]}" >&2; exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  # Services in these packages must not start on install (policy-rc.d in containers, or no systemd).
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null; then
  cat >&2 <<'MSG'
oomwatch: the Swift toolchain (6.1 or later) is not on PATH. Debian does not package it: install it
from swift.org (or use the swift:6.1 container image), then run this again.
MSG
  exit 1
fi
