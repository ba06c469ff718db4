package consume

import (
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/setting"
)

// Balance is the partition assignment strategy of a group member.
type Balance string

// The balance strategies. The zero value means [BalanceRange].
const (
	// BalanceRange assigns contiguous partition ranges per topic.
	BalanceRange Balance = "range"
	// BalanceRoundRobin deals partitions out one by one.
	BalanceRoundRobin Balance = "roundrobin"
	// BalanceSticky keeps assignments stable across rebalances.
	BalanceSticky Balance = "sticky"
)

// ParseBalance checks a --balance value. Errors match kqerr.ErrUsage.
func ParseBalance(s string) (Balance, error) {
	return setting.Parse("balance strategy", s, BalanceRange, BalanceRoundRobin, BalanceSticky)
}

// ParseCommitMode reads a group member's commit mode: after, before or
// none (see [Options].Commit).
func ParseCommitMode(s string) (setting.CommitMode, error) {
	return setting.ParseCommitMode(s, setting.CommitAfter, setting.CommitBefore, setting.CommitNone)
}

func (b Balance) strategy() sarama.BalanceStrategy {
	switch b {
	case BalanceRoundRobin:
		return sarama.NewBalanceStrategyRoundRobin()
	case BalanceSticky:
		return sarama.NewBalanceStrategySticky()
	}
	return sarama.NewBalanceStrategyRange()
}

// Options configures a [Run].
type Options struct {
	// Topics are the topics to read; each must exist.
	Topics []string
	// Partitions restricts partition mode to these partitions of every
	// topic; nil means all. Not allowed with Group.
	Partitions []int32
	// From is where each partition starts. In group mode it only applies
	// to partitions the group has no committed offset for, and must be
	// earliest or latest.
	From OffsetSpec
	// Until, when set, stops each partition before this offset or at its
	// first record at or after this time (Exact or Timestamp only).
	Until *OffsetSpec
	// Exit stops each partition at its end as measured when the run
	// starts (see the package documentation).
	Exit bool
	// Count stops the run after this many records; 0 means no limit.
	Count int64
	// IdleTimeout stops the run when no record arrived for this long; 0
	// means never.
	IdleTimeout time.Duration
	// Group, when set, reads as a member of this consumer group.
	Group string
	// Balance is the group's assignment strategy.
	Balance Balance
	// Commit says when a group member commits: after (the default) marks
	// a record once it was written and flushed and commits marks every
	// second and when the member leaves; before commits each batch
	// synchronously before writing it; none never commits.
	Commit setting.CommitMode
	// Isolation is the transaction isolation level; the default is
	// read_committed.
	Isolation setting.Isolation
	// OnError, when set, receives errors sarama reports and retries by
	// itself (a partition leader moving, a commit failing), for logging.
	OnError func(error)
	// OnUnreachable, when set, is told that the cluster cannot be reached
	// (for a one-line warning): at the first sign, then at most once per
	// [UnreachableWarnInterval] while it lasts. The run keeps trying.
	OnUnreachable func(error)
	// ExitOnError ends the run at the first sign that the cluster cannot
	// be reached, with an error matching kqerr.ErrUnreachable, instead of
	// waiting for it to come back. What was written is flushed first.
	ExitOnError bool
}

// UnreachableWarnInterval is the least time between two calls of
// [Options.OnUnreachable].
const UnreachableWarnInterval = 5 * time.Second

// Validate checks the options for contradictions. Errors match
// kqerr.ErrUsage.
func (o *Options) Validate() error {
	switch {
	case len(o.Topics) == 0:
		return kqerr.Usagef("no topic given")
	case o.Count < 0:
		return kqerr.Usagef("count must not be negative, got %d", o.Count)
	case o.IdleTimeout < 0:
		return kqerr.Usagef("idle timeout must not be negative, got %v", o.IdleTimeout)
	case o.Until != nil && o.Until.Kind != Exact && o.Until.Kind != Timestamp:
		return kqerr.Usagef("until must be an offset or a timestamp, got %s", o.Until)
	}
	for _, t := range o.Topics {
		if t == "" {
			return kqerr.Usagef("empty topic name")
		}
	}
	if o.Group == "" {
		return nil
	}
	switch {
	case len(o.Partitions) > 0:
		return kqerr.Settingf("a group assigns partitions itself; drop {partition} or {group}")
	case !o.From.IsEnd():
		return kqerr.Usagef("in group mode the start (%s) must be earliest or latest; it applies where the group has no committed offset (move a group with kq groups reset)", o.From)
	}
	return nil
}

// withDefaults fills the zero values of the enumerations.
func (o Options) withDefaults() Options {
	if o.Isolation == "" {
		o.Isolation = setting.ReadCommitted
	}
	if o.Balance == "" {
		o.Balance = BalanceRange
	}
	if o.Commit == "" {
		o.Commit = setting.CommitAfter
	}
	return o
}

// bounded reports whether partitions have an end to reach.
func (o *Options) bounded() bool { return o.Exit || o.Until != nil }
