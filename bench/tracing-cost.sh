#!/usr/bin/env bash
# Tracing cost, in the method of bench scenario (e) (bench/README.md): three nodes side by side on this machine, each
# its own cluster: tracing off (tracing.enabled=false), tracing at sampleRatio 1.0, tracing at the default ratio;
# the two traced ones export over OTLP/HTTP to a sink (switchboard-bench otlp-sink) that discards what it gets.
# One warm-up run per node, then alternating runs, the node's CPU time (utime+stime from /proc/<pid>/stat) read
# around each; reported: node CPU µs per round trip, medians per node, cost (traced − off)/off.
#
# Two workloads, RUNS runs each per node:
#   echo   open loop at RATE msg/s, 100 sessions, one transaction per session (the steady message path: frames are
#          not spans, so this is what tracing costs a long transaction)
#   churn  closed loop, 100 sessions, a new transaction after every round trip (--messages-per-transaction 1):
#          each round trip also pays a transaction's start and end, with its spans
#
#   bench/tracing-cost.sh [OUTDIR]        env: RUNS (default 5), RATE (20000), DUR (10s), TRACE_PORT_BASE (23600)
# Needs launcher/target/switchboard.jar and bench/target/switchboard-bench.jar (mvn -B -q package -DskipTests).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-bench/target/tracing-$(date -u +%Y%m%dT%H%M%SZ)}
RUNS=${RUNS:-5}; RATE=${RATE:-20000}; DUR=${DUR:-10s}
mkdir -p "$OUT"
JAR=launcher/target/switchboard.jar; BENCH_JAR=bench/target/switchboard-bench.jar
[ -f "$JAR" ] && [ -f "$BENCH_JAR" ] || { echo "build first: mvn -B -q package -DskipTests" >&2; exit 1; }
PORT=${TRACE_PORT_BASE:-23600}
SINK_PORT=$((PORT + 9))
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done' EXIT
java -Xmx512m -jar "$BENCH_JAR" otlp-sink --port "$SINK_PORT" > "$OUT/sink.log" 2>&1 &
PIDS+=($!)
start() { # name http-port cluster-port env...
  local name=$1 http=$2 cport=$3; shift 3
  env SWITCHBOARD_HTTP_PORT="$http" SWITCHBOARD_HTTP_HOST=127.0.0.1 SWITCHBOARD_CLUSTER_NAME="trc-$name-$$" \
    SWITCHBOARD_CLUSTER_PORT="$cport" SWITCHBOARD_NODE_NAME="$name" \
    SWITCHBOARD_LOG_LEVEL=warn SWITCHBOARD_LOG_ACCESS_LOG=false SWITCHBOARD_HUB_RATE_LIMIT=10000000 \
    SWITCHBOARD_HUB_MAX_CONNECTIONS=1000000 SWITCHBOARD_HUB_MAX_PENDING_HANDSHAKES=1000000 \
    SWITCHBOARD_HUB_MAX_PENDING_HANDSHAKES_PER_ADDRESS=1000000 "$@" \
    java -Xms2g -Xmx2g -jar "$JAR" > "$OUT/$name.log" 2>&1 &
  echo $!
}
SINK="OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$SINK_PORT"
P_OFF=$(start off "$PORT" $((PORT + 20)) SWITCHBOARD_TRACING_ENABLED=false); PIDS+=("$P_OFF")
P_ALL=$(start ratio1 $((PORT + 1)) $((PORT + 40)) SWITCHBOARD_TRACING_SAMPLE_RATIO=1.0 "$SINK"); PIDS+=("$P_ALL")
P_DEF=$(start default $((PORT + 2)) $((PORT + 60)) "$SINK"); PIDS+=("$P_DEF")
for p in "$PORT" $((PORT + 1)) $((PORT + 2)); do
  until curl -sf -o /dev/null "http://127.0.0.1:$p/health/ready"; do sleep 0.5; done
done
DEFAULT_RATIO=$(curl -sf "http://127.0.0.1:$((PORT + 2))/config" | jq -r '.tracing.sampleRatio // .["tracing.sampleRatio"] // "?"')
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
load() { java -Xmx1g -jar "$BENCH_JAR" load "$@" > /dev/null 2>&1; }
NODES=("off:$PORT:$P_OFF" "ratio1:$((PORT + 1)):$P_ALL" "default:$((PORT + 2)):$P_DEF")
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), default ratio $DEFAULT_RATIO" | tee "$OUT/summary.txt"
echo "# command: RUNS=$RUNS RATE=$RATE DUR=$DUR bench/tracing-cost.sh" | tee -a "$OUT/summary.txt"
for n in "${NODES[@]}"; do # warm-up: both workloads once, unreported
  IFS=: read -r name port pid <<< "$n"
  load --url "ws://127.0.0.1:$port/haip" --sessions 100 --duration 10s --warmup 1s --ramp-up 1s
  load --url "ws://127.0.0.1:$port/haip" --sessions 100 --duration 5s --warmup 1s --ramp-up 1s --messages-per-transaction 1
done
echo "workload node run round_trips_per_s p50_ms p99_ms node_cpu_us_per_round_trip" | tee -a "$OUT/summary.txt"
for workload in echo churn; do for i in $(seq 1 "$RUNS"); do for n in "${NODES[@]}"; do
  IFS=: read -r name port pid <<< "$n"
  if [ "$workload" = echo ]; then w=(--rate "$RATE"); else w=(--messages-per-transaction 1); fi
  c0=$(cpu "$pid")
  load --url "ws://127.0.0.1:$port/haip" --sessions 100 "${w[@]}" --duration "$DUR" --warmup 2s --ramp-up 1s \
    --json "$OUT/$workload-$name-$i.json"
  c1=$(cpu "$pid")
  # CPU of the whole run (ramp-up and warm-up included) over the measured round trips, the same for every node
  jq -r --arg w "$workload" --arg n "$name" --arg i "$i" --argjson t $((c1 - c0)) --argjson hz "$(getconf CLK_TCK)" \
    '[$w, $n, $i, (.throughput|floor), .latencyMs.p50, .latencyMs.p99, (($t / $hz * 1e6 / .roundTrips) * 10 | round / 10)] | map(tostring) | join(" ")' \
    "$OUT/$workload-$name-$i.json" | tee -a "$OUT/summary.txt"
done; done; done
echo "# medians (node CPU µs per round trip) and cost against off" | tee -a "$OUT/summary.txt"
for workload in echo churn; do
  off=$(awk -v w="$workload" '$1==w && $2=="off" {print $7}' "$OUT/summary.txt" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  for name in off ratio1 default; do
    med=$(awk -v w="$workload" -v n="$name" '$1==w && $2==n {print $7}' "$OUT/summary.txt" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    awk -v w="$workload" -v n="$name" -v m="$med" -v o="$off" 'BEGIN {printf "%s %s median %s µs, cost %+.1f %%\n", w, n, m, (m - o) / o * 100}' | tee -a "$OUT/summary.txt"
  done
done
echo "spans exported: ratio1 $(curl -s "http://127.0.0.1:$((PORT + 1))/metrics" | awk '/^switchboard_tracing_spans_exported_total/ {s+=$NF} END {print s}'), default $(curl -s "http://127.0.0.1:$((PORT + 2))/metrics" | awk '/^switchboard_tracing_spans_exported_total/ {s+=$NF} END {print s}')" | tee -a "$OUT/summary.txt"
echo "results in $OUT"
