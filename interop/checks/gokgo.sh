# franz-go (kgo, interop/gokgo) against kq broker.

kgo() { timeout -k 5 "$T" "$BIN/gokgo" "$@"; }

need_gokgo() {
  [ -x "$BIN/gokgo" ] || fail "gokgo did not build (see the build step above)"
}

# An idempotent transactional kgo producer commits one transaction and
# aborts another: kq consume read_committed and kgo's read_committed
# consumer see exactly the committed records.
check_kgo_txn() {
  need_gokgo
  kgo txn -brokers "$BROKERS" -topic kgo-txn -count 20 -aborted-out aborted.json > committed.json
  kq_consume_committed kgo-txn > read.json
  same_records committed.json read.json "kgo transactions -> kq consume read_committed"
  kgo consume -brokers "$BROKERS" -topic kgo-txn -count 20 > kgo-read.json
  same_records committed.json kgo-read.json "kgo transactions -> kgo read_committed consumer"
}

# kq produce writes records; kgo reads exactly them.
check_kq_to_kgo() {
  need_gokgo
  records_json kq-kgo 40 kq > wrote.json
  kq_produce_json kq-to-kgo < wrote.json
  kgo consume -brokers "$BROKERS" -topic kq-to-kgo -count 40 > read.json
  same_records wrote.json read.json "kq produce -> kgo consumer"
}
