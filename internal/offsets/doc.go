// Package offsets is kq's one layer for where a partition's log starts and
// ends: the [TopicPartition] and [Offset] types, the partitions of topics,
// offsets listed by time or position under an isolation level (with the
// one ListOffsets retry loop), [Watermarks], and the one "topic not found"
// error ([ErrTopicNotFound]). consume, groups, topics and verify build on
// it; it knows nothing of consumer groups.
package offsets
