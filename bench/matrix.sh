#!/usr/bin/env bash
# The kq vs kcat benchmark matrix, on one 3-node `kq broker` per value size.
#
#   bench/matrix.sh                          # defaults below, 15-30 minutes
#   QUICK=1 bench/matrix.sh                  # MB=20 RUNS=3 LOADS=quiet: a few minutes
#   MB=200 RUNS=5 bench/matrix.sh            # bigger cells, more runs
#   SIZES=1000 KEYS=null MODES=file LOADS=quiet FORMATS= bench/matrix.sh
#
# Parameters (environment):
#   SIZES    value sizes in bytes                     (default "100 1000 10000")
#   KEYS     null (no key) and/or keyed (-K :)        (default "null keyed")
#   MODES    produce input: file (-f / -l), redirect  (default "file redirect pipe")
#            (< FILE on stdin) and/or pipe (cat FILE |)
#   FORMATS  consume output: raw (kq -o raw, kcat -f '%s') and/or fmt
#            (kq -f '%k %v\n', kcat -f '%k %s\n'); empty: no consume cells
#                                                    (default "raw fmt")
#   LOADS    quiet and/or busy (a shell busy loop holds one core while the
#            cell runs)                               (default "quiet busy")
#   MB       value megabytes per cell: RECORDS = MB*1e6/SIZE  (default 100)
#   RECORDS  records per cell, overriding MB
#   RUNS     runs per tool and cell; the median is kept  (default 3)
#   QUICK    1: defaults MB=20 and LOADS=quiet instead (explicit settings win)
#   IDEMPOTENT 1: produce idempotently (kq --idempotent, kcat -X
#            enable.idempotence=true); the produce cells say "idempotent"
#
# Every cell runs kq and kcat alternately (the order flips each run), each
# as a whole process timed by /usr/bin/time: wall clock (start-up,
# connection and metadata included), user+sys CPU and peak RSS. A produce
# run writes into a fresh, pre-created 3-partition topic, which is checked
# to hold RECORDS records and then deleted (the broker keeps its log in
# memory). Consume cells read one topic kcat produced; both tools' outputs
# must have the same size. Both tools use their defaults otherwise (acks=all,
# no compression, 5 ms linger).
#
# Output: a header line (commit, versions, cores, time, load average), a
# markdown table with one row per cell and a closing line with the load
# average at the end, all on stdout (kq/kcat throughput
# ratio: above 1 kq is faster; CPU ratio: below 1 kq uses less), per-run
# lines on stderr. It needs kcat (Debian: apt-get install -y kcat), GNU time
# (apt-get install -y time), Go and awk; work files go to bench/out/.
set -euo pipefail

sizes=${SIZES:-100 1000 10000}
keys=${KEYS:-null keyed}
modes=${MODES:-file redirect pipe}
formats=${FORMATS-raw fmt}
loads=${LOADS:-quiet busy}
mb=${MB:-100}
if [ "${QUICK:-}" = 1 ]; then
	loads=${LOADS:-quiet}
	mb=${MB:-20}
fi
runs=${RUNS:-3}
idem=
[ "${IDEMPOTENT:-}" = 1 ] && idem=" idempotent"
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/bench/out
kq=$out/kq

for tool in kcat /usr/bin/time awk; do
	if ! command -v "$tool" >/dev/null; then
		echo "bench: $tool is not installed (Debian: apt-get install -y kcat time gawk)" >&2
		exit 2
	fi
