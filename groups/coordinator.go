package groups

import (
	"errors"
	"fmt"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/offsets"
)

// groupAttempts bounds the retries of group requests while a coordinator
// moves or loads.
const groupAttempts = 4

// groupRetryBackoff is the pause between those retries.
const groupRetryBackoff = 100 * time.Millisecond

// commit is one committed offset with its metadata.
type commit struct {
	offset   offsets.Offset
	metadata string
}

// describeRaw describes groups at their coordinators, retrying while a
// coordinator is loading or has moved.
func (c *Client) describeRaw(groups []string) (map[string]*sarama.GroupDescription, error) {
	var lastErr error
	for attempt := 0; attempt < groupAttempts; attempt++ {
		if attempt > 0 {
			c.refreshCoordinators(groups)
		}
		ds, err := c.admin.DescribeConsumerGroups(groups)
		if err != nil {
			lastErr = c.f.Classify(err)
			if !retriableGroupErr(err) {
				return nil, fmt.Errorf("describe groups: %w", lastErr)
			}
			continue
		}
		out, err := describedByName(ds)
		if err == nil {
			return out, nil
		}
		if lastErr = err; !retriableGroupErr(err) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("describe groups: %w", lastErr)
}

// describedByName indexes descriptions by group; a group that does not
// exist comes back with state Dead, not as an error.
func describedByName(ds []*sarama.GroupDescription) (map[string]*sarama.GroupDescription, error) {
	out := make(map[string]*sarama.GroupDescription, len(ds))
	for _, d := range ds {
		switch {
		case errors.Is(d.Err, sarama.ErrGroupIDNotFound):
			d.State = StateDead
		case offsets.IsKError(d.Err):
			return nil, fmt.Errorf("describe group %s: %w", d.GroupId, d.Err)
		}
		out[d.GroupId] = d
	}
	return out, nil
}

// committed fetches every offset a group has committed. found is false
// when the coordinator does not know the group.
func (c *Client) committed(group string) (commits map[offsets.TopicPartition]commit, found bool, err error) {
	// sarama retries this request itself while the coordinator moves.
	resp, err := c.admin.ListConsumerGroupOffsets(group, nil)
	switch {
	case errors.Is(err, sarama.ErrGroupIDNotFound):
		return map[offsets.TopicPartition]commit{}, false, nil
	case err != nil:
		return nil, false, fmt.Errorf("fetch committed offsets of group %s: %w", group, c.f.Classify(err))
	}
	commits = map[offsets.TopicPartition]commit{}
	for topic, blocks := range resp.Blocks {
		for p, b := range blocks {
			if offsets.IsKError(b.Err) {
				return nil, false, fmt.Errorf("fetch committed offset of group %s for %s/%d: %w", group, topic, p, b.Err)
			}
			if b.Offset >= 0 {
				commits[offsets.TopicPartition{Topic: topic, Partition: p}] = commit{offset: offsets.Offset(b.Offset), metadata: b.Metadata}
			}
		}
	}
	return commits, true, nil
}

func (c *Client) refreshCoordinators(groups []string) {
	time.Sleep(groupRetryBackoff)
	for _, g := range groups {
		_ = c.client.RefreshCoordinator(g)
	}
}

// retriableGroupErr reports whether a group request may succeed when
// repeated: the coordinator is loading, moved or unavailable.
func retriableGroupErr(err error) bool {
	return errors.Is(err, sarama.ErrOffsetsLoadInProgress) ||
		errors.Is(err, sarama.ErrNotCoordinatorForConsumer) ||
		errors.Is(err, sarama.ErrConsumerCoordinatorNotAvailable)
}
