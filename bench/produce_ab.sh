#!/usr/bin/env bash
# kq produce at another revision against the checkout's, and kcat, on one
# 3-node `kq broker`, alternating: for a change's before and after.
#
#   bench/produce_ab.sh BASE                       # BASE: a git revision
#   RUNS=7 KEYED=1 IDEMPOTENT=1 bench/produce_ab.sh main
#   RECORDS=200000 SIZE=1000 bench/produce_ab.sh HEAD~1
#
# Parameters (environment): RECORDS (default 1000000) lines of SIZE
# (default 100) bytes, read with -f / -l; KEYED=1 prefixes each with an
# 8-byte key and ':' (kq and kcat -K :); IDEMPOTENT=1 adds kq --idempotent
# and kcat -X enable.idempotence=true; RUNS (default 5) runs per tool, the
# order rotating each run. Each run writes into a fresh 3-partition topic,
# checked to hold RECORDS records, then deleted. Both kq builds are built
# as releases are. Prints per-run lines on stderr and, per tool, the median
# wall clock, user+sys CPU per record and peak RSS (GNU time). Needs kcat,
# GNU time, Go, git and awk; work files go to bench/out/.
set -euo pipefail

base=${1:?usage: bench/produce_ab.sh BASE-REVISION}
records=${RECORDS:-1000000}
size=${SIZE:-100}
runs=${RUNS:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/bench/out
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"

build_base "$base"

keys=() file=$input
if [ "${KEYED:-}" = 1 ]; then
	keys=(-K :)
	file=$out/input-$records-$size-keyed.txt
	[ -s "$file" ] || awk '{ printf "k%07d:%s\n", (NR - 1) % 10000000, $0 }' "$input" >"$file"
fi
kqflags=() kcatflags=()
if [ "${IDEMPOTENT:-}" = 1 ]; then
	kqflags=(--idempotent) kcatflags=(-X enable.idempotence=true)
fi

"$kq" broker --port 0 >"$out/broker.out" 2>"$out/broker.err" &
broker=$!
trap 'kill "$broker" 2>/dev/null || true; wait "$broker" 2>/dev/null || true' EXIT
for _ in $(seq 200); do grep -q '^ready: ' "$out/broker.out" 2>/dev/null && break; sleep 0.1; done
brokers=$(sed -n 's/^ready: //p' "$out/broker.out")
[ -n "$brokers" ] || { echo "bench: kq broker did not start" >&2; exit 1; }

tools=(base head kcat)
rm -f "$out"/ab-*.t
n=0
for r in $(seq "$runs"); do
	for i in 0 1 2; do
		tool=${tools[$(((i + r) % 3))]}
		n=$((n + 1))
		topic=ab$n
		"$kq" topics create -b "$brokers" "$topic" -p 3 >/dev/null 2>&1
		case $tool in
		base) cmd=("$out/kq-base" produce -b "$brokers" "$topic" "${keys[@]}" "${kqflags[@]}" -f "$file") ;;
		head) cmd=("$kq" produce -b "$brokers" "$topic" "${keys[@]}" "${kqflags[@]}" -f "$file") ;;
		kcat) cmd=(kcat -P -b "$brokers" -t "$topic" "${keys[@]}" "${kcatflags[@]}" -l "$file") ;;
		esac
		/usr/bin/time -f '%e %U %S %M' -o "$out/ab-$tool-$r.t" "${cmd[@]}" </dev/null 2>>"$out/ab.log"
		got=$("$kq" offsets -b "$brokers" "$topic" -o json | sed -n 's/^  "offsets": \([0-9]*\)$/\1/p')
		[ "$got" = "$records" ] || { echo "bench: $tool wrote $got records, want $records" >&2; exit 1; }
		"$kq" topics delete -b "$brokers" "$topic" --yes >/dev/null 2>&1
	done
	echo "run $r: base $(cat "$out/ab-base-$r.t") | head $(cat "$out/ab-head-$r.t") | kcat $(cat "$out/ab-kcat-$r.t")" >&2
done

echo "kq $base ($(git -C "$root" rev-parse --short "$base")) and the checkout ($(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD || echo ', modified')) vs kcat; $records x $size B, keyed ${KEYED:-0}, idempotent ${IDEMPOTENT:-0}; RUNS=$runs; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for tool in "${tools[@]}"; do
	w=$(awk '{ print $1 }' "$out"/ab-"$tool"-*.t | median)
	c=$(awk '{ print $2 + $3 }' "$out"/ab-"$tool"-*.t | median)
	m=$(awk '{ print $4 }' "$out"/ab-"$tool"-*.t | median)
	awk -v t="$tool" -v w="$w" -v c="$c" -v m="$m" -v n="$records" \
		'BEGIN { printf "%-4s wall %5.2f s  CPU %5.2f µs/record  RSS %3.0f MB\n", t, w, c * 1e6 / n, m / 1024 }'
done
