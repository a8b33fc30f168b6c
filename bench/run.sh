#!/usr/bin/env bash
# Runs every Switchboard benchmark scenario and writes bench/RESULTS.md (issue 6).
#
#   bench/run.sh            full suite (about 20-25 minutes)
#   bench/run.sh --quick    smoke run: short durations, fewer sessions (about 5-6 minutes)
#   options: --out FILE (default bench/RESULTS.md), --only LIST (comma list of: echo,cross,monitor,capacity,obs,jmh)
#            --dir DIR  re-run (with --only) into an existing results directory, keeping its other results
#   options: --only also takes fanout (10,000 /ws subscribers of topic stats, hub vs raw-broadcast)
#   env: BENCH_JFR=1 records a JFR of the hub node during the echo scenario (results dir, node-echo.jfr)
#        BENCH_NODE_CPUS, BENCH_GEN_CPUS: the cores of the servers (nodes, raw-echo, raw-broadcast) and of the
#        generators, given to taskset -c (default 0 and 1 on a machine with 2 or more cores; BENCH_PIN=0: no pinning)
#        BENCH_NODE_CP=dir1:dir2 puts class directories before the launcher jar (to measure freshly compiled
#        service classes without rebuilding the jar; recorded in RESULTS.md)
#
# Needs launcher/target/switchboard.jar and bench/target/switchboard-bench.jar: it builds nothing itself
# (mvn -B -q package -DskipTests). Nodes run with the bench's own limits (hub.rateLimit, hub.maxConnections
# raised through SWITCHBOARD_* variables for these processes only); the defaults in ConfigKeys are untouched.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
NODE_JAR=$ROOT/launcher/target/switchboard.jar
BENCH_JAR=$ROOT/bench/target/switchboard-bench.jar
QUICK=0
OUT=$ROOT/bench/RESULTS.md
ONLY=echo,cross,monitor,fanout,capacity,obs,jmh
REUSE=
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --out) OUT=$2; shift ;;
    --only) ONLY=$2; shift ;;
    --dir) REUSE=$2; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done
for j in "$NODE_JAR" "$BENCH_JAR"; do
  [ -f "$j" ] || { echo "missing $j: build first with: mvn -B -q package -DskipTests" >&2; exit 1; }
done
want() { [[ ",$ONLY," == *",$1,"* ]]; }

# Pinning: servers on one core, generators on another, so that neither takes the other's CPU (recorded in meta.json)
SERVER_PIN=(); GEN_PIN=(); PINNING="none"
CAVEAT="The generator shares the machine's $(nproc) cores with the server it measures: a closed-loop figure is a ceiling of client and server together; ratios measured in the same run (hub vs raw, on vs off, A vs B) are the more meaningful. Anything else running on the machine moves every figure: take figures of record on a quiet machine."
if [ "${BENCH_PIN:-1}" = 1 ] && command -v taskset > /dev/null && [ "$(nproc)" -ge 2 ]; then
  SERVER_PIN=(taskset -c "${BENCH_NODE_CPUS:-0}"); GEN_PIN=(taskset -c "${BENCH_GEN_CPUS:-1}")
  PINNING="servers (nodes, raw-echo, raw-broadcast, raw-bus) on core(s) ${BENCH_NODE_CPUS:-0}, generators on core(s) ${BENCH_GEN_CPUS:-1} (taskset -c)"
  CAVEAT="Each server runs on its own core(s) and the generator on others (see pinning): a server's figures are what it does with those cores alone, and a JVM that sees one core picks the Serial collector (G1 from two). Ratios measured in the same run (hub vs raw, on vs off, A vs B) are the more meaningful. Anything else running on the machine moves every figure: take figures of record on a quiet machine."
fi

# Descriptors: as many as this shell may have (capacity needs ~20k in the node and in the generator).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
NOFILE=$(ulimit -n)

if [ "$QUICK" = 1 ]; then
  DUR=3s; WARM=1s; RAMP=1s; BIG=200; RATES_FIXED="25000"; CAP=1000; CAP_RAMP=3s; HOLD=2s; SUBS=100
  OBS_RUNS=2; OBS_DUR=3s; MON_DUR=3s; JMH_ARGS="-f 1 -wi 1 -i 1 -w 1s -r 1s"
  ECHO_WARM=2s; XRATE=500; XWARM=3s; CPU_RATE=5000; CPU_DUR=3s