done
mkdir -p "$out"
# Built as goreleaser.yaml builds releases: users run that binary.
(cd "$root" && CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$kq" .)

broker= busy=
cleanup() {
	[ -z "$busy" ] || kill "$busy" 2>/dev/null || true
	if [ -n "$broker" ]; then
		kill "$broker" 2>/dev/null || true
		wait "$broker" 2>/dev/null || true
	fi
	broker= busy=
}
trap cleanup EXIT

# start_broker: a fresh 3-node broker on free ports; sets $brokers.
start_broker() {
	"$kq" broker --port 0 >"$out/broker.out" 2>"$out/broker.err" &
	broker=$!
	for _ in $(seq 200); do
		grep -q '^ready: ' "$out/broker.out" 2>/dev/null && break
		sleep 0.1
	done
	brokers=$(sed -n 's/^ready: //p' "$out/broker.out")
	[ -n "$brokers" ] || { echo "bench: kq broker did not start" >&2; cat "$out/broker.err" >&2; exit 1; }
}

# input SIZE KEYED RECORDS: writes (once) and prints the input file: lines
# of a SIZE-byte value, prefixed with an 8-byte key and ':' when KEYED.
input() {
	local f=$out/input-$3-$1-$2.txt
	if [ ! -s "$f" ]; then
		awk -v n="$3" -v s="$1" -v keyed="$2" 'BEGIN {
			pad = "x"; while (length(pad) < s) pad = pad pad
			for (i = 0; i < n; i++) {
				if (keyed == "keyed") printf "k%07d:", i % 10000000
				printf "%s%s\n", sprintf("%012d", i), substr(pad, 1, s - 12)
			}
		}' >"$f"
	fi
	echo "$f"
}

# measure TIMEFILE CMD...: runs CMD under GNU time, which writes
# "wall user sys maxrss_kb" to TIMEFILE.
measure() { local tf=$1; shift; /usr/bin/time -f '%e %U %S %M' -o "$tf" "$@"; }

# new_topic: creates a fresh 3-partition topic, named in $topic.
topic_n=0
new_topic() {
	topic_n=$((topic_n + 1))
	topic="b$topic_n"
	"$kq" topics create -b "$brokers" "$topic" -p 3 >/dev/null 2>&1
}

count() { "$kq" offsets -b "$brokers" "$1" -o json | sed -n 's/^  "offsets": \([0-9]*\)$/\1/p'; }

# produce_run TOOL MODE FILE KEYED TOPIC TIMEFILE
produce_run() {
	local tool=$1 mode=$2 file=$3 keyed=$4 topic=$5 tf=$6 k=()
	local -a cmd
	if [ "$tool" = kq ]; then
		[ "$keyed" = keyed ] && k=(-K :)
		cmd=("$kq" produce -b "$brokers" "$topic" "${k[@]}")
		[ "${IDEMPOTENT:-}" = 1 ] && cmd+=(--idempotent)
		[ "$mode" = file ] && cmd+=(-f "$file")
	else
		[ "$keyed" = keyed ] && k=(-K :)
		cmd=(kcat -P -b "$brokers" -t "$topic" "${k[@]}")
		[ "${IDEMPOTENT:-}" = 1 ] && cmd+=(-X enable.idempotence=true)
		[ "$mode" = file ] && cmd+=(-l "$file")
	fi
	case $mode in
	file) measure "$tf" "${cmd[@]}" </dev/null ;;
	redirect) measure "$tf" "${cmd[@]}" <"$file" ;;
	pipe) cat "$file" | measure "$tf" "${cmd[@]}" ;;
	esac 2>>"$out/$tool-produce.log"
}

