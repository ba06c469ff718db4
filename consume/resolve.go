package consume

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/setting"
)

// noBound is the bound of a partition that has no end to reach.
const noBound = math.MaxInt64

// listOffsetsAttempts bounds the retries of a ListOffsets round whose
// partitions report a leader change.
const listOffsetsAttempts = 4

// topicPartition names one partition.
type topicPartition struct {
	topic     string
	partition int32
}

func (tp topicPartition) String() string { return fmt.Sprintf("%s/%d", tp.topic, tp.partition) }

// topicPartitions lists the partitions to read: every partition of each
// topic, or only those in only. A topic that does not exist, or a partition
// it does not have, is an error.
func topicPartitions(client sarama.Client, topics []string, only []int32) ([]topicPartition, error) {
	var out []topicPartition
	for _, t := range topics {
		ps, err := client.Partitions(t)
		if errors.Is(err, sarama.ErrUnknownTopicOrPartition) || (err == nil && len(ps) == 0) {
			return nil, fmt.Errorf("topic %s does not exist", t)
		}
		if err != nil {
			return nil, fmt.Errorf("partitions of %s: %w", t, err)
		}
		ps = slices.Sorted(slices.Values(ps))
		if only != nil {
			for _, p := range only {
				if !slices.Contains(ps, p) {
					return nil, fmt.Errorf("topic %s has no partition %d (it has %d partitions)", t, p, len(ps))
				}
			}
			ps = only
		}
		for _, p := range ps {
			out = append(out, topicPartition{t, p})
		}
	}
	return out, nil
}

// offsetLister asks partition leaders for offsets.
type offsetLister struct {
	client sarama.Client
	admin  sarama.ClusterAdmin
	iso    setting.Isolation
}

// list returns, for each partition, the offset ListOffsets gives for the
// query (sarama.OffsetOldest, sarama.OffsetNewest or a unix-ms timestamp;
// -1 for a timestamp with no record at or after it). Partitions whose
// leader moved are retried after a metadata refresh.
func (l *offsetLister) list(tps []topicPartition, query int64) (map[topicPartition]int64, error) {
	out := make(map[topicPartition]int64, len(tps))
	todo := tps
	var lastErr error
	for attempt := 0; attempt < listOffsetsAttempts && len(todo) > 0; attempt++ {
		if attempt > 0 {
			time.Sleep(l.client.Config().Metadata.Retry.Backoff)
			_ = l.client.RefreshMetadata(topicsOf(todo)...)
		}
		req := map[string]map[int32]int64{}
		for _, tp := range todo {
			if req[tp.topic] == nil {
				req[tp.topic] = map[int32]int64{}
			}
			req[tp.topic][tp.partition] = query
		}
		res, err := l.admin.ListOffsets(req, &sarama.ListOffsetsOptions{IsolationLevel: l.iso.Sarama()})
		var retry []topicPartition
		for _, tp := range todo {
			r := res[tp.topic][tp.partition]
			switch {
			case r != nil && (r.Err == nil || errors.Is(r.Err, sarama.ErrNoError)):
				out[tp] = r.Offset
				continue
			case r != nil:
				lastErr = fmt.Errorf("list offsets of %s: %w", tp, r.Err)
			default:
				lastErr = fmt.Errorf("list offsets of %s: %w", tp, errOr(err, sarama.ErrIncompleteResponse))
			}
			retry = append(retry, tp)
		}
		todo = retry
	}
	if len(todo) > 0 {
		return nil, lastErr
	}
	return out, nil
}

func topicsOf(tps []topicPartition) []string {
	var ts []string
	for _, tp := range tps {
		if !slices.Contains(ts, tp.topic) {
			ts = append(ts, tp.topic)
		}
	}
	return ts
}

// errOr returns err, or fallback when err is nil.
func errOr(err, fallback error) error {
	if err != nil {
		return err
	}
	return fallback
}