else
  DUR=15s; WARM=3s; RAMP=2s; BIG=1000; RATES_FIXED="25000"; CAP=$(( NOFILE > 1000 ? NOFILE - 600 : NOFILE / 2 ))
  CAP_RAMP=30s; HOLD=10s; SUBS=1000; OBS_RUNS=5; OBS_DUR=10s; MON_DUR=10s; JMH_ARGS="-f 1 -wi 3 -i 5 -w 1s -r 1s"
  FAN_SUBS=10000; FAN_PUB=10
  ECHO_WARM=10s; XRATE=2000; XWARM=15s; CPU_RATE=20000; CPU_DUR=10s
fi
# ECHO_WARM: closed-loop warm-up of each echo server before its first measured row (b, f);
# XRATE: the open-loop rate of (c), XWARM: its closed-loop warm-up per path (and the raw-bus warm-up);
# CPU_RATE, CPU_DUR: the open-loop runs of (e) during which the node's own CPU time is read
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
if [ -n "$REUSE" ]; then
  RES=$(cd "$REUSE" && pwd) || exit 1
  echo "# re-run of --only $ONLY on $(date -u '+%Y-%m-%d %H:%M UTC') into this directory" >> "$RES/commands.txt"
else
  RES=$ROOT/bench/target/results/$STAMP
  mkdir -p "$RES"
  : > "$RES/commands.txt"; : > "$RES/skipped.txt"
fi
NODE_HEAP=${BENCH_NODE_HEAP:-2g}
HEAP_FLAGS=("-Xms$NODE_HEAP" "-Xmx$NODE_HEAP")
# (a) capacity: a heap that a full GC shrinks to what is live (plus at most 20 % free), so that the RSS per session
# counts what the sessions hold, not heap pages touched and kept by a heap fixed at -Xmx
CAP_HEAP_FLAGS=(${BENCH_CAPACITY_HEAP_FLAGS:-"-Xms64m" "-Xmx$NODE_HEAP" "-XX:MinHeapFreeRatio=10" "-XX:MaxHeapFreeRatio=20"})
LOADGEN_HEAP=${BENCH_LOADGEN_HEAP:-2g}
PORT_BASE=${BENCH_PORT_BASE:-$(( 20000 + ($$ % 200) * 50 ))}
# ports from PORT_BASE: +0..+4 HTTP of the nodes and raw-echo; +8..+27 the raw-bus pair's Hazelcast ports;
# +30..+49 the nodes' Hazelcast ports (cluster.portCount 20 from CLUSTER_PORT, probed by their loopback join)
CLUSTER_PORT=$(( PORT_BASE + 30 ))
RAWBUS_PORT=$(( PORT_BASE + 8 ))
PIDS=()

cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; sleep 1; for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done; }
trap cleanup EXIT
log() { echo "[$(date +%T)] $*" >&2; }
skip() { echo "$*" >> "$RES/skipped.txt"; log "SKIPPED: $*"; }
record() { echo "$*" >> "$RES/commands.txt"; }

