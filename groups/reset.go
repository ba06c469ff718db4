package groups

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/offsets"
	"github.com/kq-dev/kq/internal/setting"
)

// Validate checks that the spec names a scope and a complete mode. Its
// errors are usage errors.
func (s ResetSpec) Validate() error {
	switch {
	case s.AllTopics && len(s.Topics) > 0:
		return kqerr.Settingf("give either {topic} or {all topics}, not both")
	case !s.AllTopics && len(s.Topics) == 0 && s.Mode != FromFile:
		return kqerr.Settingf("say which partitions to reset: {topic} TOPIC[:P,...] or {all topics}")
	case s.Mode == "":
		return kqerr.Settingf("say how to reset: one of {to earliest}, {to latest}, {to offset}, {shift by}, {to datetime}, {by duration}, {to current}, {from file}, {to group}")
	case s.Mode == ToOffset && s.Offset < 0:
		return kqerr.Settingf("{to offset} must not be negative, got %d", s.Offset)
	case s.Mode == ByDuration && s.Duration <= 0:
		return kqerr.Settingf("{by duration} must be positive")
	case s.Mode == FromFile && len(s.Entries) == 0:
		return kqerr.Usagef("the plan file has no entries")
	case s.Mode == ToGroup && s.SourceGroup == "":
		return kqerr.Settingf("{to group} needs a group")
	}
	return nil
}

// PlanReset computes the reset plan of group without changing anything:
// the group's state and committed offsets, the scope's partitions and
// watermarks, and what the mode needs (offsets by time, the source group's
// offsets) are read from the cluster, then [BuildPlan] decides. A group
// that does not exist yet is planned from no committed offsets, as
// kafka-consumer-groups does. now is the time ByDuration counts back from.
// A topic in scope that does not exist is an error matching
// ErrTopicNotFound.
func (c *Client) PlanReset(_ context.Context, group string, spec ResetSpec, now time.Time) (Plan, error) {
	if err := spec.Validate(); err != nil {
		return Plan{}, err
	}
	raw, err := c.describeRaw([]string{group})
	if err != nil {
		return Plan{}, err
	}
	commits, _, err := c.committed(group)
	if err != nil {
		return Plan{}, err
	}
	in := PlanInput{Current: commitOffsets(commits)}
	if in.Partitions, err = c.resetScope(group, spec, commits); err != nil {
		return Plan{}, err
	}
	if err := c.gatherPlanInput(spec, &in, now); err != nil {
		return Plan{}, err
	}
	p := BuildPlan(spec, in)
	p.Group = group
	p.State, p.ActiveMembers = activity(raw[group])
	return p, nil
}

// gatherPlanInput reads the watermarks and what the mode needs.
func (c *Client) gatherPlanInput(spec ResetSpec, in *PlanInput, now time.Time) error {
	var err error
	if in.Watermarks, err = c.offsets.Watermarks(in.Partitions); err != nil {
		return err
	}
	switch spec.Mode {
	case ToDatetime, ByDuration:
		at := spec.Time
		if spec.Mode == ByDuration {
			at = now.Add(-spec.Duration)
		}
		in.TimeOffsets, err = c.offsets.ExistingForTime(in.Partitions, at.UnixMilli(), setting.ReadUncommitted)
	case ToGroup:
		var src map[offsets.TopicPartition]commit
		var found bool
		src, found, err = c.committed(spec.SourceGroup)
		if err == nil && !found {
			err = groupNotFound(spec.SourceGroup)
		}
		in.Source = commitOffsets(src)
	}
	return err
}

// resetScope resolves the partitions a reset touches.
func (c *Client) resetScope(group string, spec ResetSpec, commits map[offsets.TopicPartition]commit) ([]offsets.TopicPartition, error) {
	var tps []offsets.TopicPartition
	var err error
	switch {
	case spec.AllTopics && spec.Mode == ToGroup:
		// all topics are the source group's: the target is often new
		src, found, err := c.committed(spec.SourceGroup)
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, groupNotFound(spec.SourceGroup)
		}
		if len(src) == 0 {
			return nil, fmt.Errorf("group %s has no committed offsets to copy", spec.SourceGroup)
		}
		for tp := range src {
			tps = append(tps, tp)
		}
	case spec.AllTopics:
		for tp := range commits {
			tps = append(tps, tp)
		}
		if len(tps) == 0 {
			return nil, kqerr.SettingErrorf("group %s has no committed offsets for {all topics} to reset; name topics with {topic}", group)
		}
	case len(spec.Topics) > 0:
		if tps, err = c.scopePartitions(spec.Topics); err != nil {
			return nil, err
		}
	}
	if spec.Mode == FromFile {
		if tps, err = c.entryPartitions(spec.Entries, tps, len(spec.Topics) > 0 || spec.AllTopics); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(tps, offsets.Compare)
	return slices.Compact(tps), nil
}

