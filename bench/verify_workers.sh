#!/usr/bin/env bash
# Aggregate rate of kq verify --worker on this machine: N = 1..MAX worker
# processes against one `kq broker` process (loopback), each writing
# MESSAGES values at full speed with no faults. Prints, per N, the values
# acknowledged in all per second of the produce phase (the slowest
# worker's), the merged verdict, and the CPU seconds of the workers and the
# broker (user+system, from /usr/bin/time).
#
#   bench/verify_workers.sh [MESSAGES] [MAX]      # defaults: 50000 3
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
messages=${1:-50000}
maxn=${2:-3}
out=${OUT:-/tmp/kq-bench-workers}
records=1 size=1
# shellcheck source=lib.sh
source "$root/bench/lib.sh"

printf '%-3s %10s %10s %12s %14s %12s %s\n' N acked produce_s acked_per_s workers_cpu_s broker_cpu_s verdict
for n in $(seq 1 "$maxn"); do
	dir=$out/n$n
	rm -rf "$dir" && mkdir -p "$dir"
	/usr/bin/time -f '%U %S' -o "$dir/broker.time" "$kq" broker --nodes 3 --port 0 >"$dir/broker.out" 2>"$dir/broker.err" &
	timepid=$!
	for _ in $(seq 100); do grep -q '^ready' "$dir/broker.out" 2>/dev/null && break; sleep 0.1; done
	brokers=$(sed -n 's/^ready: //p' "$dir/broker.out")
	pids=()
	for i in $(seq 0 $((n - 1))); do
		/usr/bin/time -f '%U %S' -o "$dir/w$i.time" "$kq" verify -b "$brokers" --worker "$i/$n" --run-id "bench-$n-$$" \
			--faults none --messages "$messages" --rate 0 --history "$dir/w$i.jsonl" -o json >"$dir/w$i.json" 2>"$dir/w$i.err" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
	kill -INT "$(pgrep -P "$timepid")" && wait "$timepid" || true
	verdict=$("$kq" verify check "$dir"/w*.jsonl -o json | jq -r .verdict || true)
	acked=$(jq -s 'map(.counts.acked) | add' "$dir"/w*.json)
	produce=$(jq -s 'map(.phases[] | select(.name == "produce") | .duration_ms) | max / 1000' "$dir"/w*.json)
	wcpu=$(cat "$dir"/w*.time | awk '{ s += $1 + $2 } END { printf "%.1f", s }')
	bcpu=$(awk '{ printf "%.1f", $1 + $2 }' "$dir/broker.time")
	printf '%-3s %10s %10.2f %12.0f %14s %12s %s\n' "$n" "$acked" "$produce" "$(echo "$acked / $produce" | bc -l)" "$wcpu" "$bcpu" "$verdict"
done
