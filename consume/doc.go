// Package consume reads records from Kafka topics for `kq consume`: offset
// specs (earliest, latest, exact, -N, +N, @timestamp, @-duration), partition
// lists, stop conditions (end of partition as measured at start, count,
// until an offset or time, idle timeout), partition mode (one sarama
// PartitionConsumer per partition) and group mode (a sarama ConsumerGroup
// member that commits only what it printed), and the sinks that write
// records out: a kcat-style format template, kq's JSON record form, or raw
// values.
//
// [Run] drives one consumption to its end and returns [Stats]. Records are
// written to a [Sink] from one goroutine at a time; sinks buffer and are
// flushed whenever no further record is immediately waiting, so output is
// prompt when idle and batched under load.
//
// The end of a partition ("-e") is its last stable offset (read_committed)
// or high watermark (read_uncommitted) when the run starts. Transaction
// markers, aborted records and compacted gaps take offsets but are never
// delivered, so when a partition goes quiet below its end, a direct fetch
// checks whether anything visible remains before the end; this keeps -e
// from hanging on a log that ends in an aborted transaction.
package consume
