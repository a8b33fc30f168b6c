#!/usr/bin/env bash
# The soak (bench/README.md, "Soak"): one node process on its default limits, mixed traffic with connection churn
# and one hostile client of each kind in turn for DURATION (default 30m), sampling heap after GC, open descriptors
# and neighbour PONGs. Prints a table over time and a verdict; exits 0 on PASS.
#   bench/soak.sh [DURATION] [extra options of `switchboard-bench soak`]     e.g. bench/soak.sh 5m --sample 30s
# Builds nothing: needs launcher/target/switchboard.jar and bench/target/switchboard-bench.jar
# (mvn -B -q package -DskipTests). SOAK_NODE_HEAP (default 512m) is the node's -Xmx; SOAK_PORT its HTTP port.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
NODE_JAR=$ROOT/launcher/target/switchboard.jar
BENCH_JAR=$ROOT/bench/target/switchboard-bench.jar
DURATION=${1:-30m}
[ $# -gt 0 ] && shift
for j in "$NODE_JAR" "$BENCH_JAR"; do
  [ -f "$j" ] || { echo "missing $j: build first with: mvn -B -q package -DskipTests" >&2; exit 1; }
done
HEAP=${SOAK_NODE_HEAP:-512m}
PORT=${SOAK_PORT:-$(( 21000 + ($$ % 400) * 10 ))}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RES=$ROOT/bench/target/soak/$STAMP
mkdir -p "$RES"
NODE_PID=
cleanup() { [ -n "$NODE_PID" ] && { kill "$NODE_PID" 2>/dev/null; sleep 2; kill -9 "$NODE_PID" 2>/dev/null; }; }
trap cleanup EXIT

# the node: unclustered, every role, default limits; warn-level logs without an access log so the log file does
# not grow with the traffic
ENVS=(SWITCHBOARD_HTTP_PORT=$PORT SWITCHBOARD_CLUSTER_MODE=none SWITCHBOARD_CLUSTER_NAME=soak-$STAMP
  SWITCHBOARD_NODE_NAME=soak SWITCHBOARD_LOG_LEVEL=warn SWITCHBOARD_LOG_ACCESS_LOG=false)
echo "env ${ENVS[*]} java -Xms$HEAP -Xmx$HEAP -jar launcher/target/switchboard.jar" > "$RES/commands.txt"
env "${ENVS[@]}" java "-Xms$HEAP" "-Xmx$HEAP" -jar "$NODE_JAR" > "$RES/node.log" 2>&1 &
NODE_PID=$!
deadline=$(( $(date +%s) + 120 ))
until curl -sf -o /dev/null "http://127.0.0.1:$PORT/health/ready"; do
  if ! kill -0 "$NODE_PID" 2>/dev/null || [ "$(date +%s)" -gt "$deadline" ]; then
    echo "the node did not become ready (log: $RES/node.log)" >&2; exit 1
  fi
  sleep 0.5
done
{
  echo "# soak $STAMP: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load before $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# node: pid $NODE_PID, port $PORT, -Xmx$HEAP, commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)"
} | tee "$RES/soak.txt"
echo "java -jar bench/target/switchboard-bench.jar soak --port $PORT --node-pid $NODE_PID --duration $DURATION $* --json soak.json" >> "$RES/commands.txt"
java -Xmx512m -jar "$BENCH_JAR" soak --port "$PORT" --node-pid "$NODE_PID" --duration "$DURATION" "$@" --json "$RES/soak.json" \
  2> "$RES/soak.log" | tee -a "$RES/soak.txt"
rc=${PIPESTATUS[0]}
echo "# load after $(cut -d' ' -f1-3 /proc/loadavg); node still running: $(kill -0 "$NODE_PID" 2>/dev/null && echo yes || echo NO)" | tee -a "$RES/soak.txt"
echo "results in $RES" >&2
exit "$rc"
