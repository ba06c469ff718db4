# The npm Schema Registry client @kafkajs/confluent-schema-registry (with
# kafkajs) against kq broker --schema-registry, both ways, Avro and Protobuf.

js_sr() { timeout -k 5 "$T" node "$HERE/node/schemareg.js" --registry "$SR_URL" --bootstrap "$BROKERS" "$@"; }

need_sr() {
  need_kafkajs
  [ -d "$HERE/node/node_modules/@kafkajs/confluent-schema-registry" ] ||
    fail "@kafkajs/confluent-schema-registry not installed (cd interop/node && npm ci)"
  [ -n "${SR_URL:-}" ] || fail "kq broker printed no schema-registry line"
  need_kq schemas
}

# canon prints JSON objects one per line with sorted keys, sorted.
canon() { jq -c --sort-keys . | LC_ALL=C sort; }

# same_values fails unless two files hold the same JSON values.
same_values() {
  canon < "$1" > "$1.canon"
  canon < "$2" > "$2.canon"
  diff -u "$1.canon" "$2.canon" || fail "$3: values differ"
  [ -s "$1.canon" ] || fail "$3: no values"
}

# proto3_defaults drops empty repeated fields from the JSON values in FILE:
# proto3 does not put them on the wire, so no decoder prints them.
proto3_defaults() {
  jq -c 'if .tags == [] then del(.tags) else . end' "$1" > "$1.tmp" && mv "$1.tmp" "$1"
}

# kafkajs encodes orders with the npm registry client; kq consume decodes
# every one back to the same JSON through kq broker's registry.
sr_js_to_kq() {
  local type=$1 topic=sr-js-$1
  need_sr
  js_sr --mode produce --topic "$topic" --type "$type" --count 12 > wrote.json
  [ "$type" != protobuf ] || proto3_defaults wrote.json
  KQ_SCHEMA_REGISTRY=$SR_URL run_kq consume "$topic" --from earliest -e -f '%v\n' > read.json 2> consume.err
  cat consume.err
  ! grep -q 'not decoded' consume.err || fail "kq could not decode some $type records"
  same_values wrote.json read.json "kafkajs $type -> kq consume"
  KQ_SCHEMA_REGISTRY=$SR_URL run_kq schemas versions "$topic-value" -o json | jq -e 'length == 1' > /dev/null ||
    fail "kq schemas versions $topic-value does not show the one version kafkajs registered"
}
check_sr_avro_js_to_kq() { sr_js_to_kq avro; }
check_sr_proto_js_to_kq() { sr_js_to_kq protobuf; }

# kq produce encodes JSON with a schema file (registered as TOPIC-value);
# the npm client decodes every record to the same values.
sr_kq_to_js() {
  local type=$1 file=$2 topic=sr-kq-$1
  need_sr
  node -e '
    const t = process.argv[1]
    for (let i = 0; i < 12; i++) {
      const tags = i % 2 === 0 ? ["a", "t" + i] : []
      const o = t === "avro"
        ? { id: 2000 + i, item: "kq-" + i + " \u00e8", qty: i, note: i % 3 === 0 ? null : "n" + i, state: ["NEW", "PAID", "SHIPPED"][i % 3], tags }
        : { id: 2000 + i, item: "kq-" + i + " \u00e8", qty: i + 1, tags }
      console.log(JSON.stringify(o))
    }' "$type" > wrote.json
  KQ_SCHEMA_REGISTRY=$SR_URL run_kq produce "$topic" --create --value-schema "$HERE/node/schemas/$file" -f wrote.json
  js_sr --mode consume --topic "$topic" --count 12 > read.json
  [ "$type" != protobuf ] || proto3_defaults wrote.json
  same_values wrote.json read.json "kq produce $type -> kafkajs registry client"
}
check_sr_avro_kq_to_js() { sr_kq_to_js avro order.avsc; }
check_sr_proto_kq_to_js() { sr_kq_to_js protobuf order.proto; }

# A non-first Protobuf message: the npm client encodes Shipment, the second
# message of catalog.proto, by name (it writes no message index); kq
# consume --value-message picks it and decodes every record. The other way
# cannot be checked with this client: it ignores Confluent's message
# indexes (it only strips leading zero bytes), so it reads nothing but a
# file's first message from a conforming producer; kq's own round trip and
# its index bytes are tested in testdata/script/schemas_proto_message.txtar
# and schemas' unit tests.
check_sr_proto_message_js_to_kq() {
  local topic=sr-js-shipment
  need_sr
  js_sr --mode produce --topic "$topic" --type protobuf --message Shipment --count 9 > wrote.json
  KQ_SCHEMA_REGISTRY=$SR_URL run_kq consume "$topic" --from earliest -e -f '%v\n' --value-message interop.Shipment > read.json 2> consume.err
  cat consume.err
  ! grep -q 'not decoded' consume.err || fail "kq could not decode some Shipment records"
  same_values wrote.json read.json "kafkajs Shipment -> kq consume --value-message"
}
