package groups

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/IBM/sarama"
)

// listAttempts bounds the retries of ListOffsets for partitions whose
// leader moved or is not known yet.
const listAttempts = 3

// TopicPartitions returns the partitions of the given topics, sorted. Topics
// the cluster does not know are left out, so callers can tell deleted
// topics apart.
func (c *Client) TopicPartitions(topics []string) (map[string][]int32, error) {
	out := map[string][]int32{}
	if len(topics) == 0 {
		return out, nil
	}
	md, err := c.admin.DescribeTopics(topics)
	if err != nil {
		return nil, fmt.Errorf("describe topics: %w", c.f.Classify(err))
	}
	for _, t := range md {
		switch {
		case errors.Is(t.Err, sarama.ErrUnknownTopicOrPartition):
			continue
		case isKError(t.Err):
			return nil, fmt.Errorf("describe topic %s: %w", t.Name, t.Err)
		}
		ps := make([]int32, 0, len(t.Partitions))
		for _, p := range t.Partitions {
			ps = append(ps, p.ID)
		}
		slices.Sort(ps)
		out[t.Name] = ps
	}
	return out, nil
}

// Watermarks reads the log start, log end and last stable offsets of the
// given partitions. Partitions of topics that do not exist are left out of
// the result.
func (c *Client) Watermarks(tps []TopicPartition) (map[TopicPartition]Watermarks, error) {
	out := map[TopicPartition]Watermarks{}
	tps, err := c.existing(tps)
	if err != nil || len(tps) == 0 {
		return out, err
	}
	start, err := c.listOffsets(tps, sarama.OffsetOldest, sarama.ReadUncommitted)
	if err != nil {
		return nil, fmt.Errorf("list log start offsets: %w", err)
	}
	end, err := c.listOffsets(tps, sarama.OffsetNewest, sarama.ReadUncommitted)
	if err != nil {
		return nil, fmt.Errorf("list log end offsets: %w", err)
	}
	stable, err := c.listOffsets(tps, sarama.OffsetNewest, c.committedIsolation())
	if err != nil {
		return nil, fmt.Errorf("list last stable offsets: %w", err)
	}
	for _, tp := range tps {
		out[tp] = Watermarks{LogStart: start[tp], LogEnd: end[tp], LastStable: stable[tp]}
	}
	return out, nil
}

// OffsetsForTime returns, per partition, the first offset whose record
// timestamp is at or after ms (milliseconds since the epoch); NoOffset
// when no record is that new. Partitions of topics that do not exist are
// left out.
//
// The broker's answer is checked against the records: brokers that answer
// with an earlier record of the right batch (franz-go's kfake does) are
// corrected to the first record at or after the time.
func (c *Client) OffsetsForTime(tps []TopicPartition, ms int64) (map[TopicPartition]Offset, error) {
	tps, err := c.existing(tps)
	if err != nil || len(tps) == 0 {
		return map[TopicPartition]Offset{}, err
	}
	out, err := c.listOffsets(tps, ms, sarama.ReadUncommitted)
	if err != nil {
		return nil, fmt.Errorf("list offsets by timestamp: %w", err)
	}
	for tp, o := range out {
		if o.Known() {
			out[tp] = c.firstAtOrAfter(tp, o, ms)
		}
	}
	return out, nil
}

// firstAtOrAfter returns the offset of the first record at or after
// offset from whose timestamp is at least ms; from when none is found.
func (c *Client) firstAtOrAfter(tp TopicPartition, from Offset, ms int64) Offset {
	r, err := c.findRecord(tp, int64(from), math.MaxInt64, sarama.ReadUncommitted,
		func(r fetchedRecord) bool { return r.time.UnixMilli() >= ms })
	if err != nil {
		return from
	}
	return Offset(r.offset)
}

// committedIsolation is read_committed when the configured protocol
// version supports it (brokers before 0.11 have no transactions, so their
// log end is stable).
func (c *Client) committedIsolation() sarama.IsolationLevel {
	if c.client.Config().Version.IsAtLeast(sarama.V0_11_0_0) {
		return sarama.ReadCommitted
	}
	return sarama.ReadUncommitted
}

// existing drops the partitions of topics the cluster does not know.
func (c *Client) existing(tps []TopicPartition) ([]TopicPartition, error) {
	parts, err := c.TopicPartitions(topicsOf(tps))
	if err != nil {
		return nil, err
	}
	out := make([]TopicPartition, 0, len(tps))
	for _, tp := range tps {
		if slices.Contains(parts[tp.Topic], tp.Partition) {
			out = append(out, tp)
		}
	}
	return out, nil
}

// listOffsets runs ListOffsets for one query (a timestamp, or
// OffsetOldest/OffsetNewest) over tps, retrying partitions whose leader
// moved after a metadata refresh. An offset of -1 from the broker (no
// record at or after a timestamp) comes back as NoOffset.
func (c *Client) listOffsets(tps []TopicPartition, query int64, iso sarama.IsolationLevel) (map[TopicPartition]Offset, error) {
	out := make(map[TopicPartition]Offset, len(tps))
	todo := tps
	var lastErr error
	for attempt := 0; attempt < listAttempts && len(todo) > 0; attempt++ {
		if attempt > 0 {
			_ = c.client.RefreshMetadata(topicsOf(todo)...)
		}
		res, err := c.admin.ListOffsets(offsetQuery(todo, query), &sarama.ListOffsetsOptions{IsolationLevel: iso})
		if err != nil {
			lastErr = c.f.Classify(err)
		}
		todo, lastErr = collectOffsets(res, todo, out, lastErr)
	}
	if len(todo) > 0 {
		return nil, fmt.Errorf("%s/%d: %w", todo[0].Topic, todo[0].Partition, lastErr)
	}
	return out, nil
}

// collectOffsets moves the answered partitions of res into out and returns
// those still to ask again, with the last error seen.
func collectOffsets(res map[string]map[int32]*sarama.OffsetResult, tps []TopicPartition, out map[TopicPartition]Offset, lastErr error) ([]TopicPartition, error) {
	var again []TopicPartition
	for _, tp := range tps {
		r := res[tp.Topic][tp.Partition]
		switch {
		case r == nil:
			again = append(again, tp)
		case isKError(r.Err):
			again = append(again, tp)
			lastErr = r.Err
		case r.Offset < 0:
			out[tp] = NoOffset
		default:
			out[tp] = Offset(r.Offset)
		}
	}
	if lastErr == nil {
		lastErr = errors.New("no answer from the partition leader")
	}
	return again, lastErr
}

func offsetQuery(tps []TopicPartition, query int64) map[string]map[int32]int64 {
	q := map[string]map[int32]int64{}
	for _, tp := range tps {
		if q[tp.Topic] == nil {
			q[tp.Topic] = map[int32]int64{}
		}
		q[tp.Topic][tp.Partition] = query
	}
	return q
}

// topicsOf returns the distinct topics of tps, sorted.
func topicsOf(tps []TopicPartition) []string {
	var out []string
	for _, tp := range tps {
		out = append(out, tp.Topic)
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// sortPartitions orders tps by topic, then partition.
func sortPartitions(tps []TopicPartition) {
	slices.SortFunc(tps, compareTP)
}

func compareTP(a, b TopicPartition) int {
	if c := strings.Compare(a.Topic, b.Topic); c != 0 {
		return c
	}
	return cmp.Compare(a.Partition, b.Partition)
}
