#!/usr/bin/env bash
# kq's interop suite: third-party Kafka clients against `kq broker` run as a
# separate process, kq against librdkafka's mock cluster, and third-party
# traffic through `kq chaos proxy`.
#
#   interop/run.sh            run every check
#   interop/run.sh kcat       run the checks whose name matches a regexp
#   interop/run.sh --list     list the checks
#
# Needs go, jq, kcat, python3-kafka, node with `npm ci` done in
# interop/node, and gcc for the librdkafka mock (.ci/interop installs them).
# Prints one PASS/FAIL line per check and then "N passed, N failed"; exits 1
# when a check failed. INTEROP_KEEP=1 keeps the scratch directory.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
for f in "$HERE"/lib/*.sh "$HERE"/checks/*.sh; do
  # shellcheck source=/dev/null
  source "$f"
done

# CHECKS is the order the checks run in.
CHECKS=(
  kcat-metadata kcat-to-kq kq-to-kcat kcat-group kcat-partitioner
  python-to-kq kq-to-python-group python-autocreate python-acls
  kafkajs-to-kq kq-to-kafkajs-group kafkajs-txn
  kgo-txn kq-to-kgo
  sr-avro-js-to-kq sr-proto-js-to-kq sr-avro-kq-to-js sr-proto-kq-to-js sr-proto-message-js-to-kq
  chaos-kcat chaos-kafkajs
  verify-smoke
  rdmock
)

# check_timeout prints the time limit of one check in seconds.
check_timeout() {
  case $1 in
    rdmock) echo 420 ;;
    verify-smoke) echo 240 ;;
    *) echo 150 ;;
  esac
}

# one runs a single check in this process (run.sh --one NAME).
one() {
  CHECK_DIR=$WORK/$1
  mkdir -p "$CHECK_DIR"
  cd "$CHECK_DIR"
  "check_${1//-/_}"
}

# run_check runs one check in its own process under timeout(1) and prints
# its PASS or FAIL line; it returns 1 on failure.
run_check() {
  local name=$1 limit start rc=0 reason
  limit=$(check_timeout "$name")
  start=$(date +%s%N)
  timeout -k 10 "$limit" "$HERE/run.sh" --one "$name" > "$WORK/$name.log" 2>&1 || rc=$?
  local secs
  secs=$(awk -v ns=$(($(date +%s%N) - start)) 'BEGIN { printf "%.1f", ns / 1e9 }')
  if [ "$rc" = 0 ]; then
    echo "PASS $name (${secs}s)"
    return 0
  fi
  reason=$(cat "$WORK/$name/reason" 2> /dev/null || true)
  [ "$rc" != 124 ] || reason="timed out after ${limit}s${reason:+; $reason}"
  echo "FAIL $name (${secs}s): ${reason:-exit status $rc}"
  tail -n 15 "$WORK/$name.log" | sed 's/^/    | /'
  return 1
}

# build builds kq and the kgo client into $BIN.
build() {
  mkdir -p "$BIN"
  echo "building kq and the interop clients in $BIN"
  (cd "$ROOT" && go build -o "$BIN/kq" .)
  (cd "$HERE/gokgo" && go build -o "$BIN/gokgo" .) ||
    echo "warning: interop/gokgo did not build; the kgo checks will fail" >&2
}

# find_python sets PYTHON to a python3 that imports kafka (Debian's
# python3-kafka lives in /usr/bin/python3's path), or to "".
find_python() {
  PYTHON=
  local p
  for p in /usr/bin/python3 python3; do
    if "$p" -c 'import kafka' > /dev/null 2>&1; then PYTHON=$(command -v "$p"); return; fi
  done
}

# start_broker starts kq broker as a separate process and sets BROKERS.
start_broker() {
  "$KQ" broker --port 0 --listen-host 127.0.0.1 --schema-registry=127.0.0.1:0 \
    > "$WORK/broker.out" 2> "$WORK/broker.err" &
  BROKER_PID=$!
  if ! BROKERS=$(wait_ready "$WORK/broker.out" 30); then
    cat "$WORK/broker.err" >&2
    echo "kq broker printed no ready line within 30s" >&2
    return 1
  fi
  SR_URL=$(sed -n 's/^schema-registry: //p' "$WORK/broker.out")
  echo "kq broker (pid $BROKER_PID) ready at $BROKERS, schema registry at $SR_URL"
}

cleanup() {
  if [ -n "${BROKER_PID:-}" ]; then
    kill -TERM "$BROKER_PID" 2> /dev/null || true
    wait "$BROKER_PID" 2> /dev/null || true
  fi
  if [ "${INTEROP_KEEP:-}" = 1 ] || [ "${FAILED:-0}" != 0 ]; then
    echo "logs kept in $WORK"
  else
    rm -rf "$WORK"
  fi
}

main() {
  local filter=${1:-.} name
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/kq-interop.XXXXXX")
  BIN=$WORK/bin
  KQ=$BIN/kq
  FAILED=0
  trap cleanup EXIT
  build
  find_python
  start_broker
  export HERE ROOT WORK BIN KQ BROKERS PYTHON SR_URL
  local passed=0
  for name in "${CHECKS[@]}"; do
    [[ $name =~ $filter ]] || continue
    if run_check "$name"; then passed=$((passed + 1)); else FAILED=$((FAILED + 1)); fi
  done
  echo "$passed passed, $FAILED failed"
  [ "$FAILED" = 0 ]
}

case ${1:-} in
  --one) one "$2" ;;
  --list) printf '%s\n' "${CHECKS[@]}" ;;
  *) main "$@" ;;
esac
