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
