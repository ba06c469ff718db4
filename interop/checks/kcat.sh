# kcat (librdkafka) against kq broker.

# kcat -L lists every node of kq broker at the address it printed.
check_kcat_metadata() {
  need_tool kcat
  timeout "$T" kcat -b "$BROKERS" -L -t kcat-meta > meta.txt
  cat meta.txt
  local n want
  n=$(tr ',' '\n' <<< "$BROKERS" | wc -l)
  grep -q "^ $n brokers:" meta.txt || fail "kcat -L does not list $n brokers"
  for want in ${BROKERS//,/ }; do
    grep -q "broker [0-9]* at $want" meta.txt || fail "kcat -L does not show broker $want"
  done
  grep -q '(controller)' meta.txt || fail "kcat -L shows no controller"
  grep -q 'topic "kcat-meta" with 3 partitions' meta.txt || fail "kcat -L: topic kcat-meta not auto-created with 3 partitions"
}

# kcat -P writes keyed records with headers; kq consume reads exactly them.
check_kcat_to_kq() {
  need_tool kcat
  records_json kcat 40 kcat > wrote.json
  # kcat takes one set of headers for every record: the src header, and
  # the per-record i header carried in the key/value instead.
  jq -r '"\(.key)\t\(.value)"' wrote.json |
    timeout "$T" kcat -b "$BROKERS" -P -t kcat-to-kq -K '\t' -H src=kcat -H kind=interop
  jq -c '.headers = [{key: "src", value: "kcat"}, {key: "kind", value: "interop"}]' wrote.json > want.json
  kq_consume_all kcat-to-kq > read.json
  same_records want.json read.json "kcat -P -> kq consume"
}

# kq produce writes records; kcat -C reads exactly them.
check_kq_to_kcat() {
  need_tool kcat
  records_json kq-kcat 40 kq > wrote.json
  kq_produce_json kq-to-kcat < wrote.json
  timeout "$T" kcat -b "$BROKERS" -C -t kq-to-kcat -o beginning -e -J -q > raw.json
  kcat_to_kq_json < raw.json > read.json
  same_records wrote.json read.json "kq produce -> kcat -C"
}

# A kcat balanced consumer (-G) reads a topic; while it runs, kq groups
# describe shows its member and assignment, then the committed offsets.
check_kcat_group() {
  need_tool kcat
  records_json kcat-g 30 kcat > wrote.json
  jq -r '"\(.key)\t\(.value)"' wrote.json | timeout "$T" kcat -b "$BROKERS" -P -t kcat-group -K '\t'
  timeout "$T" kcat -b "$BROKERS" -G interop-kcat -X client.id=interop-kcat \
    -X auto.offset.reset=earliest -X auto.commit.interval.ms=500 -J -q -u kcat-group > raw.json &
  KCAT_PID=$!
  trap 'kill "$KCAT_PID" 2> /dev/null || true' EXIT
  poll 30 kcat_read_all raw.json 30 || fail "kcat -G read $(wc -l < raw.json) of 30 records"
  kcat_to_kq_json < raw.json | jq -c '.headers = []' > read.json
  jq -c '.headers = []' wrote.json > want.json
  same_records want.json read.json "kcat -P -> kcat -G"
  need_kq groups describe
  poll 30 kcat_group_member || fail "kq groups describe interop-kcat: no member with client id interop-kcat"
  [ "$(group_assigned interop-kcat kcat-group)" = 3 ] ||
    fail "kq groups describe interop-kcat: the member is not shown assigned the 3 partitions of kcat-group"
  poll 30 kcat_group_committed 30 || fail "kq groups describe interop-kcat: committed offsets never reached 30"
  kill -INT "$KCAT_PID"; wait "$KCAT_PID" || true
  check_group_done interop-kcat kcat-group 30
}

kcat_group_member() { group_members interop-kcat 2> /dev/null | grep -q '^interop-kcat$'; }
kcat_read_all() { [ "$(wc -l < "$1")" -ge "$2" ]; }
kcat_group_committed() { [ "$(group_committed interop-kcat kcat-group 2> /dev/null)" = "$1" ]; }

# kcat's default partitioner (librdkafka's consistent_random) and kq
# produce --partitioner consistent_random put every key on the same
# partition.
check_kcat_partitioner() {
  need_tool kcat
  "$KQ" topics create kcat-part -p 7 -r 1 -b "$BROKERS"
  "$KQ" topics create kq-part -p 7 -r 1 -b "$BROKERS"
  for i in $(seq 1 60); do echo "key-$i:v$i"; done > keyed.txt
  timeout "$T" kcat -b "$BROKERS" -P -t kcat-part -K : < keyed.txt
  "$KQ" produce kq-part -b "$BROKERS" -K : --partitioner consistent_random -q < keyed.txt
  "$KQ" consume kcat-part -b "$BROKERS" -e -f '%k %p\n' | sort > kcat.txt
  "$KQ" consume kq-part -b "$BROKERS" -e -f '%k %p\n' | sort > kq.txt
  [ "$(wc -l < kq.txt)" = 60 ] || fail "kq consume read $(wc -l < kq.txt) of 60 records"
  [ "$(cut -d' ' -f2 kq.txt | sort -u | wc -l)" -gt 1 ] || fail "every key on one partition: the check proves nothing"
  diff kcat.txt kq.txt || fail "kq's consistent_random placed keys elsewhere than kcat"
}
