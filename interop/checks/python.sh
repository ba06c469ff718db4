# kafka-python (Debian python3-kafka) against kq broker.

py() { timeout -k 5 "$T" "$PYTHON" "$HERE/python/$1" "${@:2}"; }

need_python() {
  [ -n "${PYTHON:-}" ] || fail "no python3 with the kafka module (apt-get install python3-kafka)"
}

# kafka-python's producer writes keyed records with headers to a topic that
# exists; kq consume reads exactly them.
check_python_to_kq() {
  need_python
  py producer.py --bootstrap "$BROKERS" --topic py-to-kq --count 40 --prefix py > wrote.json
  kq_consume_all py-to-kq > read.json
  same_records wrote.json read.json "kafka-python producer -> kq consume"
}

# kq produce writes records; a kafka-python group consumer reads exactly
# them and commits; kq groups describe shows the group's offsets.
check_kq_to_python_group() {
  need_python
  records_json kq-py 40 kq > wrote.json
  kq_produce_json kq-to-py < wrote.json
  py consumer.py --bootstrap "$BROKERS" --topic kq-to-py --group interop-python --count 40 > read.json
  same_records wrote.json read.json "kq produce -> kafka-python group consumer"
  check_group_done interop-python kq-to-py 40
}

# kafka-python sends Metadata v1, which has no allow_auto_topic_creation
# field: a Kafka broker with auto-creation on creates the topic. Producing
# to a topic nobody created must therefore work.
check_python_autocreate() {
  need_python
  py producer.py --bootstrap "$BROKERS" --topic py-new-topic --count 3 --prefix pynew --max-block-ms 5000 > wrote.json ||
    fail "kafka-python could not produce to a new topic (Metadata v1 does not auto-create it)"
  [ "$(wc -l < wrote.json)" = 3 ] || fail "kafka-python acknowledged $(wc -l < wrote.json) of 3 records"
}
