package verify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/offsets"
	"github.com/kq-dev/kq/internal/setting"
)

// TopicPrefix starts the name of every topic and group a run creates.
const TopicPrefix = "kq-verify-"

// runIDs are the names of one run's topics, groups and transactional ids.
type runIDs struct {
	input, output    string
	group, copyGroup string
}

func newRunIDs() runIDs {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return runIDsOf(TopicPrefix + hex.EncodeToString(b[:]))
}

// runIDsOf returns the names of the run whose names start with base.
func runIDsOf(base string) runIDs {
	return runIDs{input: base, output: base + "-out", group: base, copyGroup: base + "-copiers"}
}

func (ids runIDs) topics(pipeline bool) []string {
	if pipeline {
		return []string{ids.input, ids.output}
	}
	return []string{ids.input}
}

func (ids runIDs) groups(pipeline bool) []string {
	if pipeline {
		return []string{ids.copyGroup}
	}
	return []string{ids.group}
}

// control is the run's own client and admin, outside the fault injection:
// topic set-up, watermarks, committed offsets.
type control struct {
	client sarama.Client
	admin  sarama.ClusterAdmin
	nodes  []int32
}

func openControl(f conn.Factory) (*control, error) {
	f.Dialer = nil
	c, a, err := f.ClientAdmin(func(c *sarama.Config) { c.Metadata.Retry.Max = 5 })
	if err != nil {
		return nil, err
	}
	ctl := &control{client: c, admin: a}
	for _, b := range c.Brokers() {
		ctl.nodes = append(ctl.nodes, b.ID())
	}
	slices.Sort(ctl.nodes)
	return ctl, nil
}

func (c *control) close() { c.admin.Close() }

// createTopics creates the topics with a replication factor of up to 3
// and the given configs, and waits until every partition has a leader.
func (c *control) createTopics(ctx context.Context, topics []string, partitions int32, configs map[string]string) error {
	rf := int16(min(3, len(c.nodes)))
	entries := map[string]*string{}
	for k, v := range configs {
		entries[k] = &v
	}
	for _, t := range topics {
		err := c.admin.CreateTopic(t, &sarama.TopicDetail{NumPartitions: partitions, ReplicationFactor: rf, ConfigEntries: entries}, false)
		if err != nil && !errors.Is(err, sarama.ErrTopicAlreadyExists) {
			return fmt.Errorf("create topic %s: %w", t, err)
		}
	}
	ok := waitUntil(ctx, time.Minute, func() bool { return c.ready(topics, partitions) })
	if !ok {
		return fmt.Errorf("topics %v did not get leaders for all %d partitions", topics, partitions)
	}
	return ctx.Err()
}

func (c *control) ready(topics []string, partitions int32) bool {
	if err := c.client.RefreshMetadata(topics...); err != nil {
		return false
	}
	for _, t := range topics {
		parts, err := c.client.Partitions(t)
		if err != nil || int32(len(parts)) != partitions {
			return false
		}
		for _, p := range parts {
			if _, err := c.client.Leader(t, p); err != nil {
				return false
			}
		}
	}
	return true
}

// deleteAll deletes topics and groups and returns what failed. Static
// members (instances) of the groups are removed first: they do not leave
// a group when they close, and a group with members cannot be deleted.
func (c *control) deleteAll(topics, groups, instances []string) []error {
	var errs []error
	for _, t := range topics {
		if err := c.admin.DeleteTopic(t); err != nil {
			errs = append(errs, fmt.Errorf("delete topic %s: %w", t, err))
		}
	}
	for _, g := range groups {
		if len(instances) > 0 {
			if _, err := c.admin.RemoveMemberFromConsumerGroup(g, instances); err != nil {
				errs = append(errs, fmt.Errorf("remove the members of group %s: %w", g, err))
			}
		}
		if err := c.admin.DeleteConsumerGroup(g); err != nil && !errors.Is(err, sarama.ErrGroupIDNotFound) {
			errs = append(errs, fmt.Errorf("delete group %s: %w", g, err))
		}
	}
	return errs
}

// lister lists offsets over the control connection.
func (c *control) lister() offsets.Lister { return offsets.Lister{Client: c.client, Admin: c.admin} }

// highWatermarks returns the high watermark of each partition of topic.
func (c *control) highWatermarks(topic string, partitions int) ([]int64, error) {
	tps := make([]offsets.TopicPartition, partitions)
	for p := range tps {
		tps[p] = offsets.TopicPartition{Topic: topic, Partition: int32(p)}
	}
	hw, err := c.lister().List(tps, sarama.OffsetNewest, setting.ReadUncommitted)
	if err != nil {
		return nil, fmt.Errorf("high watermarks of %s: %w", topic, err)
	}
	out := make([]int64, partitions)
	for i, tp := range tps {
		out[i] = int64(hw[tp])
	}
	return out, nil
}

// logStart returns the first offset of topic/partition, retrying with
// fresh metadata for up to timeout: a leader move (or a killed node) makes
// a ListOffsets fail until the client's metadata catches up.
func (c *control) logStart(topic string, p int32, timeout time.Duration) (int64, error) {
	deadline := time.Now().Add(timeout)
	tp := offsets.TopicPartition{Topic: topic, Partition: p}
	for {
		start, err := c.lister().List([]offsets.TopicPartition{tp}, sarama.OffsetOldest, setting.ReadUncommitted)
		if err == nil || time.Now().After(deadline) {
			return int64(start[tp]), err
		}
		_ = c.client.RefreshMetadata(topic)
		time.Sleep(retryBackoff)
	}
}

// committed returns the group's committed offset of each of the
// partitions of topic (-1 for none).
func (c *control) committed(group, topic string, parts []int32) ([]int64, error) {
	resp, err := c.admin.ListConsumerGroupOffsets(group, map[string][]int32{topic: parts})
	if err != nil {
		return nil, fmt.Errorf("committed offsets of %s: %w", group, err)
	}
	out := make([]int64, len(parts))
	for i, p := range parts {
		out[i] = -1
		if b := resp.GetBlock(topic, p); b != nil && b.Err == sarama.ErrNoError {
			out[i] = b.Offset
		}
	}
	return out, nil
}

// partitions returns the partition ids 0 to n-1.
func partitions(n int) []int32 {
	out := make([]int32, n)
	for i := range out {
		out[i] = int32(i)
	}
	return out
}
