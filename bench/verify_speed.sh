#!/usr/bin/env bash
# kq verify at client speed (issue 17): per run, a fresh `kq broker` (3
# nodes, free ports), one `kq verify --faults none --rate 0` on it with its
# topics kept, then `kq consume -g` reading the run's input topic (the same
# broker, the same values) as a fresh group. Prints per run:
#
#   produce/s, consume/s   the verify phases (the consume or copy phase is
#                          timed from the start of the run, as the readers
#                          read while the producers write; the copy phase
#                          ends at the copiers' last commit) and their ratio;
#   cpu us/v               the verify process's CPU (user+sys) per value;
#   prod us/v, read us/v   the CPU per value of the producers' and of the
#                          consumers' (copiers') goroutines and the client
#                          goroutines they started, from a CPU profile
#                          (KQ_CPUPROFILE, the verify=ROLE labels): the
#                          recording of their events into the history and
#                          the checker counts for them, the garbage
#                          collector for neither;
#   rss MB                 the verify process's peak RSS;
#   broker us/v            the broker's CPU per value during the verify run;
#   -g/s, -g us/v          `kq consume -g G TOPIC -e -o raw`'s rate and CPU
#                          per value (its whole process);
#   -g/cons                how many times faster `kq consume -g` read than
#                          the run's consume phase (the goal: at most 2);
#   read/-g                the readers' CPU per value over kq consume -g's
#                          (the fair form of the same question: the consume
#                          phase cannot end before the producers do).
#
# Then the median of each column.
#
#   bench/verify_speed.sh [MESSAGES] [RUNS]          (default 1000000 3)
#   SEMANTICS=exactly-once bench/verify_speed.sh 200000
#   BUSY=1 bench/verify_speed.sh            # a busy loop holds one core throughout
#   VERIFY_FLAGS='--process-time 0' bench/verify_speed.sh
#   BROKER_FLAGS='--replica-lag 0' bench/verify_speed.sh   # no acks=all hold
#
# Work files go to $OUT (default bench/out/verify-speed/, ignored by git). Needs Go, jq,
# bc and /usr/bin/time.
set -euo pipefail

messages=${1:-1000000}
runs=${2:-3}
semantics=${SEMANTICS:-at-least-once}
root=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$root/bench/out/verify-speed}
records=1 size=1
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"

broker= busy=
stop_broker() { [ -z "$broker" ] || { kill "$broker" 2>/dev/null || true; wait "$broker" 2>/dev/null || true; broker=; }; }
stop() {
	stop_broker
	[ -z "$busy" ] || { kill "$busy" 2>/dev/null || true; wait "$busy" 2>/dev/null || true; busy=; }
}
trap stop EXIT

if [ -n "${BUSY:-}" ]; then
	timeout 3600 sh -c 'while :; do :; done' &
	busy=$!
fi

# cpu_ticks PID: user+system clock ticks of a running process.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# role_secs PROFILE ROLE: CPU seconds the profile's samples labelled verify=ROLE hold.
role_secs() {
	go tool pprof -tags "$kq" "$1" 2>/dev/null | awk -v role="$2" '
		$NF == role { v = $1; if (v ~ /ms$/) { sub(/ms$/, "", v); v /= 1000 } else if (v ~ /us$/) { sub(/us$/, "", v); v /= 1e6 } else sub(/s$/, "", v); print v; found = 1 }
		END { if (!found) print 0 }'
}

hz=$(getconf CLK_TCK)
reader=consumer
[ "$semantics" = exactly-once ] && reader=copier
cols='run produce/s consume/s ratio cpu_us/v prod_us/v read_us/v rss_MB broker_us/v -g/s -g_us/v -g/cons read/-g'
echo "$semantics, $messages values, ${VERIFY_FLAGS:-default flags}, broker ${BROKER_FLAGS:-defaults}, busy loop: ${BUSY:-no}; load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-4s %10s %10s %6s %9s %9s %9s %7s %11s %10s %8s %7s %7s\n' $cols
rows=$out/rows.txt
: >"$rows"
for r in $(seq "$runs"); do
	dir=$out/run$r
	rm -rf "$dir" && mkdir -p "$dir"
	# shellcheck disable=SC2086 # word splitting of BROKER_FLAGS is intended
	"$kq" broker --port 0 ${BROKER_FLAGS:-} >"$dir/broker.out" 2>"$dir/broker.err" &
	broker=$!
	for _ in $(seq 100); do grep -q '^ready' "$dir/broker.out" 2>/dev/null && break; sleep 0.1; done
	brokers=$(sed -n 's/^ready: //p' "$dir/broker.out")
	b0=$(cpu_ticks "$broker")
	# shellcheck disable=SC2086 # word splitting of VERIFY_FLAGS is intended
	KQ_CPUPROFILE=$dir/cpu.prof /usr/bin/time -f '%U %S %M' -o "$dir/verify.time" \
		"$kq" verify -b "$brokers" --semantics "$semantics" --faults none --rate 0 --messages "$messages" \
		--keep-topics -o json ${VERIFY_FLAGS:-} >"$dir/verify.json" 2>"$dir/verify.err" || true
	b1=$(cpu_ticks "$broker")
	verdict=$(jq -r .verdict "$dir/verify.json")
	[ "$verdict" = held ] || { echo "run $r: verdict $verdict (see $dir)" >&2; exit 1; }
	topic=$(jq -r '.topics[0]' "$dir/verify.json")
	vsize=$(jq -r '.settings.workload.size' "$dir/verify.json")
	/usr/bin/time -f '%e %U %S' -o "$dir/consume.time" \
		"$kq" consume -b "$brokers" -g "bench-$r" "$topic" -e -o raw 2>"$dir/consume.err" | wc -c >"$dir/consume.bytes"
	stop_broker
	read -r vu vs vrss <"$dir/verify.time"
	read -r cw cu cs <"$dir/consume.time"
	n=$((messages))
	cn=$(($(cat "$dir/consume.bytes") / vsize))
	prod=$(jq -r '.phases[] | select(.name == "produce") | .records_per_sec' "$dir/verify.json")
	cons=$(jq -r '.phases[] | select(.name == "consume" or .name == "copy") | .records_per_sec' "$dir/verify.json")
	ps=$(role_secs "$dir/cpu.prof" producer)
	rs=$(role_secs "$dir/cpu.prof" "$reader")
	printf '%s\n' "$r $(echo "$prod; $cons; $cons / $prod; ($vu + $vs) * 1000000 / $n; $ps * 1000000 / $n; $rs * 1000000 / $n; $vrss / 1024; ($b1 - $b0) / $hz * 1000000 / $n; $cn / $cw; ($cu + $cs) * 1000000 / $cn; ($cn / $cw) / $cons; ($rs / $n) / (($cu + $cs) / $cn)" | bc -l | tr '\n' ' ')" >>"$rows"
	tail -1 "$rows" | awk '{ printf "%-4s %10.0f %10.0f %6.2f %9.2f %9.2f %9.2f %7.0f %11.2f %10.0f %8.2f %7.2f %7.2f\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13 }'
done
meds=median
for c in $(seq 2 13); do
	meds="$meds $(awk -v c="$c" '{ print $c }' "$rows" | median)"
done
echo "$meds" | awk '{ printf "%-4s %10.0f %10.0f %6.2f %9.2f %9.2f %9.2f %7.0f %11.2f %10.0f %8.2f %7.2f %7.2f\n", "med", $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13 }'