# start_node <name> <http port> <cluster name> [ENV=VALUE ...]  -> sets NODE_PID
start_node() {
  local name=$1 port=$2 cluster=$3; shift 3
  local jfr=()
  if [ "${BENCH_JFR:-0}" = 1 ] && [ "$name" = echo ]; then
    jfr=("-XX:StartFlightRecording=filename=$RES/node-$name.jfr,settings=profile")
  fi
  local envs=(SWITCHBOARD_HTTP_PORT=$port SWITCHBOARD_CLUSTER_NAME=$cluster SWITCHBOARD_CLUSTER_PORT=$CLUSTER_PORT
    SWITCHBOARD_NODE_NAME=bench-$name SWITCHBOARD_LOG_LEVEL=warn SWITCHBOARD_LOG_ACCESS_LOG=false
    SWITCHBOARD_HUB_RATE_LIMIT=10000000 SWITCHBOARD_HUB_MAX_CONNECTIONS=1000000
    SWITCHBOARD_HUB_MAX_PENDING_HANDSHAKES=1000000 SWITCHBOARD_HUB_MAX_PENDING_HANDSHAKES_PER_ADDRESS=1000000 "$@")
  local launch=(-jar "$NODE_JAR")
  if [ -n "${BENCH_NODE_CP:-}" ]; then
    launch=(--add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED
      --add-opens java.management/sun.management=ALL-UNNAMED --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED
      --add-exports java.base/jdk.internal.ref=ALL-UNNAMED -cp "$BENCH_NODE_CP:$NODE_JAR" io.switchboard.launcher.Main)
  fi
  record "env ${envs[*]} ${SERVER_PIN[*]} java ${HEAP_FLAGS[*]} ${jfr[*]} ${launch[*]}   # node $name"
  env "${envs[@]}" "${SERVER_PIN[@]}" java "${HEAP_FLAGS[@]}" "${jfr[@]}" "${launch[@]}" > "$RES/node-$name.log" 2>&1 &
  NODE_PID=$!
  PIDS+=("$NODE_PID")
  local deadline=$(( $(date +%s) + 120 ))
  until curl -sf -o /dev/null "http://127.0.0.1:$port/health/ready"; do
    if ! kill -0 "$NODE_PID" 2>/dev/null || [ "$(date +%s)" -gt "$deadline" ]; then
      log "node $name did not become ready (log: $RES/node-$name.log)"; return 1
    fi
    sleep 0.2
  done
  log "node $name ready on :$port (pid $NODE_PID)"
}
stop_pid() { kill "$1" 2>/dev/null; for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done; kill -9 "$1" 2>/dev/null; }

# hub_works <port>: a HAIP session can start an echo transaction and get its message back
hub_works() {
  java -jar "$BENCH_JAR" load --url "ws://127.0.0.1:$1/haip" --sessions 2 --duration 1s --warmup 500ms \
    --ramp-up 100ms --json "$RES/smoke.json" > /dev/null 2>&1 || return 1
  [ "$(jq -r '.roundTrips' "$RES/smoke.json" 2>/dev/null)" -gt 0 ] 2>/dev/null
}

# load <json name> <args...>: one generator run
load() {
  local name=$1; shift
  record "${GEN_PIN[*]} java -Xmx$LOADGEN_HEAP -jar bench/target/switchboard-bench.jar load $* --json $name.json"
  "${GEN_PIN[@]}" java "-Xmx$LOADGEN_HEAP" -jar "$BENCH_JAR" load "$@" --json "$RES/$name.json" 2> "$RES/$name.log" | tail -n +2 >&2
}

# warm <name> <args...>: a generator run that is not reported (warmup-<name>.json; marked in commands.txt), so
# that no measured row pays for the JIT compiling the server's hot paths
warm() {
  local name=$1; shift
  record "# warm-up, not reported:"
  log "warm-up $name"
  load "warmup-$name" "$@"
}

# cpu_ticks <pid>: utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/<pid>/stat, counted
# after the command name, which may hold spaces)
CLK_TCK=$(getconf CLK_TCK)
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }

# cpu_load <json name> <node pid> <args...>: a generator run with the node's CPU time read from the moment the
# generator starts its traffic (it logs "running:" once its sessions are ready, so its own start-up and the
# handshakes are left out) to the generator's exit; added to the run's JSON as
# nodeCpu {pid, clkTck, ticksBefore, ticksAfter, wallMs}
cpu_load() {
  local name=$1 pid=$2; shift 2
  local t0 t1 w0 w1 lp tmp
  rm -f "$RES/$name.log" "$RES/$name.json"
  load "$name" "$@" &
  lp=$!
  until grep -q '^running:' "$RES/$name.log" 2>/dev/null; do
    kill -0 "$lp" 2>/dev/null || break
    sleep 0.05
  done
  t0=$(cpu_ticks "$pid"); w0=$(date +%s%N)
  wait "$lp"
  t1=$(cpu_ticks "$pid"); w1=$(date +%s%N)
  grep -q '^running:' "$RES/$name.log" 2>/dev/null && [ -f "$RES/$name.json" ] && [ -n "$t0" ] && [ -n "$t1" ] \
    || return 1
  tmp=$(mktemp)
  jq --argjson pid "$pid" --argjson hz "$CLK_TCK" --argjson t0 "$t0" --argjson t1 "$t1" \
    --argjson wall $(( (w1 - w0) / 1000000 )) \
    '. + {nodeCpu: {pid: $pid, clkTck: $hz, ticksBefore: $t0, ticksAfter: $t1, wallMs: $wall}}' "$RES/$name.json" \
    > "$tmp" && mv "$tmp" "$RES/$name.json"
}

