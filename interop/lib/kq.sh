# The kq commands the checks use, in one place (sourced by run.sh; bash).
# Each fails the check with "kq <command> not available" while the command
# does not exist yet.

# kq_consume_all prints every record of TOPIC, from the earliest offset to
# the end, in kq's JSON form; extra arguments go to kq consume.
kq_consume_all() {
  need_kq consume
  local topic=$1; shift
  run_kq consume "$topic" --offset earliest -e -o json "$@"
}

# kq_consume_committed is kq_consume_all with isolation read_committed.
kq_consume_committed() {
  kq_consume_all "$1" --isolation read_committed
}

# kq_consume_uncommitted is kq_consume_all with isolation read_uncommitted.
kq_consume_uncommitted() {
  kq_consume_all "$1" --isolation read_uncommitted
}

# kq_produce_json writes the JSON records on stdin to TOPIC.
kq_produce_json() {
  need_kq produce
  run_kq produce "$1" --input json
}

# kq_group_json prints `kq groups describe GROUP -o json`.
kq_group_json() {
  need_kq groups describe
  run_kq groups describe "$1" -o json
}

# group_committed prints the sum of GROUP's committed offsets on TOPIC.
group_committed() {
  kq_group_json "$1" | jq --arg t "$2" '[.offsets[] | select(.topic == $t) | .committed] | add // 0'
}

# group_lag prints the sum of GROUP's lag on TOPIC.
group_lag() {
  kq_group_json "$1" | jq --arg t "$2" '[.offsets[] | select(.topic == $t) | .lag] | add // 0'
}

# group_members prints, one per line, the client ids of GROUP's members.
group_members() {
  kq_group_json "$1" | jq -r '.members[]?.client_id'
}

# check_group_done fails unless GROUP has committed COUNT records of TOPIC
# (the sum of its committed offsets) with no lag left.
check_group_done() {
  local group=$1 topic=$2 count=$3 committed lag
  committed=$(group_committed "$group" "$topic") || fail "kq groups describe $group failed"
  lag=$(group_lag "$group" "$topic")
  [ "$committed" = "$count" ] || fail "kq groups describe $group: committed $committed on $topic, want $count"
  [ "$lag" = 0 ] || fail "kq groups describe $group: lag $lag on $topic, want 0"
}
