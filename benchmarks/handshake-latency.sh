#!/usr/bin/env bash
# Handshake latency on the devnet (docs/benchmarks.md, "Handshake"): runs
# `citrine dev --fresh --once --json` N times, each on a fresh temporary home with the node and the
# enclave as real child processes on loopback ports chosen by the OS, and reads `handshake_ms` and
# `handshake_blocks` from each run's `{"event":"established",...}` line (from the start of step 1,
# Instantiate, to the commit of SessionSetPubKey; blocks = SetPubKey's height - Instantiate's).
#
# A wall-clock measurement of real processes, so a script rather than a BenchmarkDotNet job.
#
#   benchmarks/handshake-latency.sh [N=10] [--mode simulated-dcap|mock] [--block-time 500ms]
set -euo pipefail

runs=10
mode=simulated-dcap
block_time=500ms
while [[ $# -gt 0 ]]; do
  case "$1" in
    --mode) mode="${2:?--mode needs simulated-dcap or mock}"; shift 2 ;;
    --mode=*) mode="${1#--mode=}"; shift ;;
    --block-time) block_time="${2:?--block-time needs a duration}"; shift 2 ;;
    --block-time=*) block_time="${1#--block-time=}"; shift ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *)
      if [[ "$1" =~ ^[1-9][0-9]*$ ]]; then runs="$1"; shift
      else echo "handshake-latency: unexpected argument '$1' (N, --mode, --block-time)" >&2; exit 2
      fi ;;
  esac
done
case "$mode" in simulated-dcap|mock) ;; *) echo "handshake-latency: --mode must be simulated-dcap or mock, got '$mode'" >&2; exit 2 ;; esac
command -v jq >/dev/null || { echo "handshake-latency: needs jq" >&2; exit 2; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The default output path: the CLI copies the session contract from the contract project's own bin
# folder into contracts/ beside citrine.dll, which `-o` would redirect elsewhere.
cli="$root/src/Citrine.Cli/bin/Release/net10.0/citrine.dll"
echo "building the CLI (Release) once..." >&2
dotnet build "$root/src/Citrine.Cli/Citrine.Cli.csproj" -c Release -nologo -v quiet -clp:NoSummary >&2

work="$(mktemp -d "${TMPDIR:-/tmp}/citrine-handshake-latency.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "# citrine dev --mode $mode --block-time $block_time, $runs runs; $(nproc) cores; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-4s %10s %8s %12s\n' run handshake_ms blocks wall_s
ms_list=()
blocks_list=()
failed=0
for ((i = 1; i <= runs; i++)); do
  out="$work/run-$i.jsonl"
  started=$(date +%s.%N)
  if ! dotnet "$cli" dev --home "$work/home" --fresh --once --json --mode "$mode" --block-time "$block_time" \
      --rpc 127.0.0.1:0 --enclave-listen 127.0.0.1:0 >"$out" 2>"$work/run-$i.err"; then
    echo "run $i failed: $(tail -n 3 "$work/run-$i.err" | tr '\n' ' ')" >&2
    failed=$((failed + 1))
    continue
  fi
  wall=$(echo "$(date +%s.%N) - $started" | bc)
  line=$(grep '"event":"established"' "$out" | tail -n 1 || true)
  ms=$(jq -r '.handshake_ms // empty' <<<"$line")
  blocks=$(jq -r '.handshake_blocks // empty' <<<"$line")
  if [[ -z "$ms" || -z "$blocks" ]]; then
    echo "run $i: no established line with handshake_ms and handshake_blocks" >&2
    failed=$((failed + 1))
    continue
  fi
  printf '%-4s %10s %8s %12.1f\n' "$i" "$ms" "$blocks" "$wall"
  ms_list+=("$ms")
  blocks_list+=("$blocks")
done
rm -rf "$work/home"

if [[ ${#ms_list[@]} -eq 0 ]]; then
  echo "no run established a session" >&2
  exit 1
fi

# median (mean of the two middle values for an even count), min, max of one column
stats() { sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%s %s %s\n", m, v[1], v[NR] }'; }
read -r ms_med ms_min ms_max < <(printf '%s\n' "${ms_list[@]}" | stats)
read -r b_med b_min b_max < <(printf '%s\n' "${blocks_list[@]}" | stats)
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %8s %8s %8s\n' "" median min max
printf '%-8s %8.2f %8.2f %8.2f\n' seconds "$(echo "$ms_med / 1000" | bc -l)" "$(echo "$ms_min / 1000" | bc -l)" "$(echo "$ms_max / 1000" | bc -l)"
printf '%-8s %8s %8s %8s\n' blocks "$b_med" "$b_min" "$b_max"
echo "# ${#ms_list[@]} of $runs runs established a session; goal: <= 3 blocks and < 2 s"
[[ $failed -eq 0 ]]