# port_free <port>: nothing listens on 127.0.0.1:<port>
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

[ -n "$REUSE" ] || cat > "$RES/meta.json" <<EOF
{"date": "$(date -u '+%Y-%m-%d %H:%M UTC')", "quick": $([ $QUICK = 1 ] && echo true || echo false),
 "host": "$(uname -sr)", "cpus": $(nproc), "cpuModel": "$(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)",
 "memory": "$(free -h | awk '/Mem:/{print $2}')", "jdk": "$(java -version 2>&1 | head -1 | sed 's/"/\\"/g')",
 "loadBefore": "$(cut -d' ' -f1-3 /proc/loadavg)", "pinning": "$PINNING", "nodeJar": "launcher/target/switchboard.jar built $(date -u -r "$NODE_JAR" '+%Y-%m-%d %H:%M UTC')${BENCH_NODE_CP:+, with class directories $BENCH_NODE_CP first on the classpath}", "commit": "$(git rev-parse --short HEAD 2>/dev/null)", "ulimitN": $NOFILE, "nodeHeap": "-Xms$NODE_HEAP -Xmx$NODE_HEAP", "capacityHeap": "${CAP_HEAP_FLAGS[*]}",
 "caveat": "$CAVEAT",
 "jmhNote": "JMH $([ $QUICK = 1 ] && echo 'quick settings (1 fork, 1 warm-up and 1 measured iteration of 1 s): indicative only' || echo '1 fork, 3 warm-up and 5 measured iterations of 1 s'). FrameBench: Vert.x JsonObject parse/encode with the envelope checks of HAIP written in the benchmark. HubFrameBench: the hub's own FrameParser.parse and Envelopes.frame(...).encode(), present only when the hub's classes are on the classpath. Error bars are wide because other processes shared the 2 cores."}
EOF
log "results in $RES (quick=$QUICK, ulimit -n $NOFILE)"

HUB_OK=1
A=$(( PORT_BASE )); B=$(( PORT_BASE + 1 )); RAW=$(( PORT_BASE + 2 )); OFF=$(( PORT_BASE + 3 )); ON=$(( PORT_BASE + 4 ))
CL=bench-$$-$STAMP

# ---- (b) + (f): echo on the hub and on the raw Vert.x server, interleaved in the same run
if want echo || want cross || want monitor || want fanout; then
  if start_node echo "$A" "$CL" && hub_works "$A"; then :; else
    HUB_OK=0; skip "hub scenarios (b, c, d, e, a-hub): the hub at launcher/target/switchboard.jar did not complete an echo round trip (see $RES/node-echo.log)"
  fi
  A_PID=${NODE_PID:-}
fi
if want echo; then
  record "${SERVER_PIN[*]} java -Xmx512m -jar bench/target/switchboard-bench.jar raw-echo --port $RAW"
  "${SERVER_PIN[@]}" java -Xmx512m -jar "$BENCH_JAR" raw-echo --port "$RAW" > "$RES/raw-echo.log" 2>&1 &
  RAW_PID=$!; PIDS+=("$RAW_PID")
  until curl -s -o /dev/null "http://127.0.0.1:$RAW/"; do sleep 0.2; done
  common=(--duration "$DUR" --warmup "$WARM" --ramp-up "$RAMP" --message-size 64)
  # both servers warm before the first measured row (the hub would otherwise have had only the smoke test,
  # the raw server its own first row)
  ewarm=(--sessions 100 --duration "$ECHO_WARM" --warmup 0s --ramp-up "$RAMP" --message-size 64)
  warm echo-raw --url "ws://127.0.0.1:$RAW/haip" "${ewarm[@]}"
  [ $HUB_OK = 1 ] && warm echo-hub --url "ws://127.0.0.1:$A/haip" "${ewarm[@]}"
  for s in 100 "$BIG"; do
    load "echo-raw-c$s" --url "ws://127.0.0.1:$RAW/haip" --sessions "$s" --server-pid "$RAW_PID" "${common[@]}"
    [ $HUB_OK = 1 ] && load "echo-hub-c$s" --url "ws://127.0.0.1:$A/haip" --sessions "$s" --server-pid "$A_PID" "${common[@]}"
  done
  # open loop: the target's fixed rate, and half of what the hub sustained closed loop here
  half=0
  [ -f "$RES/echo-hub-c100.json" ] && half=$(jq -r '(.throughput / 2) | floor' "$RES/echo-hub-c100.json")
  rates="$RATES_FIXED"; [ "$half" -gt 100 ] 2>/dev/null && rates="$half $RATES_FIXED"
  for s in 100 "$BIG"; do
    for r in $rates; do
      load "echo-raw-o$s-$r" --url "ws://127.0.0.1:$RAW/haip" --sessions "$s" --rate "$r" --server-pid "$RAW_PID" "${common[@]}"
      [ $HUB_OK = 1 ] && load "echo-hub-o$s-$r" --url "ws://127.0.0.1:$A/haip" --sessions "$s" --rate "$r" --server-pid "$A_PID" "${common[@]}"
    done
  done
  stop_pid "$RAW_PID"
