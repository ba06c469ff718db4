package broker

import (
	"github.com/twmb/franz-go/pkg/kmsg"
)

// kfake lists every replica of a partition as in sync. Kafka's ISR
// shrinks when followers fall behind (the isr-shrink fault): Metadata and
// DescribeTopicPartitions answers then list the leader alone. Stopped
// nodes leave the ISR too; nodes.go rewrites that for every broker, with
// or without the replication model.

// Further API keys whose answers the model rewrites.
const (
	apiMetadata                = 3
	apiDescribeTopicPartitions = 75
)

// shrunk reports whether the followers are out of the ISR.
func (r *replication) isShrunk() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.shrunk
}

// shrinkISR makes a partition's ISR its leader alone; partitions with an
// error (no leader) and topics without a name stay as they are.
func shrinkISR(topic *string, errCode int16, leader int32, isr *[]int32) {
	if topic != nil && errCode == 0 && leader >= 0 {
		*isr = []int32{leader}
	}
}

// shrinkMetadata lists the leader alone as the ISR of every partition of
// a Metadata answer.
func shrinkMetadata(resp *kmsg.MetadataResponse) bool {
	for _, t := range resp.Topics {
		for j := range t.Partitions {
			p := &t.Partitions[j]
			shrinkISR(t.Topic, p.ErrorCode, p.Leader, &p.ISR)
		}
	}
	return true
}

// shrinkDescribePartitions is shrinkMetadata for DescribeTopicPartitions.
func shrinkDescribePartitions(resp *kmsg.DescribeTopicPartitionsResponse) bool {
	for _, t := range resp.Topics {
		for j := range t.Partitions {
			p := &t.Partitions[j]
			shrinkISR(t.Topic, p.ErrorCode, p.LeaderID, &p.ISR)
		}
	}
	return true
}
