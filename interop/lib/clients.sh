# The two round trips every third-party client with a producer and a group
# consumer script is checked by (node, python). RUN is the function that
# runs one of the client's scripts (js, py), LABEL names the client in
# failure reasons.

# client_to_kq RUN PRODUCER LABEL TOPIC PREFIX: the client's producer
# script writes 40 keyed records with headers to TOPIC; kq consume reads
# exactly them.
client_to_kq() {
  local run=$1 producer=$2 label=$3 topic=$4 prefix=$5
  "$run" "$producer" --bootstrap "$BROKERS" --topic "$topic" --count 40 --prefix "$prefix" > wrote.json
  kq_consume_all "$topic" > read.json
  same_records wrote.json read.json "$label producer -> kq consume"
}

# kq_to_client_group RUN CONSUMER LABEL TOPIC GROUP PREFIX: kq produce
# writes 40 records; the client's group consumer script reads exactly them
# and commits; kq groups describe shows the group's offsets.
kq_to_client_group() {
  local run=$1 consumer=$2 label=$3 topic=$4 group=$5 prefix=$6
  records_json "$prefix" 40 kq > wrote.json
  kq_produce_json "$topic" < wrote.json
  "$run" "$consumer" --bootstrap "$BROKERS" --topic "$topic" --group "$group" --count 40 > read.json
  same_records wrote.json read.json "kq produce -> $label group consumer"
  check_group_done "$group" "$topic" 40
}