fi

# rawbus: the floor of cross-node routing in this run, two clustered Vert.x processes built as a node builds its
# own, passing a 64-byte frame A -> B -> A over the event bus at XRATE (open loop), no hub code
rawbus() {
  local port=$RAWBUS_PORT cl=$CL-rawbus pid deadline
  if ! port_free "$port" || ! port_free $(( port + 1 )); then
    skip "(c) raw event bus: port $port or $(( port + 1 )) is taken (BENCH_PORT_BASE moves the ports)"; return
  fi
  record "# raw event bus floor: the echo role, then the ping role that measures"
  record "${SERVER_PIN[*]} java -Xms$NODE_HEAP -Xmx$NODE_HEAP -jar bench/target/switchboard-bench.jar raw-bus --role echo --cluster-name $cl --cluster-port $port"
  "${SERVER_PIN[@]}" java "-Xms$NODE_HEAP" "-Xmx$NODE_HEAP" -jar "$BENCH_JAR" raw-bus --role echo --cluster-name "$cl" \
    --cluster-port "$port" > "$RES/rawbus-echo.log" 2>&1 &
  pid=$!; PIDS+=("$pid")
  deadline=$(( $(date +%s) + 120 ))
  until grep -q 'raw-bus echo ready' "$RES/rawbus-echo.log" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null || [ "$(date +%s)" -gt "$deadline" ]; then
      stop_pid "$pid"; skip "(c) raw event bus: the echo role did not start (see $RES/rawbus-echo.log)"; return
    fi
    sleep 0.2
  done
  local args=(--role ping --cluster-name "$cl" --cluster-port "$port" --rate "$XRATE" --duration "$DUR"
    --warmup "$XWARM")
  record "${GEN_PIN[*]} java -Xms$NODE_HEAP -Xmx$NODE_HEAP -jar bench/target/switchboard-bench.jar raw-bus ${args[*]} --json rawbus-o-$XRATE.json"
  log "raw-bus ping at $XRATE/s"
  timeout 300 "${GEN_PIN[@]}" java "-Xms$NODE_HEAP" "-Xmx$NODE_HEAP" -jar "$BENCH_JAR" raw-bus "${args[@]}" \
    --json "$RES/rawbus-o-$XRATE.json" > "$RES/rawbus-ping.log" 2>&1
  grep 'raw-bus open' "$RES/rawbus-ping.log" >&2
  [ -f "$RES/rawbus-o-$XRATE.json" ] || skip "(c) raw event bus: the ping role wrote no result (see $RES/rawbus-ping.log)"
  stop_pid "$pid"
}

