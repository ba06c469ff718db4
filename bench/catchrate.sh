#!/usr/bin/env bash
# catchrate.sh: how often kq verify catches each broken set-up the README
# lists, over several seeds, and how often each correct preset holds. Runs
# the built-in broker (no brokers configured), one kq verify per line.
#
#   bench/catchrate.sh [SEEDS [CORRECT_SEEDS]]
#
# Broken set-ups run over seeds 1..SEEDS (default 5), correct ones over
# 1..CORRECT_SEEDS (default 3). Prints one line per set-up: how many runs
# exited 3 (violated), 0 (held), 5 (inconclusive) or otherwise.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${TMPDIR:-/tmp}/kq-catchrate
mkdir -p "$out"
kq=$out/kq
# Built as goreleaser.yaml builds releases: users run that binary.
(cd "$root" && CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$kq" .)
seeds=${1:-5}
correct_seeds=${2:-3}
short=(--messages 4000 --rate 2000 --fault-interval 300ms --fault-duration 300ms)

setups=(
	"broken: at-least-once, commit before, crash-consumer|--semantics at-least-once --commit before --faults crash-consumer"
	"broken: at-least-once, auto-commit, commit before, crash-consumer|--semantics at-least-once --commit before --auto-commit --faults crash-consumer"
	"broken: exactly-once, idempotence off, drop-response|--semantics exactly-once --idempotent=false --faults drop-response"
	"broken: exactly-once claimed with plain commits after processing, crash-consumer|--semantics exactly-once --commit after --faults crash-consumer"
	"broken: at-most-once, retries 10, drop-response|--semantics at-most-once --retries 10 --faults drop-response"
	"correct: at-most-once preset, its default faults|--semantics at-most-once"
	"correct: at-least-once preset, its default faults|--semantics at-least-once"
	"correct: at-least-once, auto-commit after processing, crash-consumer|--semantics at-least-once --auto-commit --faults crash-consumer"
	"correct: exactly-once preset, its default faults|--semantics exactly-once"
)
for s in "${setups[@]}"; do
	name=${s%%|*}
	read -r -a args <<<"${s#*|}"
	v=0 h=0 i=0 o=0 n=$seeds
	[[ $name == correct:* ]] && n=$correct_seeds
	for seed in $(seq "$n"); do
		rc=0
		KQ_BROKERS= "$kq" verify "${args[@]}" "${short[@]}" --seed "$seed" >"$out/run.out" 2>&1 || rc=$?
		case $rc in
		3) v=$((v + 1)) ;;
		0) h=$((h + 1)) ;;
		5) i=$((i + 1)) ;;
		*) o=$((o + 1)); tail -3 "$out/run.out" >&2 ;;
		esac
	done
	printf '%s: violated %d, held %d, inconclusive %d, other %d (of %d seeds)\n' "$name" "$v" "$h" "$i" "$o" "$n"
done
