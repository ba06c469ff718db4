package offsets

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/kq-dev/kq/internal/kqerr"
)

// TopicPartition names one partition of a topic.
type TopicPartition struct {
	// Topic is the topic's name.
	Topic string `json:"topic"`
	// Partition is the partition's id.
	Partition int32 `json:"partition"`
}

// String reads "topic/partition".
func (tp TopicPartition) String() string { return fmt.Sprintf("%s/%d", tp.Topic, tp.Partition) }

// Compare orders partitions by topic, then partition id.
func Compare(a, b TopicPartition) int {
	if c := strings.Compare(a.Topic, b.Topic); c != 0 {
		return c
	}
	return cmp.Compare(a.Partition, b.Partition)
}

// Topics lists the distinct topics of tps, sorted.
func Topics(tps []TopicPartition) []string {
	out := make([]string, 0, len(tps))
	for _, tp := range tps {
		out = append(out, tp.Topic)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// ErrTopicNotFound marks a topic the cluster does not know. Every kq
// package's "topic does not exist" error matches it under errors.Is.
var ErrTopicNotFound = errors.New("topic does not exist")

// TopicNotFound is the error for the unknown topic: "topic T does not
// exist", matching [ErrTopicNotFound].
func TopicNotFound(topic string) error {
	return kqerr.WithKind(ErrTopicNotFound, "topic "+topic+" does not exist")
}
