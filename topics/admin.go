package topics

import (
	"errors"
	"fmt"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/offsets"
)

// ErrTopicExists marks a topic that already exists.
var ErrTopicExists = errors.New("topic already exists")

// Admin administers the topics of one cluster. Close it when done.
type Admin struct {
	f       conn.Factory
	admin   sarama.ClusterAdmin
	offsets offsets.Lister
}

// Open connects to the cluster of f.
func Open(f conn.Factory) (*Admin, error) {
	c, a, err := f.ClientAdmin()
	if err != nil {
		return nil, err
	}
	return &Admin{f: f, admin: a, offsets: offsets.Lister{Client: c, Admin: a, Classify: f.Classify}}, nil
}

// Close closes the connection.
func (a *Admin) Close() error { return a.admin.Close() }

// topicError turns a topic-level Kafka error into kq's message.
func (a *Admin) topicError(op, topic string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sarama.ErrUnknownTopicOrPartition):
		return offsets.TopicNotFound(topic)
	case errors.Is(err, sarama.ErrTopicAlreadyExists):
		return kqerr.WithKind(ErrTopicExists, "topic "+topic+" already exists")
	}
	return fmt.Errorf("%s topic %s: %w", op, topic, a.f.Classify(err))
}