# consume_run TOOL FORMAT TOPIC TIMEFILE OUTFILE
consume_run() {
	local tool=$1 format=$2 topic=$3 tf=$4 of=$5
	if [ "$tool" = kq ]; then
		local f=(-o raw)
		[ "$format" = fmt ] && f=(-f '%k %v\n')
		measure "$tf" "$kq" consume -b "$brokers" "$topic" -e "${f[@]}" >"$of"
	else
		local f='%s'
		[ "$format" = fmt ] && f='%k %s\n'
		measure "$tf" kcat -C -b "$brokers" -t "$topic" -e -q -o beginning -f "$f" >"$of"
	fi
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# cell NAME RECORDS FN ARGS...: runs FN TOOL RUN TIMEFILE ARGS... for both
# tools RUNS times, alternating, and prints the cell's row.
cell() {
	local name=$1 n=$2 fn=$3 r tool
	shift 3
	rm -f "$out"/t-kq-* "$out"/t-kcat-*
	for r in $(seq "$runs"); do
		local order="kq kcat"
		[ $((r % 2)) = 0 ] && order="kcat kq"
		for tool in $order; do
			"$fn" "$tool" "$r" "$out/t-$tool-$r" "$@"
		done
		echo "  $name run $r: kq $(cat "$out/t-kq-$r")  kcat $(cat "$out/t-kcat-$r")" >&2
	done
	local kw kc ku kcu km kcm
	kw=$(cat "$out"/t-kq-* | awk '{ print $1 }' | median)
	kc=$(cat "$out"/t-kcat-* | awk '{ print $1 }' | median)
	ku=$(cat "$out"/t-kq-* | awk '{ print $2 + $3 }' | median)
	kcu=$(cat "$out"/t-kcat-* | awk '{ print $2 + $3 }' | median)
	km=$(cat "$out"/t-kq-* | awk '{ print $4 }' | median)
	kcm=$(cat "$out"/t-kcat-* | awk '{ print $4 }' | median)
	awk -v name="$name" -v n="$n" -v kw="$kw" -v kc="$kc" -v ku="$ku" -v kcu="$kcu" -v km="$km" -v kcm="$kcm" 'BEGIN {
		if (kw <= 0) kw = 0.005; if (kc <= 0) kc = 0.005; if (ku <= 0) ku = 0.005
		printf "| %s | %.2f | %.2f | **%.2f** | %.2f | %.2f | **%.2f** | %.0f | %.0f |\n",
			name, kw, kc, kc / kw, ku * 1e6 / n, kcu * 1e6 / n, ku / kcu, km / 1024, kcm / 1024
	}'
}

# produce_cell TOOL RUN TIMEFILE MODE FILE KEYED N
produce_cell() {
	local tool=$1 tf=$3 mode=$4 file=$5 keyed=$6 n=$7 got
	new_topic
	produce_run "$tool" "$mode" "$file" "$keyed" "$topic" "$tf"
	got=$(count "$topic")
	if [ "$got" != "$n" ]; then
		echo "bench: $tool wrote $got records to $topic, want $n" >&2
		exit 1
	fi
	"$kq" topics delete -b "$brokers" "$topic" --yes >/dev/null 2>&1
}

# consume_cell TOOL RUN TIMEFILE FORMAT TOPIC
consume_cell() {
	local tool=$1 tf=$3 format=$4 topic=$5
	consume_run "$tool" "$format" "$topic" "$tf" "$out/consume-$tool.out"
	if [ -s "$out/consume-kq.out" ] && [ -s "$out/consume-kcat.out" ]; then
		local a b
		a=$(wc -c <"$out/consume-kq.out") b=$(wc -c <"$out/consume-kcat.out")
		if [ "$a" != "$b" ]; then
			echo "bench: kq consume wrote $a bytes, kcat $b" >&2
			exit 1
		fi
	fi
}

echo "kq $(cd "$root" && git rev-parse --short HEAD) vs $(kcat -V | sed -n 's/^Version \([^ ]*\) .*librdkafka \([^ ]*\).*/kcat \1, librdkafka \2/p'); $(nproc) cores; $(date -u +%FT%TZ); RUNS=$runs, MB=$mb; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| cell | kq s | kcat s | kq/kcat throughput | kq CPU µs/rec | kcat CPU µs/rec | CPU kq/kcat | kq RSS MB | kcat RSS MB |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for load in $loads; do
	if [ "$load" = busy ]; then
		(while :; do :; done) &
		busy=$!
	fi
	for size in $sizes; do
		n=${RECORDS:-$((mb * 1000000 / size))}
		start_broker
		for keyed in $keys; do
			file=$(input "$size" "$keyed" "$n")
			for mode in $modes; do
				cell "$load produce${idem} $size B $keyed $mode ($n)" "$n" produce_cell "$mode" "$file" "$keyed" "$n"
			done
			[ -n "$formats" ] || continue
			new_topic
			produce_run kcat file "$file" "$keyed" "$topic" "$out/t-seed"
			for format in $formats; do
				rm -f "$out"/consume-*.out
				cell "$load consume $size B $keyed $format ($n)" "$n" consume_cell "$format" "$topic"
			done
		done
		kill "$broker"
		wait "$broker" 2>/dev/null || true
		broker=
	done
	if [ -n "$busy" ]; then
		kill "$busy"
		wait "$busy" 2>/dev/null || true
		busy=
	fi
done
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) ($(date -u +%FT%TZ))"
