#!/usr/bin/env bash
# Issue 2 figures: start-up to ready (first node, second node joining), time for a SIGKILLed member to leave,
# RSS and heap at idle. Usage: bench/node-figures.sh [runs]   (needs launcher/target/switchboard.jar)
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=launcher/target/switchboard.jar
RUNS=${1:-3}
[ -f "$JAR" ] || { echo "build first: mvn -B -q package -DskipTests" >&2; exit 1; }
now_ms() { date +%s%3N; }
wait_ready() { # port -> prints ms waited
  local t0=$1 port=$2
  until curl -sf -o /dev/null "http://127.0.0.1:$port/health/ready"; do sleep 0.05; done
  echo $(( $(now_ms) - t0 ))
}
cluster_size() { curl -s "http://127.0.0.1:$1/cluster" | sed -n 's/.*"clusterSize":\([0-9]*\).*/\1/p'; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(java -version 2>&1 | head -1)"
for run in $(seq 1 "$RUNS"); do
  name="figures-$$-$run"
  common=(SWITCHBOARD_CLUSTER_NAME=$name SWITCHBOARD_CLUSTER_PORT=$((26000 + run * 20)) SWITCHBOARD_LOG_LEVEL=warn)
  t0=$(now_ms); env "${common[@]}" SWITCHBOARD_HTTP_PORT=18080 java -jar "$JAR" >/dev/null 2>&1 & p1=$!; pids+=($p1)
  first=$(wait_ready "$t0" 18080)
  t0=$(now_ms); env "${common[@]}" SWITCHBOARD_HTTP_PORT=18081 java -jar "$JAR" >/dev/null 2>&1 & p2=$!; pids+=($p2)
  second=$(wait_ready "$t0" 18081)
  until [ "$(cluster_size 18080)" = 2 ]; do sleep 0.05; done
  sleep 10  # idle
  rss_kb=$(awk '/VmRSS/{print $2}' /proc/$p1/status)
  jcmd "$p1" GC.run >/dev/null 2>&1 || true
  heap=$(curl -s http://127.0.0.1:18080/metrics | grep '^jvm_memory_used_bytes{area="heap"' | awk '{s+=$NF} END{printf "%.0f", s}')
  t0=$(now_ms); kill -9 "$p2"; wait "$p2" 2>/dev/null || true
  until [ "$(cluster_size 18080)" = 1 ]; do sleep 0.05; done
  left=$(( $(now_ms) - t0 ))
  printf 'run %d: first node ready %d ms; second node ready (joined) %d ms; SIGKILLed member left after %d ms; idle RSS %d MiB, heap after GC %d MiB\n' \
    "$run" "$first" "$second" "$left" $((rss_kb / 1024)) $((heap / 1048576))
  kill -TERM "$p1"; wait "$p1" 2>/dev/null || true
done
