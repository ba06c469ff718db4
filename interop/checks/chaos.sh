# kq chaos proxy in front of kq broker, carrying third-party traffic.
#
# `kq chaos proxy` prints "control: ADDR" and "ready: BOOTSTRAP" on stdout,
# applies --faults to every connection and stops on SIGINT/SIGTERM. --seed
# makes the fault probabilities reproducible.

# start_proxy starts the proxy in front of kq broker with the fault list $1
# and sets PROXY to its bootstrap address and PROXY_PID to its process.
start_proxy() {
  need_kq chaos proxy
  timeout -k 5 "$T" "$KQ" chaos proxy -b "$BROKERS" --listen 127.0.0.1:0 --control 127.0.0.1:0 \
    --seed 7 --faults "$1" > proxy.out 2> proxy.err &
  PROXY_PID=$!
  PROXY=$(wait_ready proxy.out 20) || { cat proxy.err >&2; fail "kq chaos proxy printed no ready line"; }
  echo "proxy at $PROXY (pid $PROXY_PID)"
}

stop_proxy() { kill -INT "$PROXY_PID" 2> /dev/null || true; wait "$PROXY_PID" 2> /dev/null || true; }

now_ms() { date +%s%3N; }

# kcat reads through the proxy with 400ms latency on every Fetch: the
# brokers it sees are the proxy's ports, it reads exactly what was written,
# and the read takes at least the injected latency.
check_chaos_kcat() {
  need_tool kcat
  records_json chaos-kcat 30 kcat > wrote.json
  jq -r '"\(.key)\t\(.value)"' wrote.json | timeout "$T" kcat -b "$BROKERS" -P -t chaos-kcat -K '\t'
  start_proxy latency,api=fetch,delay=400ms
  timeout "$T" kcat -b "$PROXY" -L > meta.txt || { stop_proxy; fail "kcat -L through the proxy failed"; }
  local addr
  for addr in ${BROKERS//,/ }; do
    ! grep -q "at $addr" meta.txt || { stop_proxy; fail "kcat -L through the proxy still names upstream broker $addr"; }
  done
  local t0 elapsed
  t0=$(now_ms)
  timeout "$T" kcat -b "$PROXY" -C -t chaos-kcat -o beginning -e -J -q > raw.json || { stop_proxy; fail "kcat -C through the proxy failed"; }
  elapsed=$(($(now_ms) - t0))
  stop_proxy
  echo "kcat -C through 400ms fetch latency took ${elapsed}ms"
  kcat_to_kq_json < raw.json | jq -c '.headers = []' > read.json
  jq -c '.headers = []' wrote.json > want.json
  same_records want.json read.json "kcat -C through kq chaos proxy"
  [ "$elapsed" -ge 400 ] || fail "kcat -C took ${elapsed}ms through 400ms fetch latency: the fault had no effect"
}

# A kafkajs producer (not idempotent) sends records one by one through the
# proxy while it drops 30% of Produce responses: each lost response makes
# kafkajs time out and resend a record the broker already has, so kq
# consume reads every acknowledged record and some of them twice.
check_chaos_kafkajs() {
  need_kafkajs
  start_proxy drop-response,api=produce,p=0.3
  js producer.js --bootstrap "$PROXY" --topic chaos-js --count 20 --prefix chaos-js \
    --one-by-one true --request-timeout-ms 1000 > wrote.json || { stop_proxy; fail "kafkajs producer through the proxy failed"; }
  stop_proxy
  kq_consume_all chaos-js > read.json
  norm < read.json | uniq > read-unique.json
  norm < wrote.json > want.json
  diff -u want.json read-unique.json || fail "kafkajs through drop-response: the distinct records read differ from those acknowledged"
  local dups=$(($(wc -l < read.json) - $(wc -l < read-unique.json)))
  echo "kafkajs through drop-response: $(wc -l < wrote.json) acknowledged, $(wc -l < read.json) read, $dups duplicates"
  [ "$dups" -gt 0 ] || fail "kafkajs through drop-response,p=0.3: no duplicate in 20 sends: the fault had no visible effect"
}
