package groups

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/offsets"
)

// DeleteResult is the outcome of deleting one group.
type DeleteResult struct {
	// Group is the group id.
	Group string `json:"group"`
	// Deleted is set when the group is gone.
	Deleted bool `json:"deleted"`
	// Error says why it was not deleted.
	Error string `json:"error,omitempty"`
}

// DeleteGroups deletes groups with their committed offsets. Every group is
// tried; the error joins the failures (ErrGroupNotFound for unknown groups,
// ErrActiveMembers for groups with live members).
func (c *Client) DeleteGroups(_ context.Context, groups []string) ([]DeleteResult, error) {
	out := make([]DeleteResult, 0, len(groups))
	var errs []error
	for _, g := range groups {
		err := c.deleteGroup(g)
		r := DeleteResult{Group: g, Deleted: err == nil}
		if err != nil {
			r.Error = err.Error()
			errs = append(errs, err)
		}
		out = append(out, r)
	}
	return out, kqerr.Join(errs)
}

func (c *Client) deleteGroup(g string) error {
	err := c.admin.DeleteConsumerGroup(g)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sarama.ErrGroupIDNotFound):
		return groupNotFound(g)
	case errors.Is(err, sarama.ErrNonEmptyGroup):
		return kqerr.WithKind(ErrActiveMembers, "group "+g+" has active members; stop them first")
	}
	return fmt.Errorf("delete group %s: %w", g, c.f.Classify(err))
}

// DeleteOffsets deletes a group's committed offsets for a topic: the
// partitions of scope, or every partition the group committed for the
// topic. It returns the partitions whose offsets were deleted. The broker
// refuses (ErrActiveMembers) while live members consume the topic.
func (c *Client) DeleteOffsets(_ context.Context, group string, scope TopicScope) ([]offsets.TopicPartition, error) {
	commits, found, err := c.committed(group)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, groupNotFound(group)
	}
	tps := offsetPartitions(commits, scope)
	if len(tps) == 0 {
		return nil, fmt.Errorf("group %s has no committed offsets for topic %s", group, scope.Topic)
	}
	done := make([]offsets.TopicPartition, 0, len(tps))
	for _, tp := range tps {
		err := c.admin.DeleteConsumerGroupOffset(group, tp.Topic, tp.Partition)
		switch {
		case errors.Is(err, sarama.ErrGroupSubscribedToTopic):
			msg := fmt.Sprintf("group %s has active members consuming %s; stop them first", group, tp.Topic)
			return done, kqerr.WithKind(ErrActiveMembers, msg)
		case err != nil:
			return done, fmt.Errorf("delete offset of group %s for %s/%d: %w", group, tp.Topic, tp.Partition, c.f.Classify(err))
		}
		done = append(done, tp)
	}
	return done, nil
}

// offsetPartitions picks the partitions of scope: the listed ones, or all
// committed partitions of its topic.
func offsetPartitions(commits map[offsets.TopicPartition]commit, scope TopicScope) []offsets.TopicPartition {
	var tps []offsets.TopicPartition
	if len(scope.Partitions) > 0 {
		for _, p := range scope.Partitions {
			tps = append(tps, offsets.TopicPartition{Topic: scope.Topic, Partition: p})
		}
	} else {
		for tp := range commits {
			if tp.Topic == scope.Topic {
				tps = append(tps, tp)
			}
		}
	}
	slices.SortFunc(tps, offsets.Compare)
	return slices.Compact(tps)
}
