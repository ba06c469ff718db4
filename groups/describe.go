package groups

import (
	"context"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/offsets"
)

// Group states as the coordinator reports them.
const (
	StateStable              = "Stable"
	StateEmpty               = "Empty"
	StateDead                = "Dead"
	StatePreparingRebalance  = "PreparingRebalance"
	StateCompletingRebalance = "CompletingRebalance"
)

// Description is one consumer group: its members, and per partition its
// committed offset and lag.
type Description struct {
	// Group is the group id.
	Group string `json:"group"`
	// State is the coordinator's state for the group (Stable, Empty, ...).
	State string `json:"state"`
	// ProtocolType is "consumer" for Kafka consumer groups.
	ProtocolType string `json:"protocol_type"`
	// Protocol is the partition assignor of a stable group, e.g. "range".
	Protocol string `json:"protocol"`
	// Members are the group's live members, by member id.
	Members []Member `json:"members"`
	// Partitions are every partition of the topics the group has committed
	// offsets for or is assigned, by topic and partition: those it never
	// committed have Committed NoOffset (see [PartitionLag.Uncommitted]).
	Partitions []PartitionLag `json:"partitions"`
	// TotalLag is the sum of the known partition lags.
	TotalLag offsets.Lag `json:"total_lag"`
}

// Member is one live member of a group.
type Member struct {
	// MemberID is the id the coordinator gave the member.
	MemberID string `json:"member_id"`
	// InstanceID is the static membership id, "" when unset.
	InstanceID string `json:"instance_id"`
	// ClientID is the member's client id.
	ClientID string `json:"client_id"`
	// Host is the member's address as the coordinator saw it.
	Host string `json:"host"`
	// Assignment are the partitions assigned to the member, by topic.
	Assignment []TopicPartitions `json:"assignment"`
}

// TopicPartitions are some partitions of one topic.
type TopicPartitions struct {
	// Topic is the topic name.
	Topic string `json:"topic"`
	// Partitions are partition numbers, sorted.
	Partitions []int32 `json:"partitions"`
}

// PartitionLag is a group's position in one partition.
type PartitionLag struct {
	offsets.TopicPartition
	// Committed is the committed offset; NoOffset when none.
	Committed offsets.Offset `json:"committed_offset"`
	// Metadata is the metadata string stored with the commit.
	Metadata string `json:"commit_metadata"`
	offsets.Watermarks
	// Lag is [ComputeLag] of the committed offset: against the last stable
	// offset, from the log start when nothing is committed. NoLag when the
	// topic no longer exists.
	Lag offsets.Lag `json:"lag"`
	// TimeLagMs is the age in milliseconds of the next record to consume,
	// when [DescribeOptions.TimeLag] asked for it and the record could be
	// read; 0 when the partition has no lag. See [PartitionLag.TimeLag].
	TimeLagMs *int64 `json:"time_lag_ms,omitempty"`
	// MemberID is the member the partition is assigned to; "" when none.
	MemberID string `json:"member_id"`
	// ClientID is that member's client id.
	ClientID string `json:"client_id"`
	// Host is that member's host.
	Host string `json:"host"`
	// TopicDeleted is set when the topic no longer exists: the committed
	// offset is kept by the group, the watermarks and lag are unknown.
	TopicDeleted bool `json:"topic_deleted"`
	// BlockedBy is the open transaction at the last stable offset, when
	// the caller looked it up (nil: none, or not looked up).
	BlockedBy *offsets.OpenTxn `json:"blocked_by,omitempty"`
}

// Uncommitted reports whether the group has no committed offset for the
// partition; its Lag is then counted from the log start.
func (p PartitionLag) Uncommitted() bool { return !p.Committed.Known() && !p.TopicDeleted }

// TimeLag returns TimeLagMs as a duration; ok is false when unknown.
func (p PartitionLag) TimeLag() (d time.Duration, ok bool) {
	if p.TimeLagMs == nil {
		return 0, false
	}
	return time.Duration(*p.TimeLagMs) * time.Millisecond, true
}

// DescribeOptions tune [Client.Describe].
type DescribeOptions struct {
	// TimeLag also reads the next record to consume of each lagging
	// partition to report how old it is.
	TimeLag bool
	// TimeLagWait bounds the wait for those records; 0 means 5s.
	TimeLagWait time.Duration
	// Now is the time time lag is measured at; zero means time.Now().
	Now time.Time
}

// Describe describes groups: members with their assignments, and per
// partition the committed offset, watermarks and lag. A group with no live
// members shows its committed offsets only; partitions of deleted topics
// are kept with TopicDeleted set. Groups that do not exist are left out and
// reported in the error (matching ErrGroupNotFound), after the others are
// described.
func (c *Client) Describe(ctx context.Context, groups []string, opts DescribeOptions) ([]Description, error) {
	raw, err := c.describeRaw(groups)
	if err != nil {
		return nil, err
	}
	var out []Description
	var missing []error
	for _, g := range groups {
		d, found, err := c.describeOne(ctx, raw[g], g, opts)
		if err != nil {
			return out, err
		}
		if !found {
			missing = append(missing, groupNotFound(g))
			continue
		}
		out = append(out, d)
	}
	return out, kqerr.Join(missing)
}

