# Helpers shared by the interop checks (sourced by run.sh; bash).
#
# A check is a function check_<name> run in its own process under
# timeout(1) with `set -euo pipefail`; it fails by returning non-zero or by
# calling fail. Its stdout and stderr go to $WORK/<name>.log, its files to
# its own directory $CHECK_DIR (the current directory while it runs).
#
# Exported by run.sh: KQ (the kq binary), BROKERS (kq broker's bootstrap
# list), WORK (scratch directory), HERE (this interop/ folder), BIN
# (helper binaries), PYTHON (a python3 that imports kafka), SR_URL (the
# Schema Registry kq broker serves).

# T is the time limit, in seconds, of single client commands inside checks.
T=${INTEROP_CMD_TIMEOUT:-60}

# fail records why the check failed and ends it.
fail() {
  printf '%s\n' "$*" > "$CHECK_DIR/reason"
  echo "FAIL: $*" >&2
  exit 1
}

# need_tool fails the check when a program is missing.
need_tool() {
  command -v "$1" > /dev/null 2>&1 || fail "$1 not installed (see .ci/interop)"
}

# kq_has tells whether kq has the command named by its arguments, e.g.
# `kq_has groups describe`.
kq_has() {
  local parent=() name
  while [ $# -gt 1 ]; do parent+=("$1"); shift; done
  name=$1
  "$KQ" "${parent[@]}" --help 2> /dev/null |
    sed -n '/^Available Commands:/,/^$/p' | grep -q "^  $name "
}

# need_kq fails the check when kq lacks a command: "kq produce not available".
need_kq() {
  kq_has "$@" || fail "kq $* not available"
}

# run_kq runs kq with a time limit against the broker under test.
run_kq() {
  timeout -k 5 "$T" "$KQ" -b "$BROKERS" "$@"
}

# norm reads records in kq's JSON form (one object per line) and prints
# them in a canonical form, sorted: only key, value and headers compared.
norm() {
  jq -c --sort-keys '{key, value, headers: ((.headers // []) | map({key, value}))}' | LC_ALL=C sort
}

# kcat_to_kq_json turns kcat -J output into kq's JSON form.
kcat_to_kq_json() {
  jq -c '{key, value: .payload,
    headers: ((.headers // []) as $h | [range(0; $h | length; 2) | {key: $h[.], value: $h[. + 1]}])}'
}

# same_records fails unless two files of JSON records hold the same records
# (as multisets of key, value and headers). $3 names the comparison.
same_records() {
  norm < "$1" > "$1.norm"
  norm < "$2" > "$2.norm"
  if ! diff -u "$1.norm" "$2.norm" > "$CHECK_DIR/diff.txt"; then
    head -n 40 "$CHECK_DIR/diff.txt" >&2
    fail "$3: records differ (wrote $(wc -l < "$1.norm"), read $(wc -l < "$2.norm"); see diff above)"
  fi
  [ -s "$1.norm" ] || fail "$3: no records at all"
}

# records_json prints N records in kq's JSON form: keys PREFIX-kI, values
# with non-ASCII text, and two headers (src=SOURCE, i=I).
records_json() {
  local prefix=$1 n=$2 source=$3
  jq -nc --arg p "$prefix" --arg s "$source" --argjson n "$n" '
    range(0; $n) | {key: "\($p)-k\(.)", value: "\($p)-v\(.) \u00e9\u00e8 \u2713",
      headers: [{key: "src", value: $s}, {key: "i", value: "\(.)"}]}'
}

# poll runs a command every 0.2s until it succeeds or SECONDS pass.
poll() {
  local secs=$1; shift
  local end=$((SECONDS + secs))
  until "$@"; do
    [ "$SECONDS" -lt "$end" ] || return 1
    sleep 0.2
  done
}

# wait_ready waits (bounded) for a "ready: ADDRS" line in FILE and prints
# ADDRS.
wait_ready() {
  local file=$1 secs=${2:-30}
  poll "$secs" grep -q '^ready: ' "$file" || return 1
  sed -n 's/^ready: //p' "$file" | head -n 1
}
