package produce

import (
	"errors"
	"fmt"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/offsets"
)

// topicNotFound names the missing topic and matches
// offsets.ErrTopicNotFound.
type topicNotFound struct{ topic string }

// Error names the topic and the way out.
func (e *topicNotFound) Error() string { return e.Render(func(s string) string { return s }) }

// Render names the way out, the topic creation setting, as spell spells
// it (kqerr.SettingRenderer).
func (e *topicNotFound) Render(spell func(setting string) string) string {
	return fmt.Sprintf("topic %q does not exist (use %s)", e.topic, spell("topic creation"))
}

// Is makes the error match offsets.ErrTopicNotFound.
func (e *topicNotFound) Is(target error) bool { return target == offsets.ErrTopicNotFound }

// topicPartitions returns the partition count of topic, creating the topic
// (with o's partitions and replication, or the broker's defaults) when
// o.Create is set and it does not exist. It never relies on
// auto-creation.
func topicPartitions(client sarama.Client, topic string, o Options) (int32, error) {
	exists, err := topicExists(client, topic)
	if err != nil {
		return 0, err
	}
	if exists {
		return partitionCount(client, topic)
	}
	if !o.Create {
		return 0, &topicNotFound{topic: topic}
	}
	if err := createTopic(client, topic, o.CreatePartitions, o.CreateReplication); err != nil {
		return 0, err
	}
	return waitPartitions(client, topic)
}

// topicExists asks one broker for the topic's metadata. Unlike the
// client's refresh, which retries an unknown topic with pauses in between,
// it answers at once.
func topicExists(client sarama.Client, topic string) (bool, error) {
	b := client.LeastLoadedBroker()
	if b == nil {
		return false, fmt.Errorf("read metadata of topic %q: %w", topic, sarama.ErrOutOfBrokers)
	}
	if err := b.Open(client.Config()); err != nil && !errors.Is(err, sarama.ErrAlreadyConnected) {
		return false, fmt.Errorf("read metadata of topic %q: %w", topic, err)
	}
	req := sarama.NewMetadataRequest(client.Config().Version, []string{topic})
	req.AllowAutoTopicCreation = false // (metadata v4+; older brokers decide)
	resp, err := b.GetMetadata(req)
	if err != nil {
		return false, fmt.Errorf("read metadata of topic %q: %w", topic, err)
	}
	for _, t := range resp.Topics {
		if t.Name == topic {
			if t.Err == sarama.ErrUnknownTopicOrPartition {
				return false, nil
			}
			return t.Err == sarama.ErrNoError, topicError(topic, t.Err)
		}
	}
	return false, nil
}

// topicError describes a topic error from metadata (nil for none).
func topicError(topic string, kerr sarama.KError) error {
	if kerr == sarama.ErrNoError {
		return nil
	}
	return fmt.Errorf("topic %q: %w", topic, kerr)
}

// partitionCount reads the topic's partition count from fresh metadata.
func partitionCount(client sarama.Client, topic string) (int32, error) {
	if err := client.RefreshMetadata(topic); err != nil {
		if errors.Is(err, sarama.ErrUnknownTopicOrPartition) {
			return 0, err
		}
		return 0, fmt.Errorf("read metadata of topic %q: %w", topic, err)
	}
	parts, err := client.Partitions(topic)
	if err != nil {
		return 0, err
	}
	if len(parts) == 0 {
		return 0, sarama.ErrUnknownTopicOrPartition
	}
	return int32(len(parts)), nil
}

// createTopic creates topic with partitions and replicas, or the broker's
// defaults for 0 (CreateTopics v4+: -1); an existing topic is fine.
func createTopic(client sarama.Client, topic string, partitions int32, replicas int16) error {
	admin, err := sarama.NewClusterAdminFromClient(client)
	if err != nil {
		return fmt.Errorf("create topic %q: %w", topic, err)
	}
	// Closing the admin would close the shared client: it is left to the
	// garbage collector, as it holds no goroutine or connection of its own.
	d := &sarama.TopicDetail{NumPartitions: -1, ReplicationFactor: -1}
	if partitions > 0 {
		d.NumPartitions = partitions
	}
	if replicas > 0 {
		d.ReplicationFactor = replicas
	}
	err = admin.CreateTopic(topic, d, false)
	if err != nil && !errors.Is(err, sarama.ErrTopicAlreadyExists) {
		return fmt.Errorf("create topic %q: %w", topic, err)
	}
	return nil
}

// waitPartitions polls metadata until a new topic shows partitions, for
// as long as one metadata request may take.
func waitPartitions(client sarama.Client, topic string) (int32, error) {
	deadline := time.Now().Add(max(client.Config().Metadata.Timeout, 2*time.Second))
	for {
		n, err := partitionCount(client, topic)
		if err == nil || !errors.Is(err, sarama.ErrUnknownTopicOrPartition) || time.Now().After(deadline) {
			if err != nil {
				return 0, fmt.Errorf("topic %q was created but has no partitions yet: %w", topic, err)
			}
			return n, nil
		}
		time.Sleep(50 * time.Millisecond)
	}
}
