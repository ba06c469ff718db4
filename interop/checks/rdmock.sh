# kq against librdkafka's mock cluster (interop/rdmock, its own cgo module).

# The rdmock module's tests start the mock cluster and run the kq binary
# against it (cluster metadata, produce, consume, and the known limits).
check_rdmock() {
  need_tool gcc
  (cd "$HERE/rdmock" && KQ_BIN="$KQ" timeout -k 5 300 go test -count=1 ./...)
}
