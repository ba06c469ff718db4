# Shared by the bench/ scripts (sourced, not run). Needs $root, $out,
# $records and $size set; provides $kq (built from the checkout), $input
# (RECORDS lines of SIZE bytes), build_base, timed and median.

kq=$out/kq
mkdir -p "$out"
# Built as goreleaser.yaml builds releases: users run that binary.
(cd "$root" && CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$kq" .)

input=$out/input-$records-$size.txt
if [ ! -s "$input" ]; then
	awk -v n="$records" -v s="$size" 'BEGIN {
		pad = sprintf("%*s", s, ""); gsub(/ /, "x", pad)
		for (i = 0; i < n; i++) printf "%s%s\n", sprintf("%012d", i), substr(pad, 13)
	}' >"$input"
fi

# build_base REV: builds kq at git revision REV, as releases are built,
# into $out/kq-base.
build_base() {
	rm -rf "$out/base-src"
	mkdir -p "$out/base-src"
	git -C "$root" archive "$1" | tar -x -C "$out/base-src"
	(cd "$out/base-src" && CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$out/kq-base" .)
}

# timed CMD...: runs CMD and prints its wall-clock seconds.
timed() {
	local t0 t1
	t0=$EPOCHREALTIME
	"$@"
	t1=$EPOCHREALTIME
	echo "$t1 - $t0" | bc -l
}

# median: the median of the numbers on stdin, one per line.
median() { sort -g | awk 'NF { v[++n] = $1 } END { print v[int((n + 1) / 2)] }'; }

# line KEY FILE: the value after "KEY: " in FILE, waiting up to 20 s.
line() {
	for _ in $(seq 200); do grep -q "^$1: " "$2" 2>/dev/null && break; sleep 0.1; done
	sed -n "s/^$1: //p" "$2"
}

# stop_pids: kills every process in pids and waits for it (an EXIT trap:
# `pids=(); trap stop_pids EXIT`).
stop_pids() {
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
}

# start_proxied [PROXY FLAGS...]: starts a 3-node `kq broker --port 0` and
# `kq chaos proxy` in front of it with the flags given, adds their pids to
# pids and sets brokers, proxy and control (the proxy's control endpoint).
start_proxied() {
	"$kq" broker --port 0 >"$out/broker.out" 2>"$out/broker.err" &
	pids+=($!)
	brokers=$(line ready "$out/broker.out")
	[ -n "$brokers" ] || { echo "bench: kq broker did not start" >&2; exit 1; }
	"$kq" chaos proxy -b "$brokers" --listen 127.0.0.1:0 --control 127.0.0.1:0 "$@" >"$out/proxy.out" 2>"$out/proxy.err" &
	pids+=($!)
	proxy=$(line ready "$out/proxy.out")
	control=$(line control "$out/proxy.out")
	[ -n "$proxy" ] || { echo "bench: kq chaos proxy did not start" >&2; exit 1; }
}
