# kafkajs (npm, interop/node) against kq broker.

js() { timeout -k 5 "$T" node "$HERE/node/$1" "${@:2}"; }

need_kafkajs() {
  need_tool node
  [ -d "$HERE/node/node_modules/kafkajs" ] || fail "kafkajs not installed (cd interop/node && npm ci)"
}

# A kafkajs producer writes keyed records with headers; kq consume reads
# exactly them.
check_kafkajs_to_kq() {
  need_kafkajs
  client_to_kq js producer.js kafkajs js-to-kq js
}

# kq produce writes records; a kafkajs group consumer reads exactly them and
# commits; kq groups describe shows the group's offsets.
check_kq_to_kafkajs_group() {
  need_kafkajs
  kq_to_client_group js consumer.js kafkajs kq-to-js interop-kafkajs kq-js
}

# A kafkajs transactional producer commits one transaction and aborts
# another: kq consume with read_committed and a kafkajs group consumer see
# exactly the committed records; read_uncommitted sees the aborted ones too.
check_kafkajs_txn() {
  need_kafkajs
  js txn.js --bootstrap "$BROKERS" --topic js-txn --count 20 --prefix jstx --aborted-out aborted.json > committed.json
  kq_consume_committed js-txn > read.json
  same_records committed.json read.json "kafkajs transactions -> kq consume read_committed"
  js consumer.js --bootstrap "$BROKERS" --topic js-txn --group interop-kafkajs-txn --count 20 > js-read.json
  same_records committed.json js-read.json "kafkajs transactions -> kafkajs consumer (read_committed)"
  cat committed.json aborted.json > all.json
  kq_consume_uncommitted js-txn > all-read.json
  same_records all.json all-read.json "kafkajs transactions -> kq consume read_uncommitted"
}
