# kafka-python (Debian python3-kafka) against kq broker.

py() { timeout -k 5 "$T" "$PYTHON" "$HERE/python/$1" "${@:2}"; }

need_python() {
  [ -n "${PYTHON:-}" ] || fail "no python3 with the kafka module (apt-get install python3-kafka)"
}

# kafka-python's producer writes keyed records with headers to a topic that
# exists; kq consume reads exactly them.
check_python_to_kq() {
  need_python
  client_to_kq py producer.py kafka-python py-to-kq py
}

# kq produce writes records; a kafka-python group consumer reads exactly
# them and commits; kq groups describe shows the group's offsets.
check_kq_to_python_group() {
  need_python
  kq_to_client_group py consumer.py kafka-python kq-to-py interop-python kq-py
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
