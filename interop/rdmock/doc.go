// Package rdmock tests kq against librdkafka's mock cluster, a second Kafka
// implementation independent of kq's own broker (franz-go's kfake), through
// confluent-kafka-go's kafka.NewMockCluster (cgo, with the librdkafka that
// confluent-kafka-go bundles).
//
// It lives in its own module so that kq's main module stays free of cgo.
// The tests run the kq binary (built from ../.. or taken from $KQ_BIN) and
// kq's connection factory (internal/conn, through a replace directive)
// against the mock. They pin both what works and the mock's known limits:
// when a limit test fails, the mock or kq changed and the README's list of
// limits needs a look.
//
// The package has no non-test code; cmd/rdmock runs a mock cluster as a
// process for trying kq against it by hand.
package rdmock
