# The kq commands the checks use, in one place (sourced by run.sh; bash).
# Each fails the check with "kq <command> not available" while the command
# does not exist yet.

# kq_consume_all prints every record of TOPIC, from the earliest offset to
# the end, in kq's JSON form; extra arguments go to kq consume.
kq_consume_all() {
  need_kq consume
  local topic=$1; shift
  run_kq consume "$topic" --from earliest -e -o json "$@"
}

# kq_consume_committed is kq_consume_all with isolation read_committed.
kq_consume_committed() {
  kq_consume_all "$1" --isolation read_committed
}

# kq_consume_uncommitted is kq_consume_all with isolation read_uncommitted.
kq_consume_uncommitted() {
  kq_consume_all "$1" --isolation read_uncommitted
}

# kq_produce_json writes the JSON records on stdin to TOPIC, creating it.
kq_produce_json() {
  need_kq produce
  run_kq produce "$1" --input json --create
}

# kq_group_json prints `kq groups describe GROUP -o json`.
kq_group_json() {
  need_kq groups describe
  run_kq groups describe "$1" -o json
}

# The helpers below read the JSON of `kq groups describe GROUP -o json`: an
# array with one object per group (group, state, protocol_type, members
# with client_id and assignment, partitions with committed_offset and lag).

# group_committed prints the sum of GROUP's committed offsets on TOPIC.
group_committed() {
  kq_group_json "$1" | jq --arg t "$2" '[.[0].partitions[] | select(.topic == $t) | .committed_offset // 0] | add // 0'
}

# group_members prints, one per line, the client ids of GROUP's members.
group_members() {
  kq_group_json "$1" | jq -r '.[0].members[]?.client_id'
}

# group_assigned prints how many partitions of TOPIC GROUP's members hold.
group_assigned() {
  kq_group_json "$1" | jq --arg t "$2" '[.[0].members[]?.assignment[]? | select(.topic == $t) | .partitions[]] | length'
}

# check_group_done fails unless kq groups describe shows GROUP as an Empty
# consumer group (its members left) that committed COUNT records of TOPIC
# (the sum of its committed offsets) with no lag left.
check_group_done() {
  local group=$1 topic=$2 count=$3
  kq_group_json "$group" > "group-$group.json" || fail "kq groups describe $group failed"
  cat "group-$group.json"
  local state type committed lag
  state=$(jq -r '.[0].state' "group-$group.json")
  type=$(jq -r '.[0].protocol_type' "group-$group.json")
  committed=$(jq --arg t "$topic" '[.[0].partitions[] | select(.topic == $t) | .committed_offset // 0] | add // 0' "group-$group.json")
  lag=$(jq --arg t "$topic" '[.[0].partitions[] | select(.topic == $t) | .lag] | add // 0' "group-$group.json")
  [ "$type" = consumer ] || fail "kq groups describe $group: protocol type $type, want consumer"
  [ "$state" = Empty ] || fail "kq groups describe $group: state $state after the consumer left, want Empty"
  [ "$committed" = "$count" ] || fail "kq groups describe $group: committed $committed records of $topic, want $count"
  [ "$lag" = 0 ] || fail "kq groups describe $group: lag $lag on $topic, want 0"
}
