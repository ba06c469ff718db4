package verify

import (
	"slices"
	"strings"
	"time"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/output"
	"github.com/kq-dev/kq/internal/seqmsg"
)

// Workload defaults.
const (
	DefaultMessages  = 100_000
	DefaultProducers = 2
	DefaultConsumers = 2
	// MaxDefaultCopiers caps the default number of copiers in the copy
	// pipeline: one per input partition, up to this many (shared by the
	// workers of a distributed run). Every transaction waits for its last
	// produce's acks=all answer and four round trips, during which its
	// copier copies nothing; with two copiers the copy phase fell to 0.44
	// of the produce phase when the producers ran fast, with one per
	// partition it kept 0.8 (BENCHMARKS.md, issue 17).
	MaxDefaultCopiers = 6
	DefaultPartitions = 6
	DefaultSize       = 100
	// DefaultRate paces the producers (values per second, all together),
	// so a default run lasts long enough for the fault schedule to open
	// several windows.
	DefaultRate = 10_000
	// DefaultTxnSize is the values per copier transaction. A transaction
	// costs several round trips (AddPartitionsToTxn, AddOffsetsToTxn,
	// TxnOffsetCommit, EndTxn and the markers) whatever its size, so the
	// copy pipeline's speed is mostly the number of transactions: at 200 a
	// copier ran at a tenth of the producers' speed (BENCHMARKS.md).
	DefaultTxnSize = 1000
	// DefaultProcessTime is the time a group consumer spends processing
	// each batch, jittered from half to one and a half times it: enough
	// that a crash lands while a batch is part processed (its commit
	// before processing made, or its commit after not yet made), little
	// enough not to slow a run that keeps up (BENCHMARKS.md).
	DefaultProcessTime = 5 * time.Millisecond
	// DefaultAbortRate is the share of copier transactions aborted on
	// purpose in the copy pipeline.
	DefaultAbortRate = 0.05
)

// maxSize bounds --size: values must fit a default broker's 1 MB limit.
const maxSize = 900 << 10

// maxProcessTime bounds --process-time: a batch's processing (half as long
// again, at most) must end well within the group's rebalance timeout.
const maxProcessTime = time.Second

// Workload is the shape of a run's message stream. Zero fields take the
// defaults above (AbortRate only in the copy pipeline; a negative
// AbortRate means none).
type Workload struct {
	// Messages is the number of values written in all, split evenly over
	// the producers. Ignored when Duration is set.
	Messages int64 `json:"messages"`
	// Duration, when set, makes the producers write for this long instead
	// of a fixed number of values.
	Duration time.Duration `json:"-"`
	// Producers is the number of producers, with ids 0 to Producers-1.
	Producers int `json:"producers"`
	// Consumers is the number of group consumers, or of copiers in the copy
	// pipeline (per worker in a distributed run). Zero means
	// DefaultConsumers consumers, or one copier per partition up to
	// MaxDefaultCopiers, divided among the workers.
	Consumers int `json:"consumers"`
	// Partitions is the partition count of the run's topics.
	Partitions int `json:"partitions"`
	// TopicConfig is set on the run's topics when they are created, such
	// as min.insync.replicas (`kq topics create --config` spelling).
	TopicConfig map[string]string `json:"topic_config,omitempty"`
	// Size is the size in bytes of each value (at least the header's).
	Size int `json:"size"`
	// Rate caps the values written per second by all producers together;
	// 0 means DefaultRate and a negative rate no limit.
	Rate float64 `json:"rate"`
	// TxnSize is the number of values a copier copies per transaction; a
	// shorter transaction commits after a quiet spell, a longer one (up to
	// ten times as many) while a copier behind the producers finds input
	// records waiting.
	TxnSize int `json:"txn_size"`
	// AbortRate is the share of copier transactions aborted on purpose
	// (then re-copied from the offsets committed before them).
	AbortRate float64 `json:"abort_rate"`
	// ProcessTime is the time a group consumer spends processing each
	// batch, jittered from half to one and a half times it and spread over
	// the batch's records (process_time_ms in JSON); 0 means
	// DefaultProcessTime and a negative time none.
	ProcessTime time.Duration `json:"-"`
}

