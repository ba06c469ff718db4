#!/usr/bin/env bash
# Renders the README's picture of a kq verify report from a real run.
#
#   scripts/make-report-screenshot.sh [OUT.png]     (default docs/verify-report.png)
#
# It builds kq from this checkout, runs a short at-least-once verify on the
# built-in broker with offsets committed before processing and a consumer
# crash (which loses messages: exit 3 is expected) plus a leader move, writes
# the report with --report, and screenshots its top with headless Chromium
# (Debian: apt-get install -y chromium). The run's faults hit at times the
# seed fixes, but the traffic around them is real, so each run draws a
# slightly different picture. Work files go to bench/out/report/ (ignored by
# git).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/docs/verify-report.png}
work=$root/bench/out/report
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
	echo "make-report-screenshot: chromium is not installed (Debian: apt-get install -y chromium)" >&2
	exit 2
fi
mkdir -p "$work" "$(dirname "$out")"
(cd "$root" && go build -o "$work/kq" .)

cd "$work" # relative paths in the report's replay command
rc=0
./kq verify --semantics at-least-once --commit before \
	--faults crash-consumer,leader-move --fault-interval 1s --fault-duration 1500ms \
	--messages 12000 --rate 1500 --seed 7 \
	--history run.jsonl --report report.html > run.txt || rc=$?
if [ "$rc" != 0 ] && [ "$rc" != 3 ]; then
	cat run.txt >&2
	echo "make-report-screenshot: kq verify failed (exit $rc)" >&2
	exit 1
fi

"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--user-data-dir="$work/profile" --hide-scrollbars --window-size=1000,1350 \
	--screenshot="$out" "file://$work/report.html" 2> "$work/chromium.log"
echo "make-report-screenshot: $out ($(wc -c < "$out") bytes) from $work/report.html"
