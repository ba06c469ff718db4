package groups

import (
	"strconv"
	"strings"

	"github.com/kq-dev/kq/internal/kqerr"
)

// TopicScope selects partitions of one topic for a reset or an offset
// deletion.
type TopicScope struct {
	// Topic is the topic name.
	Topic string
	// Partitions are the chosen partitions; none means all.
	Partitions []int32
}

// ParseTopicScope parses "TOPIC" or "TOPIC:P,P,..." (the topic scope form of
// kafka-consumer-groups). Malformed input is a usage error.
func ParseTopicScope(s string) (TopicScope, error) {
	topic, parts, hasParts := strings.Cut(s, ":")
	if topic == "" {
		return TopicScope{}, kqerr.Settingf("bad {topic} %q: want TOPIC or TOPIC:PARTITION,...", s)
	}
	ts := TopicScope{Topic: topic}
	if !hasParts {
		return ts, nil
	}
	for _, p := range strings.Split(parts, ",") {
		n, err := strconv.ParseInt(strings.TrimSpace(p), 10, 32)
		if err != nil || n < 0 {
			return TopicScope{}, kqerr.Settingf("bad {topic} %q: partition %q is not a partition number", s, p)
		}
		ts.Partitions = append(ts.Partitions, int32(n))
	}
	return ts, nil
}