// MarshalJSON adds duration_ms to the JSON form.
func (w Workload) MarshalJSON() ([]byte, error) {
	type plain Workload
	return output.MarshalJSON(struct {
		plain
		DurationMS    int64   `json:"duration_ms"`
		ProcessTimeMS float64 `json:"process_time_ms"`
	}{plain(w), w.Duration.Milliseconds(), float64(w.ProcessTime) / float64(time.Millisecond)})
}

// withDefaults fills in zero fields; workers is the number of workers
// of the run (1 alone).
func (w Workload) withDefaults(pipeline bool, workers int) Workload {
	if w.Messages == 0 && w.Duration == 0 {
		w.Messages = DefaultMessages
	}
	if w.Duration > 0 {
		w.Messages = 0
	}
	w.Producers = orDefault(w.Producers, DefaultProducers)
	w.Partitions = orDefault(w.Partitions, DefaultPartitions)
	w.Consumers = orDefault(w.Consumers, defaultReaders(pipeline, w.Partitions, workers))
	w.Size = orDefault(w.Size, DefaultSize)
	w.TxnSize = orDefault(w.TxnSize, DefaultTxnSize)
	switch {
	case w.Rate == 0:
		w.Rate = DefaultRate
	case w.Rate < 0:
		w.Rate = 0
	}
	switch {
	case pipeline || w.ProcessTime < 0:
		w.ProcessTime = 0
	case w.ProcessTime == 0:
		w.ProcessTime = DefaultProcessTime
	}
	switch {
	case !pipeline || w.AbortRate < 0:
		w.AbortRate = 0
	case w.AbortRate == 0:
		w.AbortRate = DefaultAbortRate
	}
	return w
}

// defaultReaders is the default number of group consumers, or of copiers
// per worker in the copy pipeline: one per partition up to
// MaxDefaultCopiers in all, at least one per worker.
func defaultReaders(pipeline bool, partitions, workers int) int {
	if !pipeline {
		return DefaultConsumers
	}
	workers = max(workers, 1)
	all := min(max(partitions, 1), MaxDefaultCopiers)
	return max((all+workers-1)/workers, 1)
}

func orDefault(v, d int) int {
	if v == 0 {
		return d
	}
	return v
}

// validate rejects a workload that cannot run.
// TopicConfigText spells TopicConfig as KEY=VALUE pairs, sorted and
// comma-separated ("" when empty).
func (w Workload) TopicConfigText() string {
	pairs := make([]string, 0, len(w.TopicConfig))
	for k, v := range w.TopicConfig {
		pairs = append(pairs, k+"="+v)
	}
	slices.Sort(pairs)
	return strings.Join(pairs, ",")
}

func (w Workload) validate() error {
	switch {
	case w.Messages < 0 || w.Duration < 0:
		return kqerr.Settingf("{messages} and {duration} must not be negative")
	case w.Producers < 1 || w.Producers > 1000:
		return kqerr.Settingf("{producers} must be between 1 and 1000, got %d", w.Producers)
	case w.Consumers < 1 || w.Consumers > 1000:
		return kqerr.Settingf("{consumers} must be between 1 and 1000, got %d", w.Consumers)
	case w.Partitions < 1 || w.Partitions > 10000:
		return kqerr.Settingf("{partitions} must be between 1 and 10000, got %d", w.Partitions)
	case w.Size < 0 || w.Size > maxSize:
		return kqerr.Settingf("{size} must be between %d and %d bytes, got %d", seqmsg.MinSize, maxSize, w.Size)
	case w.TxnSize < 1:
		return kqerr.Settingf("{txn size} must be at least 1, got %d", w.TxnSize)
	case w.AbortRate < 0 || w.AbortRate >= 1:
		return kqerr.Settingf("{abort rate} must be in [0, 1), got %v", w.AbortRate)
	case w.ProcessTime > maxProcessTime:
		return kqerr.Settingf("{process time} must be at most %v, got %v", maxProcessTime, w.ProcessTime)
	}
	return nil
}

// share returns how many values producer i of n writes when n producers
// split total.
func share(total int64, i, n int) int64 {
	q, r := total/int64(n), total%int64(n)
	if int64(i) < r {
		return q + 1
	}
	return q
}
