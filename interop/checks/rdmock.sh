# kq against librdkafka's mock cluster (interop/rdmock, its own cgo module).

# The rdmock module's tests start the mock cluster and run the kq binary
# and kq's clients against it (cluster metadata, produce, consume, a
# consumer group) and pin the known limits (see interop/README.md).
check_rdmock() {
  need_tool gcc
  # -mod=mod: the module follows kq through a replace directive, so a
  # dependency kq adds to internal/conn is picked up here too.
  (cd "$HERE/rdmock" && KQ_BIN="$KQ" GOFLAGS="${GOFLAGS:-} -mod=mod" timeout -k 5 300 go test -count=1 ./...)
}
