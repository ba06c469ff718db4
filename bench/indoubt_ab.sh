#!/usr/bin/env bash
# Idempotent kq produce after a batch that failed in doubt, at another
# revision and at the checkout: how many of the later records are acked.
#
#   bench/indoubt_ab.sh BASE                  # BASE: a git revision
#   RECORDS=20000 bench/indoubt_ab.sh main
#
# A 3-node `kq broker --port 0` behind `kq chaos proxy`. Each build runs
# `kq produce --idempotent` into a fresh 1-partition topic, reading a
# FIFO: 1,000 records (acked), then, with drop-request on Produce set
# (every request swallowed before the broker, the connection reset), one
# record "b", whose attempts are all lost until the 30 s delivery timeout
# ends them in doubt (not written); then the fault is cleared and RECORDS
# (default 5000) more records follow. Prints each build's acked / failed /
# in doubt and the records the topic holds. Needs Go, git and awk; work
# files go to bench/out/. Takes about a minute per build.
set -euo pipefail

base=${1:?usage: bench/indoubt_ab.sh BASE-REVISION}
records=${RECORDS:-5000}
size=100
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/bench/out
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
build_base "$base"

pids=()
trap stop_pids EXIT
start_proxied

# held TOPIC: the records TOPIC holds.
held() { "$kq" offsets -b "$brokers" "$1" -o json | sed -n 's/^  "offsets": \([0-9]*\)$/\1/p'; }

echo "kq $base ($(git -C "$root" rev-parse --short "$base")) and the checkout ($(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD || echo ', modified')); 1000 + b + $records records; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for build in base head; do
	bin=$kq
	[ $build = base ] && bin=$out/kq-base
	topic=indoubt-$build-$$
	"$kq" topics create -b "$brokers" "$topic" -p 1 >/dev/null 2>&1
	fifo=$out/indoubt.fifo
	rm -f "$fifo" && mkfifo "$fifo"
	"$bin" produce -b "$proxy" "$topic" --idempotent -f "$fifo" -o json \
		>"$out/indoubt-$build.json" 2>"$out/indoubt-$build.err" &
	producer=$!
	exec 3>"$fifo"
	head -n 1000 "$input" >&3
	for _ in $(seq 200); do [ "$(held "$topic")" = 1000 ] && break; sleep 0.1; done
	id=$(KQ_CHAOS_CONTROL=$control "$kq" chaos set drop-request,api=produce,p=1 2>/dev/null)
	echo b >&3
	sleep 33 # the delivery timeout (30 s) ends b's attempts
	KQ_CHAOS_CONTROL=$control "$kq" chaos clear "$id" >/dev/null 2>&1
	tail -n "$records" "$input" >&3
	exec 3>&-
	wait "$producer" || true
	j=$out/indoubt-$build.json
	field() { sed -n "s/^  \"$1\": \([0-9]*\),\{0,1\}$/\1/p" "$j"; }
	awk -v b="$build" -v a="$(field acked)" -v f="$(field failed)" -v d="$(field in_doubt)" -v e="$(field elapsed_ns)" -v h="$(held "$topic")" \
		'BEGIN { printf "%-4s acked %6d  failed %6d  in doubt %6d  %6.2f s  topic holds %d\n", b, a, f, d, e / 1e9, h }'
	"$kq" topics delete -b "$brokers" "$topic" --yes >/dev/null 2>&1
done