func (c *Client) describeOne(ctx context.Context, raw *sarama.GroupDescription, group string, opts DescribeOptions) (Description, bool, error) {
	commits, found, err := c.committed(group)
	if err != nil {
		return Description{}, false, err
	}
	d := Description{Group: group, State: StateDead}
	if raw != nil {
		d.State, d.ProtocolType, d.Protocol = raw.State, raw.ProtocolType, raw.Protocol
		d.Members = members(raw)
	}
	if d.State == StateDead && (!found || len(commits) == 0) {
		return d, false, nil
	}
	d.Partitions, err = c.partitionLags(commits, d.Members)
	if err != nil {
		return d, true, err
	}
	if opts.TimeLag {
		c.fillTimeLags(ctx, d.Partitions, opts)
	}
	d.TotalLag = totalLag(d.Partitions)
	return d, true, nil
}

// partitionLags joins committed offsets, assignments and watermarks, over
// every partition of the group's topics.
func (c *Client) partitionLags(commits map[offsets.TopicPartition]commit, ms []Member) ([]PartitionLag, error) {
	owners := owners(ms)
	seen := map[offsets.TopicPartition]bool{}
	for tp := range commits {
		seen[tp] = true
	}
	for tp := range owners {
		seen[tp] = true
	}
	tps, err := c.offsets.Partitions(offsets.Topics(slices.Collect(maps.Keys(seen))))
	if err != nil {
		return nil, err
	}
	for t, ps := range tps {
		for _, p := range ps {
			seen[offsets.TopicPartition{Topic: t, Partition: p}] = true
		}
	}
	all := slices.Collect(maps.Keys(seen))
	slices.SortFunc(all, offsets.Compare)
	wms, err := c.offsets.Watermarks(all)
	if err != nil {
		return nil, err
	}
	out := make([]PartitionLag, 0, len(all))
	for _, tp := range all {
		out = append(out, newPartitionLag(tp, commits, owners[tp], wms))
	}
	return out, nil
}

func newPartitionLag(tp offsets.TopicPartition, commits map[offsets.TopicPartition]commit, owner *Member, wms map[offsets.TopicPartition]offsets.Watermarks) PartitionLag {
	pl := PartitionLag{TopicPartition: tp, Committed: offsets.NoOffset, Watermarks: offsets.UnknownWatermarks()}
	if cm, ok := commits[tp]; ok {
		pl.Committed, pl.Metadata = cm.offset, cm.metadata
	}
	if w, ok := wms[tp]; ok {
		pl.Watermarks = w
	} else {
		pl.TopicDeleted = true
	}
	pl.Lag = ComputeLag(pl.Committed, pl.Watermarks)
	if owner != nil {
		pl.MemberID, pl.ClientID, pl.Host = owner.MemberID, owner.ClientID, owner.Host
	}
	return pl
}

func totalLag(ps []PartitionLag) offsets.Lag {
	lags := make([]offsets.Lag, len(ps))
	for i, p := range ps {
		lags[i] = p.Lag
	}
	return SumLag(lags...)
}

// members converts sarama's member map, decoding consumer assignments.
func members(raw *sarama.GroupDescription) []Member {
	out := make([]Member, 0, len(raw.Members))
	for id, m := range raw.Members {
		mem := Member{MemberID: id, ClientID: m.ClientId, Host: m.ClientHost, Assignment: []TopicPartitions{}}
		if m.GroupInstanceId != nil {
			mem.InstanceID = *m.GroupInstanceId
		}
		if a, err := m.GetMemberAssignment(); err == nil && a != nil {
			mem.Assignment = assignment(a.Topics)
		}
		out = append(out, mem)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].MemberID < out[j].MemberID })
	return out
}

func assignment(topics map[string][]int32) []TopicPartitions {
	out := make([]TopicPartitions, 0, len(topics))
	for t, ps := range topics {
		ps = slices.Clone(ps)
		slices.Sort(ps)
		out = append(out, TopicPartitions{Topic: t, Partitions: ps})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Topic < out[j].Topic })
	return out
}

// owners maps each assigned partition to its member.
func owners(ms []Member) map[offsets.TopicPartition]*Member {
	out := map[offsets.TopicPartition]*Member{}
	for i := range ms {
		for _, tps := range ms[i].Assignment {
			for _, p := range tps.Partitions {
				out[offsets.TopicPartition{Topic: tps.Topic, Partition: p}] = &ms[i]
			}
		}
	}
	return out
}

// OverLag returns the partitions of d whose lag is known and greater than
// limit, for `kq groups lag --max-lag`. Partitions the group never
// committed are judged only with uncommitted (their lag, from the log
// start, is where a consumer resetting to earliest would begin; one
// resetting to latest has none).
func (d Description) OverLag(limit int64, uncommitted bool) []PartitionLag {
	var out []PartitionLag
	for _, p := range d.Partitions {
		if p.Lag.Known() && int64(p.Lag) > limit && (uncommitted || !p.Uncommitted()) {
			out = append(out, p)
		}
	}
	return out
}

// Uncommitted returns the partitions of d the group has no committed
// offset for.
func (d Description) Uncommitted() []offsets.TopicPartition {
	var out []offsets.TopicPartition
	for _, p := range d.Partitions {
		if p.Uncommitted() {
			out = append(out, p.TopicPartition)
		}
	}
	return out
}
