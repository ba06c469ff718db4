package offsets

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/setting"
)

// listAttempts bounds the rounds of a ListOffsets call whose partitions
// answered with an error (a leader moving, metadata not yet known).
const listAttempts = 4

// Lister lists partitions and offsets over one cluster connection.
type Lister struct {
	// Client is the connection; its metadata is refreshed between rounds.
	Client sarama.Client
	// Admin sends the ListOffsets and Metadata requests.
	Admin sarama.ClusterAdmin
	// Classify, when set, turns a request's error into kq's (unreachable,
	// authentication failed).
	Classify func(error) error
}

func (l Lister) classify(err error) error {
	if l.Classify == nil || err == nil {
		return err
	}
	return l.Classify(err)
}

// Partitions returns the sorted partition ids of each topic that exists;
// a topic the cluster does not know is left out.
func (l Lister) Partitions(topics []string) (map[string][]int32, error) {
	out := map[string][]int32{}
	if len(topics) == 0 {
		return out, nil
	}
	md, err := l.Admin.DescribeTopics(topics)
	if err != nil {
		return nil, fmt.Errorf("describe topics: %w", l.classify(err))
	}
	for _, t := range md {
		switch {
		case errors.Is(t.Err, sarama.ErrUnknownTopicOrPartition):
			continue
		case IsKError(t.Err):
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

// Require returns the partitions of topics, in order, or only those listed
// in only (nil: all). A topic that does not exist is an error matching
// [ErrTopicNotFound]; a partition in only that a topic lacks is an error.
func (l Lister) Require(topics []string, only []int32) ([]TopicPartition, error) {
	parts, err := l.Partitions(topics)
	if err != nil {
		return nil, err
	}
	var out []TopicPartition
	for _, t := range topics {
		ps, ok := parts[t]
		if !ok || len(ps) == 0 {
			return nil, TopicNotFound(t)
		}
		if only != nil {
			for _, p := range only {
				if !slices.Contains(ps, p) {
					return nil, fmt.Errorf("topic %s has no partition %d (it has %d partitions)", t, p, len(ps))
				}
			}
			ps = only
		}
		for _, p := range ps {
			out = append(out, TopicPartition{t, p})
		}
	}
	return out, nil
}

// Existing returns the partitions of tps that exist, in order.
func (l Lister) Existing(tps []TopicPartition) ([]TopicPartition, error) {
	parts, err := l.Partitions(Topics(tps))
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

// List returns, for each partition, the offset ListOffsets answers for
// query (sarama.OffsetOldest, sarama.OffsetNewest or a timestamp in
// milliseconds) under iso: NoOffset where there is none (no record at or
// after the time). Partitions that answer with an error are asked again,
// after a metadata refresh, a few times before the error is returned.
func (l Lister) List(tps []TopicPartition, query int64, iso setting.Isolation) (map[TopicPartition]Offset, error) {
	out := make(map[TopicPartition]Offset, len(tps))
	todo := tps
	var lastErr error
	for attempt := 0; attempt < listAttempts && len(todo) > 0; attempt++ {
		if attempt > 0 {
			time.Sleep(l.Client.Config().Metadata.Retry.Backoff)
			_ = l.Client.RefreshMetadata(Topics(todo)...)
		}
		res, err := l.Admin.ListOffsets(listQuery(todo, query), &sarama.ListOffsetsOptions{IsolationLevel: iso.Sarama()})
		todo, lastErr = collect(res, l.classify(err), todo, out)
	}
	if len(todo) > 0 {
		return nil, lastErr
	}
	return out, nil
}

// collect stores the answered offsets of tps in out and returns the
// partitions to ask again, with the last error seen.
func collect(res map[string]map[int32]*sarama.OffsetResult, reqErr error, tps []TopicPartition, out map[TopicPartition]Offset) ([]TopicPartition, error) {
	var again []TopicPartition
	var lastErr error
	for _, tp := range tps {
		r := res[tp.Topic][tp.Partition]
		switch {
		case r == nil:
			lastErr = fmt.Errorf("list offsets of %s: %w", tp, cmp.Or(reqErr, error(sarama.ErrIncompleteResponse)))
		case IsKError(r.Err):
			lastErr = fmt.Errorf("list offsets of %s: %w", tp, r.Err)
		case r.Offset < 0:
			out[tp] = NoOffset
			continue
		default:
			out[tp] = Offset(r.Offset)
			continue
		}
		again = append(again, tp)
	}
	return again, lastErr
}

func listQuery(tps []TopicPartition, query int64) map[string]map[int32]int64 {
	q := map[string]map[int32]int64{}
	for _, tp := range tps {
		if q[tp.Topic] == nil {
			q[tp.Topic] = map[int32]int64{}
		}
		q[tp.Topic][tp.Partition] = query
	}
	return q
}

// Watermarks returns the watermarks of the partitions of tps that exist;
// the others are left out.
func (l Lister) Watermarks(tps []TopicPartition) (map[TopicPartition]Watermarks, error) {
	out := map[TopicPartition]Watermarks{}
	tps, err := l.Existing(tps)
	if err != nil || len(tps) == 0 {
		return out, err
	}
	start, err := l.List(tps, sarama.OffsetOldest, setting.ReadUncommitted)
	if err != nil {
		return nil, fmt.Errorf("list log start offsets: %w", err)
	}
	end, err := l.List(tps, sarama.OffsetNewest, setting.ReadUncommitted)
	if err != nil {
		return nil, fmt.Errorf("list log end offsets: %w", err)
	}
	stable, err := l.List(tps, sarama.OffsetNewest, l.committedIsolation())
	if err != nil {
		return nil, fmt.Errorf("list last stable offsets: %w", err)
	}
	for _, tp := range tps {
		out[tp] = Watermarks{LogStart: start[tp], LogEnd: end[tp], LastStable: stable[tp]}
	}
	return out, nil
}

// committedIsolation is read_committed where the cluster's version has
// it (0.11 and later), so that LastStable is the last stable offset, and
// read_uncommitted before (no transactions: LastStable is the log end).
func (l Lister) committedIsolation() setting.Isolation {
	if l.Client.Config().Version.IsAtLeast(sarama.V0_11_0_0) {
		return setting.ReadCommitted
	}
	return setting.ReadUncommitted
}

// IsKError reports whether err is a Kafka error other than "no error"
// (sarama reports success as ErrNoError rather than nil in some
// responses).
func IsKError(err error) bool {
	return err != nil && !errors.Is(err, sarama.ErrNoError)
}

// Leader returns the offset the leader of tp answers for query
// (sarama.OffsetOldest, sarama.OffsetNewest or a time in milliseconds)
// through client alone, once: for a reader whose client is its only
// connection (verify's consumers and copiers, which may sit behind
// injected faults) and which retries as it reads. A topic or partition the
// cluster does not know is an error matching [ErrTopicNotFound] (and
// sarama's error).
func Leader(client sarama.Client, tp TopicPartition, query int64) (int64, error) {
	off, err := client.GetOffset(tp.Topic, tp.Partition, query)
	if errors.Is(err, sarama.ErrUnknownTopicOrPartition) {
		return off, fmt.Errorf("%w: %w", TopicNotFound(tp.Topic), err)
	}
	return off, err
}
