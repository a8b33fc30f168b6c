#!/usr/bin/env bash
# GET /health/cluster latency with 5 node processes on 127.0.0.1 (docs/operations.md, "Cluster health").
# Usage: bench/health-cluster.sh [requests]   (needs launcher/target/switchboard.jar and bench/target/switchboard-bench.jar)
# Roles: n1 hub,stats,alert; n2 hub,stats; n3 hub,alert; n4 hub; n5 hub. Default node JVM options of the tests
# (-Xmx256m, serial GC, C1 only). The prober asks one request at a time, round-robin over the 5 nodes.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=launcher/target/switchboard.jar
BENCH=bench/target/switchboard-bench.jar
REQUESTS=${1:-1000}
[ -f "$JAR" ] && [ -f "$BENCH" ] || { echo "build first: mvn -B -q package -DskipTests" >&2; exit 1; }
BASE=${BENCH_PORT_BASE:-$((21000 + $$ % 1000 * 10))}
CLUSTER="health-bench-$$"
OUT=bench/target/results/health-$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
roles=(hub,stats,alert hub,stats hub,alert hub hub)
urls=()
for i in 1 2 3 4 5; do
  port=$((BASE + i))
  env SWITCHBOARD_CLUSTER_NAME=$CLUSTER SWITCHBOARD_CLUSTER_PORT=$((BASE + 100)) SWITCHBOARD_CLUSTER_PORT_COUNT=6 \
    SWITCHBOARD_HTTP_HOST=127.0.0.1 SWITCHBOARD_HTTP_PORT=$port SWITCHBOARD_NODE_NAME=n$i \
    SWITCHBOARD_SERVICES=${roles[$((i - 1))]} SWITCHBOARD_LOG_LEVEL=warn \
    java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "$JAR" >"$OUT/n$i.log" 2>&1 &
  pids+=($!)
  urls+=("http://127.0.0.1:$port")
  until curl -sf -o /dev/null "http://127.0.0.1:$port/health/ready"; do sleep 0.2; done
done
deadline=$((SECONDS + 180))
until curl -s "${urls[0]}/health/cluster" | grep -q '"status":"UP","members":5'; do
  [ $SECONDS -lt $deadline ] || { echo "the 5 nodes were not UP within 180 s" >&2; exit 1; }
  sleep 0.5
done
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(java -version 2>&1 | head -1); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD)"
java -jar "$BENCH" health --url "$(IFS=,; echo "${urls[*]}")" --requests "$REQUESTS" --json "$OUT/health.json"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg); results in $OUT"
