#!/usr/bin/env bash
# Idempotent setup for openfarm: system packages, node_modules, build.
# Safe to run again and again; each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[setup] %s\n' "$*"; }

# --- 1. System packages -------------------------------------------------------
# Debian package name -> a command that proves it is installed.
declare -A probe=(
  [blender]=blender
  [redis-server]=redis-server
  [postgresql]=__postgres
  [chromium]=chromium
  [openimageio-tools]=oiiotool
  [rsync]=rsync
  [ceph-mon]=ceph-mon
  [ceph-osd]=ceph-osd
  [radosgw]=radosgw
  [tinyproxy]=tinyproxy
  [dante-server]=danted
)
have() {
  if [ "$1" = __postgres ]; then
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1
  else
    command -v "$1" >/dev/null 2>&1
  fi
}
missing=()
for pkg in "${!probe[@]}"; do
  have "${probe[$pkg]}" || missing+=("$pkg")
done
if [ "${OPENFARM_SKIP_APT:-}" = 1 ]; then
  [ ${#missing[@]} -eq 0 ] || say "OPENFARM_SKIP_APT=1: not installing ${missing[*]}"
elif [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    say "installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    say "missing system packages: ${missing[*]}"
    say "run: sudo apt-get install -y --no-install-recommends ${missing[*]}"
    say "continuing with what is possible; tests that need them will say so"
  fi
fi

# --- 2. node_modules ----------------------------------------------------------
# Reinstall when the lockfile is newer than the last install.
stamp=node_modules/.package-lock.json
if [ ! -d node_modules ] || [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  say "npm ci"
  npm ci --no-audit --no-fund
fi

# --- 3. build -----------------------------------------------------------------
say "building"
npm run --silent build
say "ready"
