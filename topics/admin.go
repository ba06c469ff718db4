package topics

import (
	"errors"
	"fmt"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/groups"
	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/kqerr"
)

// ErrTopicNotFound marks a topic the cluster does not know; it is the
// groups package's sentinel, so either package's errors match it.
var ErrTopicNotFound = groups.ErrTopicNotFound

// ErrTopicExists marks a topic that already exists.
var ErrTopicExists = errors.New("topic already exists")

// Admin administers the topics of one cluster. Close it when done.
type Admin struct {
	f       conn.Factory
	offsets *groups.Client
	admin   sarama.ClusterAdmin
}

// Open connects to the cluster of f.
func Open(f conn.Factory) (*Admin, error) {
	g, err := groups.Open(f)
	if err != nil {
		return nil, err
	}
	return &Admin{f: f, offsets: g, admin: g.ClusterAdmin()}, nil
}

// Close closes the connection.
func (a *Admin) Close() error { return a.offsets.Close() }

func topicNotFound(topic string) error {
	return kqerr.WithKind(ErrTopicNotFound, "topic "+topic+" does not exist")
}

// topicError turns a topic-level Kafka error into kq's message.
func (a *Admin) topicError(op, topic string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sarama.ErrUnknownTopicOrPartition):
		return topicNotFound(topic)
	case errors.Is(err, sarama.ErrTopicAlreadyExists):
		return kqerr.WithKind(ErrTopicExists, "topic "+topic+" already exists")
	}
	return fmt.Errorf("%s topic %s: %w", op, topic, a.f.Classify(err))
}

// isKError reports whether err is a Kafka error other than "no error".
func isKError(err error) bool {
	return err != nil && !errors.Is(err, sarama.ErrNoError)
}
