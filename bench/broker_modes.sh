#!/usr/bin/env bash
# Produce and consume throughput of kq against `kq broker` run in different
# modes, each compared with the first.
#
#   bench/broker_modes.sh [RECORDS] [SIZE]          (default 200000 100)
#   RUNS=5 MODES='--data-dir @|--data-dir @ --sync' bench/broker_modes.sh
#   PRODUCE_FLAGS='--batch-bytes 2000' bench/broker_modes.sh   (small batches)
#
# MODES is a '|'-separated list of `kq broker` flag sets; '@' stands for a
# fresh data directory. Per mode and run it starts `kq broker` (3 nodes, free
# ports), times `kq produce TOPIC -f FILE` (acks=all, into a pre-created
# topic of 3 partitions) and `kq consume TOPIC -e -o raw`, then stops the
# broker. It prints the median wall-clock time of each step and its
# throughput ratio against the first mode (below 1: slower). Work files go
# to bench/out/ (ignored by git). It installs nothing; it needs Go and awk.
set -euo pipefail

records=${1:-200000}
size=${2:-100}
runs=${RUNS:-3}
modes=${MODES:---data-dir @|--data-dir @ --sync}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/bench/out
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"

broker=
stop() { [ -z "$broker" ] || { kill "$broker" 2>/dev/null || true; wait "$broker" 2>/dev/null || true; broker=; }; }
trap stop EXIT

# run_mode FLAGS: prints "produce-median consume-median" for one mode.
run_mode() {
	local p=() c=() r dir args
	trap stop EXIT # run_mode runs in a subshell: stop its broker on any exit
	for r in $(seq "$runs"); do
		dir=$(mktemp -d "$out/data.XXXXXX")
		args=${1//@/$dir}
		# shellcheck disable=SC2086 # word splitting of the mode's flags is intended
		"$kq" broker --port 0 --seed-topic "bench:3" $args >"$out/broker.out" 2>"$out/broker.err" &
		broker=$!
		for _ in $(seq 300); do grep -q '^ready: ' "$out/broker.out" 2>/dev/null && break; sleep 0.1; done
		brokers=$(sed -n 's/^ready: //p' "$out/broker.out")
		[ -n "$brokers" ] || { echo "bench: kq broker $args did not start" >&2; cat "$out/broker.err" >&2; exit 1; }
		# shellcheck disable=SC2086 # PRODUCE_FLAGS is a flag list
		p+=("$(timed "$kq" produce -b "$brokers" bench -f "$input" ${PRODUCE_FLAGS:-} 2>>"$out/modes-produce.log")")
		c+=("$(timed sh -c '"$1" consume -b "$2" bench -e -o raw >"$3"' _ "$kq" "$brokers" "$out/modes-consume.out")")
		got=$(wc -c <"$out/modes-consume.out")
		[ "$got" -eq $((records * size)) ] || { echo "bench: consumed $got bytes, want $((records * size))" >&2; exit 1; }
		stop
		rm -rf "$dir"
	done
	echo "$(printf '%s\n' "${p[@]}" | median) $(printf '%s\n' "${c[@]}" | median)"
}

echo "$records records of $size bytes, median of $runs runs"
IFS='|' read -ra list <<<"$modes"
base_p= base_c=
for m in "${list[@]}"; do
	read -r mp mc <<<"$(run_mode "$m")"
	: "${base_p:=$mp}" "${base_c:=$mc}"
	printf '%-40s produce %6.2fs (%8.0f rec/s, ratio %.2f)  consume %6.2fs (%8.0f rec/s, ratio %.2f)\n' \
		"${m:-(defaults)}" "$mp" "$(echo "$records / $mp" | bc -l)" "$(echo "$base_p / $mp" | bc -l)" \
		"$mc" "$(echo "$records / $mc" | bc -l)" "$(echo "$base_c / $mc" | bc -l)"
done
