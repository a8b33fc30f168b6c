#!/usr/bin/env bash
# The dashboard's JS heap in headless Chromium after N minutes open under HAIP load (docs/operations.md, "Dashboard").
# Usage: bench/dashboard-memory.sh [minutes]   (default 30; needs Debian's chromium and chromium-driver, as .ci/run installs)
# Runs DashboardIT with -Ddashboard.keepOpenMinutes: two node processes (A hub,stats,alert; C hub), the page on A,
# a HAIP client on A doing an echo tool call of 10 messages every ~100 ms while the page stays open; the page's
# performance.memory.usedJSHeapSize is printed every minute as "[figure] dashboard JS heap ...".
# Everything runs under nice 19; Chromium raises the priority of some of its own processes, so every 10 s the
# script puts its descendants back to 19.
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${1:-30}
OUT=bench/target/results/dashboard-memory-$(date -u +%Y%m%d-%H%M%S).log
mkdir -p "$(dirname "$OUT")"
descendants() {
  ps -eo pid=,ppid= | awk -v root="$1" '{p[$1]=$2} END {t[root]=1; do {c=0; for (x in p) if (!(x in t) && (p[x] in t)) {t[x]=1; c=1}} while (c); for (x in t) if (x != root) print x}'
}
nice -n 19 mvn -B verify -pl launcher -am -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=DashboardIT \
  -Ddashboard.keepOpenMinutes="$MINUTES" >"$OUT" 2>&1 &
build=$!
( while kill -0 "$build" 2>/dev/null; do
    for p in $(descendants "$build"); do renice -n 19 -p "$p" >/dev/null 2>&1 || true; done
    sleep 10
  done ) &
watcher=$!
status=0
wait "$build" || status=$?
kill "$watcher" 2>/dev/null || true
grep -h '\[figure\]' launcher/target/failsafe-reports/*DashboardIT*-output.txt 2>/dev/null || true
echo "log: $OUT"
[ "$status" -eq 0 ] || { tail -50 "$OUT"; exit "$status"; }
