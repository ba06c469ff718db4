// Package produce writes records to a Kafka topic: the engine behind
// `kq produce`.
//
// Records come from a [Source]: delimited text ([NewLineSource]), kq's JSON
// record lines ([NewJSONSource]), a load generator ([NewGenerator]) or one
// binary value ([NewValueSource]). [Run] checks (or creates) the topic, sends
// every record, waits for the broker's answers and returns a [Result] with
// the counts and the ack latency percentiles; a [Reporter] sees the
// partition and offset of every acknowledged record and the reason of every
// failed one.
//
// Two delivery paths share the sources, the partitioners and the result:
//
//   - The batch path (everything but transactions, idempotence included)
//     builds record batches per partition itself and sends them with
//     sarama's low-level Broker.AsyncProduce, [Settings.MaxInFlight]
//     requests in flight per broker, each batch sent again up to
//     [Settings.Retries] times within [Settings.DeliveryTimeout]. It exists
//     for speed: sarama's AsyncProducer moves every record through several
//     goroutines and channels, which costs about three times the CPU of the
//     whole batch path at 100-byte records.
//   - The producer path (--transactional-id) uses sarama's AsyncProducer,
//     which implements transactions.
//
// [Settings.Apply] is the one place kq produce's delivery settings become a
// *sarama.Config. kq verify's workload producers run [Run] too, with the
// run's acks, retries, requests in flight and idempotence as Settings, the
// producer as the [Source] and the [Reporter]; its consumers and copiers
// configure their own clients (verify's preset_sarama.go) from the same
// typed settings (internal/setting).
//
// Caveat: without idempotence, delivery is at-least-once. A batch whose
// answer is lost (a cut connection) is sent again and may be written twice,
// and since several requests are in flight per broker, a retried batch may
// land after a later one of the same partition, as with the Java client's
// defaults before idempotence. Use --idempotent (Settings.Idempotent) when
// that matters.
package produce
