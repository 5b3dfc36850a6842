#!/usr/bin/env bash
# Requests per second and latency of the Transfers app end to end, with real processes:
# `citrine dev --app transfers --mode mock` (node, enclave, host with the execution relay) on a
# fresh home, then the load of ExecutionThroughput (benchmarks/Citrine.Benchmarks) against it.
# Prints the load average before and after, and the CPU time each process used.
#
#   benchmarks/execution-throughput.sh [--requests 6000] [--accounts 8] [--rate 0 (req/s; 0: as fast as accepted)] [--block-time 500ms]
set -euo pipefail
cd "$(dirname "$0")/.."
requests=6000 accounts=8 rate=0 block_time=500ms
while [ $# -gt 0 ]; do
  case "$1" in
    --requests) requests=$2; shift 2 ;;
    --accounts) accounts=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --block-time) block_time=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

dotnet build -c Release src/Citrine.Cli -v q -nologo >/dev/null
dotnet build -c Release benchmarks/Citrine.Benchmarks -v q -nologo >/dev/null

home=$(mktemp -d /tmp/citrine-throughput-XXXXXX)
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rpc=$(port) enclave=$(port)
log="$home.dev.log"
dotnet src/Citrine.Cli/bin/Release/net10.0/citrine.dll dev --app transfers --mode mock --fresh --json \
  --home "$home" --rpc "127.0.0.1:$rpc" --enclave-listen "127.0.0.1:$enclave" --block-time "$block_time" >"$log" 2>&1 &
dev=$!
cleanup() {
  local kids; kids=$(ps -o pid= --ppid "$dev" 2>/dev/null || true)
  kill -INT "$dev" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$dev" 2>/dev/null || break; sleep 0.5; done
  # dev stops its node and enclave on Ctrl-C; if it has not within 20 s, end it and them.
  kill -KILL "$dev" $kids 2>/dev/null || true
  wait "$dev" 2>/dev/null || true
  rm -rf "$home" "$log"
}
trap cleanup EXIT
for _ in $(seq 1 240); do
  grep -q 'running; Ctrl-C to stop' "$log" && break
  kill -0 "$dev" 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.5
done
grep -q 'running; Ctrl-C to stop' "$log" || { echo "dev did not start" >&2; cat "$log"; exit 1; }

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/Mem:/{print $2}') GiB, .NET $(dotnet --version)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
children() { ps -o pid=,args= --ppid "$dev" | grep -E 'devnet start|enclave start' || true; }
cpu() { for p in "$dev" $(children | awk '{print $1}'); do [ -r "/proc/$p/stat" ] && awk -v p="$p" '{printf "%s %.2f\n", p, ($14+$15)/100}' "/proc/$p/stat"; done; true; }
before=$(cpu)
status=0
dotnet benchmarks/Citrine.Benchmarks/bin/Release/net10.0/Citrine.Benchmarks.dll execution-throughput \
  --home "$home" --node "http://127.0.0.1:$rpc/" --requests "$requests" --accounts "$accounts" --rate "$rate" || status=$?
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "CPU seconds used during setup + load (pid: before -> after):"
after=$(cpu)
join <(echo "$before" | sort) <(echo "$after" | sort) | while read -r p b a; do
  echo "  $p $(ps -o args= -p "$p" | grep -oE 'dev --app|devnet start|enclave start' | head -1): $b -> $a s"
done
echo "relay batches (from the host's progress lines):"
grep '"step":"BatchApplied"' "$log" | sed -E 's/.*"first_seq":([0-9]+),"end_seq":([0-9]+),"height":([0-9]+).*"latency_ms_mean":([0-9.]+).*"elapsed_ms":([0-9.]+).*/  [\1, \2) applied at height \3, block-time latency mean \4 ms, relay pass \5 ms/' | tail -40
echo "dev log tail:"; tail -3 "$log" | cut -c1-400
exit "$status"
