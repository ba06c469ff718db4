#!/usr/bin/env bash
# Produce and consume throughput of kq against kcat, on one `kq broker`.
#
#   bench/produce_consume.sh [RECORDS] [SIZE]     (default 1000000 100)
#   RUNS=9 bench/produce_consume.sh               (default 5 runs, median kept)
#
# It builds kq from this checkout, starts `kq broker` (3 nodes, free ports),
# writes RECORDS lines of SIZE bytes to a file, and times, per run:
#   produce: kq produce TOPIC -f FILE     vs  kcat -P -t TOPIC -l FILE
#            (each into its own pre-created topic of 3 partitions)
#   consume: kq consume TOPIC -e -o raw   vs  kcat -C -t TOPIC -e -o beginning
#            (both read the same topic, the one kcat produced)
# and prints each kq/kcat throughput ratio (above 1: kq is faster). Times are
# whole-process wall clock: start-up, connection and metadata included.
#
# It installs nothing. It needs kcat (Debian: apt-get install -y kcat), Go
# and awk. Work files go to bench/out/ (ignored by git).
set -euo pipefail

records=${1:-1000000}
size=${2:-100}
runs=${RUNS:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/bench/out

if ! command -v kcat >/dev/null; then
	echo "bench: kcat is not installed (Debian: apt-get install -y kcat)" >&2
	exit 2
fi
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"

seeds=()
for r in $(seq "$runs"); do
	seeds+=(--seed-topic "kq-$r:3" --seed-topic "kcat-$r:3")
done
"$kq" broker --port 0 "${seeds[@]}" >"$out/broker.out" 2>"$out/broker.err" &
broker=$!
trap 'kill "$broker" 2>/dev/null || true; wait "$broker" 2>/dev/null || true' EXIT
for _ in $(seq 200); do
	grep -q '^ready: ' "$out/broker.out" 2>/dev/null && break
	sleep 0.1
done
brokers=$(sed -n 's/^ready: //p' "$out/broker.out")
[ -n "$brokers" ] || { echo "bench: kq broker did not start" >&2; cat "$out/broker.err" >&2; exit 1; }

# count TOPIC: records in TOPIC, from the broker's offsets.
count() {
	"$kq" offsets -b "$brokers" "$1" -o json | sed -n 's/^  "offsets": \([0-9]*\)$/\1/p'
}

declare -a kq_p kcat_p kq_c kcat_c
produce_kq() { kq_p+=("$(timed "$kq" produce -b "$brokers" "kq-$1" -f "$input" 2>>"$out/kq-produce.log")"); }
produce_kcat() { kcat_p+=("$(timed kcat -P -b "$brokers" -t "kcat-$1" -l "$input")"); }
consume_kq() {
	kq_c+=("$(timed sh -c '"$1" consume -b "$2" "$3" -e -o raw >"$4"' _ "$kq" "$brokers" "kcat-$1" "$out/kq-consume.out")")
}
consume_kcat() {
	kcat_c+=("$(timed sh -c 'kcat -C -b "$1" -t "$2" -e -q -o beginning >"$3"' _ "$brokers" "kcat-$1" "$out/kcat-consume.out")")
}

for r in $(seq "$runs"); do
	# Alternate which tool goes first, as the broker's heap grows run by run.
	if [ $((r % 2)) = 1 ]; then
		produce_kq "$r"
		produce_kcat "$r"
	else
		produce_kcat "$r"
		produce_kq "$r"
	fi
	for t in "kq-$r" "kcat-$r"; do
		if [ "$(count "$t")" != "$records" ]; then
			echo "bench: topic $t holds $(count "$t") records, want $records" >&2
			exit 1
		fi
	done
	if [ $((r % 2)) = 1 ]; then
		consume_kq "$r"
		consume_kcat "$r"
	else
		consume_kcat "$r"
		consume_kq "$r"
	fi
	want=$((records * size))
	got=$(wc -c <"$out/kq-consume.out")
	if [ "$got" != "$want" ]; then
		echo "bench: kq consume wrote $got bytes, want $want" >&2
		exit 1
	fi
	echo "run $r: produce kq ${kq_p[-1]}s kcat ${kcat_p[-1]}s; consume kq ${kq_c[-1]}s kcat ${kcat_c[-1]}s" >&2
done

report() {
	local what=$1 kq_s kcat_s
	kq_s=$(printf '%s\n' "${@:2:$runs}" | median)
	kcat_s=$(printf '%s\n' "${@:$((runs + 2))}" | median)
	printf '%-8s kq %6.2fs (%9.0f records/s)  kcat %6.2fs (%9.0f records/s)  kq/kcat %.2f\n' \
		"$what" "$kq_s" "$(echo "$records / $kq_s" | bc -l)" "$kcat_s" "$(echo "$records / $kcat_s" | bc -l)" \
		"$(echo "$kcat_s / $kq_s" | bc -l)"
}
echo "$records records of $size bytes, median of $runs runs, broker $brokers"
report produce "${kq_p[@]}" "${kcat_p[@]}"
report consume "${kq_c[@]}" "${kcat_c[@]}"
