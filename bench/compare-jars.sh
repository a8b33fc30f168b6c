#!/usr/bin/env bash
# Before/after comparison of two node jars, side by side on this machine, alternating runs (echo, 100 sessions):
# 3 closed-loop runs and 3 open-loop runs at 25,000/s each, with each node's GC log and CPU time.
#
#   bench/compare-jars.sh BEFORE.jar AFTER.jar [OUTDIR]
#
# Build the "before" jar from an older commit in a separate work tree, e.g.
#   git worktree add /tmp/before <commit> && (cd /tmp/before && mvn -B -q package -DskipTests -pl launcher -am)
# Needs bench/target/switchboard-bench.jar (mvn -B -q package -DskipTests).
# env: COMPARE_MODES (default "closed open"), COMPARE_RUNS (3 per mode and jar), COMPARE_RATE (open loop, 25000),
#      COMPARE_DURATION (15s): on a busy machine, an open-loop rate both nodes sustain gives the steadier CPU figure.
# Pinned as bench/run.sh pins: both nodes on core(s) BENCH_NODE_CPUS (default 0), the generator on BENCH_GEN_CPUS
# (default 1), with taskset -c on a machine with 2 or more cores (BENCH_PIN=0: no pinning). Only one node carries
# load at a time. A JVM that sees one core picks the Serial collector (its ergonomics), as a pinned bench node does.
set -uo pipefail
cd "$(dirname "$0")/.."
BEFORE=${1:?before jar}; AFTER=${2:?after jar}; OUT=${3:-bench/target/compare-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
BENCH_JAR=bench/target/switchboard-bench.jar
PORT=${COMPARE_PORT_BASE:-23400}
PB=; PA=
SERVER_PIN=(); GEN_PIN=()
if [ "${BENCH_PIN:-1}" = 1 ] && command -v taskset > /dev/null && [ "$(nproc)" -ge 2 ]; then
  SERVER_PIN=(taskset -c "${BENCH_NODE_CPUS:-0}"); GEN_PIN=(taskset -c "${BENCH_GEN_CPUS:-1}")
fi
echo "pinning: nodes ${SERVER_PIN[*]:-none}, generator ${GEN_PIN[*]:-none}" > "$OUT/pinning.txt"
trap 'kill $PB $PA 2>/dev/null' EXIT
start() { # name jar http-port cluster-port
  env SWITCHBOARD_HTTP_PORT="$3" SWITCHBOARD_CLUSTER_NAME="cmp-$1-$$" SWITCHBOARD_CLUSTER_PORT="$4" SWITCHBOARD_NODE_NAME="$1" \
    SWITCHBOARD_LOG_LEVEL=warn SWITCHBOARD_LOG_ACCESS_LOG=false SWITCHBOARD_HUB_RATE_LIMIT=10000000 \
    SWITCHBOARD_HUB_MAX_CONNECTIONS=1000000 SWITCHBOARD_HUB_MAX_PENDING_HANDSHAKES=1000000 \
    SWITCHBOARD_HUB_MAX_PENDING_HANDSHAKES_PER_ADDRESS=1000000 \
    "${SERVER_PIN[@]}" java -Xms2g -Xmx2g "-Xlog:gc:file=$OUT/gc-$1.log" -jar "$2" > "$OUT/$1.log" 2>&1 &
  echo $!
}
PB=$(start before "$BEFORE" "$PORT" $((PORT + 10))); PA=$(start after "$AFTER" $((PORT + 1)) $((PORT + 40)))
until curl -sf -o /dev/null "http://127.0.0.1:$PORT/health/ready" && curl -sf -o /dev/null "http://127.0.0.1:$((PORT + 1))/health/ready"; do sleep 0.3; done
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
load() { "${GEN_PIN[@]}" java -Xmx2g -jar "$BENCH_JAR" load "$@" > /dev/null 2>&1; }
for p in "$PORT" $((PORT + 1)); do load --url "ws://127.0.0.1:$p/haip" --sessions 100 --duration 10s --warmup 1s --ramp-up 1s; done
echo "node mode run round_trips_per_s p50_ms p99_ms max_ms node_cpu_us_per_round_trip" | tee "$OUT/summary.txt"
for mode in ${COMPARE_MODES:-closed open}; do for i in $(seq 1 "${COMPARE_RUNS:-3}"); do for n in "before:$PORT:$PB" "after:$((PORT + 1)):$PA"; do
  IFS=: read -r name port pid <<< "$n"
  rate=(); [ "$mode" = open ] && rate=(--rate "${COMPARE_RATE:-25000}")
  c0=$(cpu "$pid")
  load --url "ws://127.0.0.1:$port/haip" --sessions 100 "${rate[@]}" --duration "${COMPARE_DURATION:-15s}" --warmup 2s --ramp-up 1s --json "$OUT/$name-$mode-$i.json"
  c1=$(cpu "$pid")
  # CPU from the whole run (warm-up and ramp-up included) over the measured round trips: equal for both nodes
  jq -r --arg n "$name" --arg m "$mode" --arg i "$i" --argjson t $((c1 - c0)) --argjson hz "$(getconf CLK_TCK)" \
    '[$n, $m, $i, (.throughput|floor), .latencyMs.p50, .latencyMs.p99, .latencyMs.max, (($t / $hz * 1e6 / .roundTrips) * 10 | round / 10)] | map(tostring) | join(" ")' \
    "$OUT/$name-$mode-$i.json" | tee -a "$OUT/summary.txt"
done; done; done
for n in before after; do
  echo "$n: young pauses $(grep -c Pause "$OUT/gc-$n.log"), longest $(grep Pause "$OUT/gc-$n.log" | awk '{print $NF}' | sort -n | tail -1), last heap before->after $(grep Pause "$OUT/gc-$n.log" | tail -1 | grep -oE '[0-9]+M->[0-9]+M')" | tee -a "$OUT/summary.txt"
done
echo "results in $OUT"
