package topics

import (
	"errors"
	"fmt"
	"strings"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/offsets"
)

// CreateOptions describe a new topic.
type CreateOptions struct {
	// Partitions is the partition count; 0 or less means the broker's
	// default.
	Partitions int32
	// ReplicationFactor is the replica count; 0 or less means the broker's
	// default.
	ReplicationFactor int16
	// Configs are topic configs to set, e.g. retention.ms.
	Configs map[string]string
}

// Create creates a topic. An existing topic is an error matching
// ErrTopicExists.
func (a *Admin) Create(topic string, opts CreateOptions) error {
	d := &sarama.TopicDetail{NumPartitions: -1, ReplicationFactor: -1, ConfigEntries: map[string]*string{}}
	if opts.Partitions > 0 {
		d.NumPartitions = opts.Partitions
	}
	if opts.ReplicationFactor > 0 {
		d.ReplicationFactor = opts.ReplicationFactor
	}
	for k, v := range opts.Configs {
		d.ConfigEntries[k] = &v
	}
	return a.topicError("create", topic, a.admin.CreateTopic(topic, d, false))
}

// DeleteResult is the outcome of deleting one topic.
type DeleteResult struct {
	// Topic is the topic name.
	Topic string `json:"topic"`
	// Deleted is set when the topic is gone.
	Deleted bool `json:"deleted"`
	// Error says why it was not deleted.
	Error string `json:"error,omitempty"`
	// Missing is set, with --if-exists, for a topic that did not exist.
	Missing bool `json:"missing,omitempty"`
}

// Delete deletes topics. Every topic is tried; the error joins the
// failures (ErrTopicNotFound for unknown topics).
func (a *Admin) Delete(topics []string) ([]DeleteResult, error) {
	return a.DeleteTopics(topics, false)
}

// DeleteTopics deletes topics as [Admin.Delete] does; with ifExists a
// topic that does not exist is marked Missing and is no failure.
func (a *Admin) DeleteTopics(topics []string, ifExists bool) ([]DeleteResult, error) {
	out := make([]DeleteResult, 0, len(topics))
	var errs []error
	for _, t := range topics {
		err := a.topicError("delete", t, a.admin.DeleteTopic(t))
		r := DeleteResult{Topic: t, Deleted: err == nil}
		switch {
		case err == nil:
		case ifExists && errors.Is(err, offsets.ErrTopicNotFound):
			r.Missing = true
		default:
			r.Error = err.Error()
			errs = append(errs, err)
		}
		out = append(out, r)
	}
	return out, kqerr.Join(errs)
}

// PartitionChange is the outcome of adding partitions.
type PartitionChange struct {
	// Topic is the topic name.
	Topic string `json:"topic"`
	// Before is the partition count before.
	Before int32 `json:"partitions_before"`
	// After is the partition count after.
	After int32 `json:"partitions_after"`
}

// AddPartitions adds n partitions to topic. Kafka never removes
// partitions, and keyed records may map to other partitions afterwards.
func (a *Admin) AddPartitions(topic string, n int32) (PartitionChange, error) {
	if n < 1 {
		return PartitionChange{}, kqerr.Usagef("the number of partitions to add must be at least 1, got %d", n)
	}
	before, err := a.partitionCount(topic)
	if err != nil {
		return PartitionChange{}, err
	}
	ch := PartitionChange{Topic: topic, Before: before}
	ch.After = ch.Before + n
	if err := a.admin.CreatePartitions(topic, ch.After, nil, false); err != nil {
		return PartitionChange{}, a.topicError("add partitions to", topic, err)
	}
	return ch, nil
}

// AlterConfig sets and deletes (back to the default) configs of a topic,
// leaving the others as they are (IncrementalAlterConfigs).
func (a *Admin) AlterConfig(topic string, set map[string]string, del []string) error {
	entries := map[string]sarama.IncrementalAlterConfigsEntry{}
	for k, v := range set {
		entries[k] = sarama.IncrementalAlterConfigsEntry{Operation: sarama.IncrementalAlterConfigsOperationSet, Value: &v}
	}
	for _, k := range del {
		if _, dup := set[k]; dup {
			return kqerr.Usagef("config %s is both set and deleted", k)
		}
		entries[k] = sarama.IncrementalAlterConfigsEntry{Operation: sarama.IncrementalAlterConfigsOperationDelete}
	}
	if len(entries) == 0 {
		return kqerr.Settingf("no config to change: give KEY=VALUE arguments or {delete} KEY")
	}
	if _, err := a.partitionCount(topic); err != nil {
		return err
	}
	err := a.admin.IncrementalAlterConfig(sarama.TopicResource, topic, entries, false)
	return a.topicError("alter config of", topic, err)
}

// ParseConfigs parses KEY=VALUE assignments. A missing "=" or key, or a
// key given twice, is a usage error.
func ParseConfigs(kvs []string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, kqerr.Usagef("bad config %q: want KEY=VALUE", kv)
		}
		if _, dup := out[k]; dup {
			return nil, kqerr.Usagef("config %s given twice", k)
		}
		out[k] = v
	}
	return out, nil
}

// partitionCount returns the partition count of topic, or an error
// matching ErrTopicNotFound.
func (a *Admin) partitionCount(topic string) (int32, error) {
	md, err := a.admin.DescribeTopics([]string{topic})
	if err != nil {
		return 0, fmt.Errorf("describe topic %s: %w", topic, a.f.Classify(err))
	}
	if len(md) != 1 || md[0].Name != topic {
		return 0, offsets.TopicNotFound(topic)
	}
	if offsets.IsKError(md[0].Err) {
		return 0, a.topicError("describe", topic, md[0].Err)
	}
	return int32(len(md[0].Partitions)), nil
}