# ---- (c): client on node A; built-in echo on A, an agent on A, an agent on B
if want cross && [ $HUB_OK = 1 ]; then
  if start_node agentB "$B" "$CL"; then
    B_PID=$NODE_PID
    until [ "$(curl -s "http://127.0.0.1:$A/cluster" | jq -r '.clusterSize // 0')" -ge 2 ]; do sleep 0.2; done
    c=(--duration "$DUR" --warmup "$WARM" --ramp-up "$RAMP")
    rm -f "$RES"/cross-*.json "$RES"/rawbus-*.json
    # B is fresh and A may have had only the smoke test: warm both through both paths first, closed loop, or
    # the rows below measure the JIT compiling B's routing code rather than the routing
    xw=(--sessions 100 --duration "$XWARM" --warmup 0s --ramp-up "$RAMP")
    warm cross-agentB --url "ws://127.0.0.1:$A/haip" --agents 2 --agent-url "ws://127.0.0.1:$B/haip" \
      --tool bench_echo "${xw[@]}"
    warm cross-agentA --url "ws://127.0.0.1:$A/haip" --agents 2 --agent-url "ws://127.0.0.1:$A/haip" \
      --tool bench_echo_local "${xw[@]}"
    load cross-echoA-o10-$XRATE --url "ws://127.0.0.1:$A/haip" --sessions 10 --rate $XRATE "${c[@]}"
    load cross-agentA-o10-$XRATE --url "ws://127.0.0.1:$A/haip" --sessions 10 --rate $XRATE --agents 2 \
      --agent-url "ws://127.0.0.1:$A/haip" --tool bench_echo_local "${c[@]}"
    load cross-agentB-o10-$XRATE --url "ws://127.0.0.1:$A/haip" --sessions 10 --rate $XRATE --agents 2 \
      --agent-url "ws://127.0.0.1:$B/haip" --tool bench_echo "${c[@]}"
    load cross-echoA-c100 --url "ws://127.0.0.1:$A/haip" --sessions 100 "${c[@]}"
    load cross-agentB-c100 --url "ws://127.0.0.1:$A/haip" --sessions 100 --agents 2 \
      --agent-url "ws://127.0.0.1:$B/haip" --tool bench_echo "${c[@]}"
    stop_pid "$B_PID"
    rawbus
  else
    skip "(c) cross-node: node B did not start"
  fi
fi

# raw_broadcast <name>: starts raw-broadcast on $RAW (stats frames every $1 ms of $2 bytes) -> RAWB_PID
raw_broadcast() {
  local interval=$1 bytes=$2
  record "${SERVER_PIN[*]} java -Xms$NODE_HEAP -Xmx$NODE_HEAP -jar bench/target/switchboard-bench.jar raw-broadcast --port $RAW --stats-interval ${interval}ms --stats-bytes $bytes"
  "${SERVER_PIN[@]}" java "-Xms$NODE_HEAP" "-Xmx$NODE_HEAP" -jar "$BENCH_JAR" raw-broadcast --port "$RAW" \
    --stats-interval "${interval}ms" --stats-bytes "$bytes" > "$RES/raw-broadcast.log" 2>&1 &
  RAWB_PID=$!; PIDS+=("$RAWB_PID")
  until curl -s -o /dev/null "http://127.0.0.1:$RAW/"; do sleep 0.2; done
}

# ---- (d): monitor fan-out on node A, and on the raw broadcast server in the same run (interleaved)
if want monitor && [ $HUB_OK = 1 ]; then
  rm -f "$RES"/monitor*.json
  raw_broadcast 0 0
  mon=(--scenario monitor --subscribers "$SUBS" --duration "$MON_DUR" --warmup "$WARM" --source-addresses 127.0.0.1,127.0.0.2)
  # both servers warm through the fan-out path before the first measured row
  warm monitor-raw --url "ws://127.0.0.1:$RAW/haip" "${mon[@]}" --rate 10
  warm monitor-hub --url "ws://127.0.0.1:$A/haip" "${mon[@]}" --rate 10
  for r in 10 50; do
    cpu_load "monitor-hub-r$r" "$A_PID" --url "ws://127.0.0.1:$A/haip" "${mon[@]}" --rate "$r" \
      || skip "(d) monitor-hub-r$r: no result"
    cpu_load "monitor-raw-r$r" "$RAWB_PID" --url "ws://127.0.0.1:$RAW/haip" "${mon[@]}" --rate "$r" \
      || skip "(d) monitor-raw-r$r: no result"
  done
  stop_pid "$RAWB_PID"
fi

# ---- (d2): one stats publish to FAN_SUBS /ws subscribers of topic stats, node A then raw-broadcast
# (the raw server publishes frames of the size the hub's were, at the hub's stats.interval)
if want fanout && [ $HUB_OK = 1 ]; then
  rm -f "$RES"/fanout-*.json
  fan=(--subscribers "$FAN_SUBS" --publishes "$FAN_PUB" --sources 5 --topic stats)
  record "${GEN_PIN[*]} java -Xmx$LOADGEN_HEAP -jar bench/target/switchboard-bench.jar ws-fanout --port $A ${fan[*]} --json fanout-hub.json"
  log "ws-fanout hub: $FAN_SUBS subscribers"
  "${GEN_PIN[@]}" java "-Xmx$LOADGEN_HEAP" -jar "$BENCH_JAR" ws-fanout --port "$A" "${fan[@]}" --json "$RES/fanout-hub.json" \
    > "$RES/fanout-hub.log" 2>&1 || skip "(d2) ws-fanout hub failed (see $RES/fanout-hub.log)"
  tail -n 1 "$RES/fanout-hub.log" >&2
  bytes=$(jq -r '.frameBytes // 1500' "$RES/fanout-hub.json" 2>/dev/null || echo 1500)
  raw_broadcast 1000 "$bytes"  # the nodes' stats.interval (default 1s)
  record "${GEN_PIN[*]} java -Xmx$LOADGEN_HEAP -jar bench/target/switchboard-bench.jar ws-fanout --port $RAW ${fan[*]} --json fanout-raw.json"
  log "ws-fanout raw: $FAN_SUBS subscribers"
  "${GEN_PIN[@]}" java "-Xmx$LOADGEN_HEAP" -jar "$BENCH_JAR" ws-fanout --port "$RAW" "${fan[@]}" --json "$RES/fanout-raw.json" \
    > "$RES/fanout-raw.log" 2>&1 || skip "(d2) ws-fanout raw failed (see $RES/fanout-raw.log)"
  tail -n 1 "$RES/fanout-raw.log" >&2
  stop_pid "$RAWB_PID"
fi
[ -n "${A_PID:-}" ] && stop_pid "$A_PID"

# ---- (e): observability off vs on, alternating, two nodes side by side (separate clusters)
if want obs && [ $HUB_OK = 1 ]; then
  if start_node obsOff "$OFF" "$CL-off" SWITCHBOARD_METRICS_ENABLED=false SWITCHBOARD_STATS_REPORTING=false; then
    OFF_PID=$NODE_PID
    if start_node obsOn "$ON" "$CL-on"; then
      ON_PID=$NODE_PID
      o=(--sessions 100 --duration "$OBS_DUR" --warmup "$WARM" --ramp-up "$RAMP")
      rm -f "$RES"/obs-*.json "$RES"/obscpu-*.json
      # one unreported run per node first, so that neither is measured while its JIT is still compiling
      warm off --url "ws://127.0.0.1:$OFF/haip" "${o[@]}"
      warm on --url "ws://127.0.0.1:$ON/haip" "${o[@]}"
      # throughput: alternating closed-loop runs (sensitive to whatever else runs on the machine)
      for i in $(seq 1 "$OBS_RUNS"); do
        load "obs-off-$i" --url "ws://127.0.0.1:$OFF/haip" "${o[@]}"
        load "obs-on-$i" --url "ws://127.0.0.1:$ON/haip" "${o[@]}"
      done
      # the node's own CPU per round trip: alternating open-loop runs at a fixed rate, utime+stime of the node
      # process read around each run (far less sensitive than throughput to the other processes on the machine)
      record "# (e) node CPU: utime+stime (fields 14+15 of /proc/<node pid>/stat, $CLK_TCK ticks/s) of the node, read when each obscpu run's generator logs 'running:' and after it exits"
      oc=(--sessions 100 --rate "$CPU_RATE" --duration "$CPU_DUR" --warmup "$WARM" --ramp-up "$RAMP")
      for i in $(seq 1 "$OBS_RUNS"); do
        cpu_load "obscpu-off-$i" "$OFF_PID" --url "ws://127.0.0.1:$OFF/haip" "${oc[@]}" \
          || skip "(e) CPU run obscpu-off-$i: no result"
        cpu_load "obscpu-on-$i" "$ON_PID" --url "ws://127.0.0.1:$ON/haip" "${oc[@]}" \
          || skip "(e) CPU run obscpu-on-$i: no result"
      done
      stop_pid "$ON_PID"
    else skip "(e) observability: the second node did not start"; fi
    stop_pid "$OFF_PID"
  else skip "(e) observability: the node with metrics off did not start"; fi
fi

# ---- (a): capacity, one fresh node at a time (hub, then the raw Vert.x server for comparison)
if want capacity; then
  SRC=127.0.0.1,127.0.0.2,127.0.0.3,127.0.0.4
  cap=(--scenario idle --sessions "$CAP" --ramp-up "$CAP_RAMP" --hold "$HOLD" --source-addresses "$SRC" --max-pending-connects 128)
  # Each server gets a closed-loop warm-up first, so that its young generation has been used (touched) before the
  # baseline: the RSS per session then counts what the sessions hold (old generation, native), not the first touch
  # of the young generation that any busy node has already paid (with -Xms = -Xmx, a young generation of hundreds of
  # MiB divided by the sessions)
  FIXED_HEAP_FLAGS=("${HEAP_FLAGS[@]}"); HEAP_FLAGS=("${CAP_HEAP_FLAGS[@]}")
  if [ $HUB_OK = 1 ] && start_node capacity "$A" "$CL-cap"; then
    CAP_PID=$NODE_PID
    warm capacity-hub --url "ws://127.0.0.1:$A/haip" --sessions 100 --duration "$ECHO_WARM" --warmup 0s --ramp-up "$RAMP"
    sleep 3  # let start-up garbage settle before the baseline GC
    load capacity-hub --url "ws://127.0.0.1:$A/haip" "${cap[@]}" --node-pid "$CAP_PID" \
      --metrics-url "http://127.0.0.1:$A/metrics"
    stop_pid "$CAP_PID"
  else
    [ $HUB_OK = 1 ] && skip "(a) capacity (hub): the node did not start"
  fi
  record "${SERVER_PIN[*]} java ${CAP_HEAP_FLAGS[*]} -jar bench/target/switchboard-bench.jar raw-echo --port $RAW"
  "${SERVER_PIN[@]}" java "${CAP_HEAP_FLAGS[@]}" -jar "$BENCH_JAR" raw-echo --port "$RAW" > "$RES/raw-capacity.log" 2>&1 &
  RAW_PID=$!; PIDS+=("$RAW_PID")
  until curl -s -o /dev/null "http://127.0.0.1:$RAW/"; do sleep 0.2; done
  warm capacity-raw --url "ws://127.0.0.1:$RAW/haip" --sessions 100 --duration "$ECHO_WARM" --warmup 0s --ramp-up "$RAMP"
  sleep 2
  load capacity-raw --url "ws://127.0.0.1:$RAW/haip" "${cap[@]}" --node-pid "$RAW_PID"
  stop_pid "$RAW_PID"
  HEAP_FLAGS=("${FIXED_HEAP_FLAGS[@]}")
fi

# ---- JMH
if want jmh; then
  # with BENCH_NODE_CP the hub's own classes (FrameParser, Envelopes) come first, as for the nodes
  JCP=$BENCH_JAR; [ -n "${BENCH_NODE_CP:-}" ] && JCP=$BENCH_NODE_CP:$BENCH_JAR
  record "java -cp ${JCP/$ROOT\//} org.openjdk.jmh.Main $JMH_ARGS -rf json -rff jmh.json"
  # shellcheck disable=SC2086
  java -cp "$JCP" org.openjdk.jmh.Main $JMH_ARGS -rf json -rff "$RES/jmh.json" > "$RES/jmh.log" 2>&1 \
    || skip "JMH failed (see $RES/jmh.log)"
  grep -q 'hub-service frame classes not on the classpath' "$RES/jmh.log" \
    && skip "JMH HubFrameBench: the jar's hub-service has no FrameParser (build the jar from a tree with the hub, or set BENCH_NODE_CP)"
  tail -n 20 "$RES/jmh.log" >&2
fi

tmp=$(mktemp); jq --arg l "$(cut -d' ' -f1-3 /proc/loadavg)" '. + {loadAfter: $l}' "$RES/meta.json" > "$tmp" && mv "$tmp" "$RES/meta.json"
java -jar "$BENCH_JAR" report --dir "$RES" --out "$OUT"
# figures measured outside the suite (node start-up, profiles, before/after) are kept by hand and appended
[ -f "$ROOT/bench/RESULTS-history.md" ] && { echo; cat "$ROOT/bench/RESULTS-history.md"; } >> "$OUT"
log "done: $OUT (raw results: $RES)"
