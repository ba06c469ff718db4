#!/usr/bin/env bash
# Idempotent kq produce through lost requests, at another revision and at
# the checkout: how many records are acked after batches that fail in
# doubt.
#
#   bench/indoubt_ab.sh BASE                  # BASE: a git revision
#   RECORDS=100000 P=0.002 bench/indoubt_ab.sh main
#
# A 3-node `kq broker --port 0` behind `kq chaos proxy` with drop-request
# on Produce at probability P (default 0.002: the proxy swallows the
# request, the broker never sees it, the connection is reset). Each build
# runs `kq produce --idempotent --retries 0 --linger 0` of RECORDS (default
# 100000) lines of SIZE (default 100) bytes into a fresh 3-partition topic:
# a batch whose request was dropped fails in doubt at once (no retry).
# Prints each build's acked / failed / in doubt and the records the topic
# holds. Needs Go, git and awk; work files go to bench/out/.
set -euo pipefail

base=${1:?usage: bench/indoubt_ab.sh BASE-REVISION}
records=${RECORDS:-100000}
size=${SIZE:-100}
prob=${P:-0.002}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/bench/out
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"

build_base "$base"

pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done' EXIT
# await FILE: the address after "ready: " in FILE, within 20 s.
await() {
	for _ in $(seq 200); do grep -q '^ready: ' "$1" 2>/dev/null && break; sleep 0.1; done
	sed -n 's/^ready: //p' "$1"
}
"$kq" broker --port 0 >"$out/broker.out" 2>"$out/broker.err" &
pids+=($!)
brokers=$(await "$out/broker.out")
[ -n "$brokers" ] || { echo "bench: kq broker did not start" >&2; exit 1; }
"$kq" chaos proxy -b "$brokers" --listen 127.0.0.1:0 --control 127.0.0.1:0 \
	--faults "drop-request,api=produce,p=$prob" --seed 1 >"$out/proxy.out" 2>"$out/proxy.err" &
pids+=($!)
proxy=$(await "$out/proxy.out")
[ -n "$proxy" ] || { echo "bench: kq chaos proxy did not start" >&2; exit 1; }

echo "kq $base ($(git -C "$root" rev-parse --short "$base")) and the checkout ($(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD || echo ', modified')); $records x $size B through drop-request p=$prob; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for build in base head; do
	bin=$kq
	[ $build = base ] && bin=$out/kq-base
	topic=indoubt-$build-$$
	"$kq" topics create -b "$brokers" "$topic" -p 3 >/dev/null 2>&1
	"$bin" produce -b "$proxy" "$topic" --idempotent --retries 0 --linger 0 -f "$input" -o json \
		</dev/null >"$out/indoubt-$build.json" 2>"$out/indoubt-$build.err" || true
	held=$("$kq" offsets -b "$brokers" "$topic" -o json | sed -n 's/^  "offsets": \([0-9]*\)$/\1/p')
	j=$out/indoubt-$build.json
	field() { sed -n "s/^  \"$1\": \([0-9]*\),\{0,1\}$/\1/p" "$j"; }
	awk -v b="$build" -v a="$(field acked)" -v f="$(field failed)" -v d="$(field in_doubt)" -v e="$(field elapsed_ns)" -v h="$held" \
		'BEGIN { printf "%-4s acked %7d  failed %7d  in doubt %6d  %6.2f s  topic holds %d\n", b, a, f, d, e / 1e9, h }'
	"$kq" topics delete -b "$brokers" "$topic" --yes >/dev/null 2>&1
done