// scopePartitions expands --topic scopes into partitions, checking that
// the topics and partitions exist.
func (c *Client) scopePartitions(scopes []TopicScope) ([]offsets.TopicPartition, error) {
	names := make([]string, len(scopes))
	for i, s := range scopes {
		names[i] = s.Topic
	}
	parts, err := c.offsets.Partitions(names)
	if err != nil {
		return nil, err
	}
	var out []offsets.TopicPartition
	for _, s := range scopes {
		have, ok := parts[s.Topic]
		if !ok {
			return nil, offsets.TopicNotFound(s.Topic)
		}
		want := s.Partitions
		if len(want) == 0 {
			want = have
		}
		for _, p := range want {
			if !slices.Contains(have, p) {
				return nil, fmt.Errorf("topic %s has no partition %d (it has %d)", s.Topic, p, len(have))
			}
			out = append(out, offsets.TopicPartition{Topic: s.Topic, Partition: p})
		}
	}
	return out, nil
}

// entryPartitions returns the partitions of plan-file entries, kept to
// scope when filter is set, checking that they exist.
func (c *Client) entryPartitions(es []PlanEntry, scope []offsets.TopicPartition, filter bool) ([]offsets.TopicPartition, error) {
	var tps []offsets.TopicPartition
	for _, e := range es {
		if !filter || slices.Contains(scope, e.TopicPartition) {
			tps = append(tps, e.TopicPartition)
		}
	}
	parts, err := c.offsets.Partitions(offsets.Topics(tps))
	if err != nil {
		return nil, err
	}
	for _, tp := range tps {
		have, ok := parts[tp.Topic]
		if !ok {
			return nil, offsets.TopicNotFound(tp.Topic)
		}
		if !slices.Contains(have, tp.Partition) {
			return nil, fmt.Errorf("plan file: topic %s has no partition %d", tp.Topic, tp.Partition)
		}
	}
	return tps, nil
}

// ApplyReset commits the plan's offsets for its group and sets Executed.
// It refuses, with an error matching ErrActiveMembers, while the group has
// live members: they would overwrite the reset with their next commit.
func (c *Client) ApplyReset(_ context.Context, p *Plan) error {
	raw, err := c.describeRaw([]string{p.Group})
	if err != nil {
		return err
	}
	if err := refuseActive(p.Group, raw[p.Group]); err != nil {
		return err
	}
	if len(p.Partitions) == 0 {
		p.Executed = true
		return nil
	}
	commits := map[string]map[int32]sarama.OffsetAndMetadata{}
	for _, e := range p.Partitions {
		if commits[e.Topic] == nil {
			commits[e.Topic] = map[int32]sarama.OffsetAndMetadata{}
		}
		commits[e.Topic][e.Partition] = sarama.OffsetAndMetadata{Offset: int64(e.New), LeaderEpoch: -1}
	}
	resp, err := c.admin.AlterConsumerGroupOffsets(p.Group, commits, nil)
	if err != nil {
		return fmt.Errorf("commit offsets of group %s: %w", p.Group, c.f.Classify(err))
	}
	for topic, ps := range resp.Errors {
		for part, kerr := range ps {
			if offsets.IsKError(kerr) {
				return fmt.Errorf("commit offset of group %s for %s/%d: %w", p.Group, topic, part, kerr)
			}
		}
	}
	p.Executed = true
	return nil
}

// refuseActive returns an error matching ErrActiveMembers when the group
// is neither Empty nor Dead.
func refuseActive(group string, raw *sarama.GroupDescription) error {
	state, n := activity(raw)
	if state == StateEmpty || state == StateDead {
		return nil
	}
	noun := "members"
	if n == 1 {
		noun = "member"
	}
	msg := fmt.Sprintf("group %s has %d active %s (state %s); stop them first", group, n, noun, state)
	return kqerr.WithKind(ErrActiveMembers, msg)
}

// activity returns a described group's state and live member count.
func activity(raw *sarama.GroupDescription) (string, int) {
	if raw == nil {
		return StateDead, 0
	}
	return raw.State, len(raw.Members)
}

func commitOffsets(cs map[offsets.TopicPartition]commit) map[offsets.TopicPartition]offsets.Offset {
	out := make(map[offsets.TopicPartition]offsets.Offset, len(cs))
	for tp, c := range cs {
		out[tp] = c.offset
	}
	return out
}
