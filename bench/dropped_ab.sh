#!/usr/bin/env bash
# kq produce through a lossy network with few retries, at another revision
# and at the checkout: how many records are acked.
#
#   bench/dropped_ab.sh BASE                  # BASE: a git revision
#   RUNS=5 RETRIES=0 P=0.1 bench/dropped_ab.sh c1fa5d9
#
# A 3-node `kq broker --port 0` behind `kq chaos proxy` that swallows a
# share P (default 0.2) of the Produce requests and resets their
# connections (drop-request). Each build, alternately, RUNS times
# (default 5), runs `kq produce --retries RETRIES` (default 1) of RECORDS
# (default 20000) generated 100-byte records with --batch-bytes 16000 (many
# requests) into a fresh 3-partition topic, and prints acked / failed /
# in doubt. Needs Go, git and awk; work files go to bench/out/.
set -euo pipefail

base=${1:?usage: bench/dropped_ab.sh BASE-REVISION}
runs=${RUNS:-5} retries=${RETRIES:-1} share=${P:-0.2} n=${RECORDS:-20000}
records=1 size=1
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/bench/out
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
build_base "$base"

pids=()
trap stop_pids EXIT
start_proxied --faults "drop-request,api=produce,p=$share"

echo "kq $base ($(git -C "$root" rev-parse --short "$base")) and the checkout ($(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD || echo ', modified')); $n records, --retries $retries, $share of Produce requests dropped; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for run in $(seq "$runs"); do
	for build in base head; do
		bin=$kq
		[ $build = base ] && bin=$out/kq-base
		topic=dropped-$build-$run-$$
		"$kq" topics create -b "$brokers" "$topic" -p 3 >/dev/null 2>&1
		j=$out/dropped-$build.json
		timeout 300 "$bin" produce -b "$proxy" "$topic" --gen "$n" --size 100 --batch-bytes 16000 \
			--retries "$retries" --flush-timeout 20s -o json >"$j" 2>"$out/dropped-$build.err" || true
		field() { sed -n "s/^  \"$1\": \([0-9]*\),\{0,1\}$/\1/p" "$j"; }
		awk -v r="$run" -v b="$build" -v a="$(field acked)" -v f="$(field failed)" -v d="$(field in_doubt)" -v e="$(field elapsed_ns)" \
			'BEGIN { printf "run %d %-4s acked %6d  failed %6d  in doubt %6d  %6.2f s\n", r, b, a, f, d, e / 1e9 }'
		"$kq" topics delete -b "$brokers" "$topic" --yes >/dev/null 2>&1 || true
	done
done
