# kafka-python's admin client and kq acls against kq broker, both ways.

# kq acls create -> kafka-python describe_acls sees the same ACLs; kafka-python
# create_acls -> kq acls list sees it.
check_python_acls() {
  [ -n "${PYTHON:-}" ] || fail "no python3 with the kafka module (apt-get install python3-kafka)"
  need_kq acls list
  run_kq acls create --principal User:interop-kq --operation read --operation describe --topic acl-topic > /dev/null
  timeout -k 5 "$T" "$PYTHON" "$HERE/python/acls.py" --bootstrap "$BROKERS" list User:interop-kq | jq -c --sort-keys . | LC_ALL=C sort > py.json
  run_kq acls list --principal User:interop-kq -o json | jq -c --sort-keys '.[]' | LC_ALL=C sort > kq.json
  cat py.json kq.json
  [ "$(wc -l < kq.json)" = 2 ] || fail "kq acls list shows $(wc -l < kq.json) ACLs of User:interop-kq, want 2"
  diff -u kq.json py.json || fail "kafka-python describe_acls and kq acls list differ"

  timeout -k 5 "$T" "$PYTHON" "$HERE/python/acls.py" --bootstrap "$BROKERS" create User:interop-py acl-py
  run_kq acls list --principal User:interop-py -o json > kq-py.json
  jq -e 'length == 1 and .[0].resource_name == "acl-py" and .[0].operation == "read" and .[0].permission == "allow"' kq-py.json > /dev/null ||
    fail "kq acls list does not show the ACL kafka-python created: $(cat kq-py.json)"
}
