package topics

import (
	"errors"
	"fmt"
	"strings"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/groups"
	"github.com/kq-dev/kq/internal/conn"
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

// kindError is an error with its own message that matches a sentinel
// under errors.Is.
type kindError struct {
	msg  string
	kind error
}

func (e kindError) Error() string        { return e.msg }
func (e kindError) Is(target error) bool { return target == e.kind }

// joinErrors joins errs into one error whose message lists them on one
// line, separated by "; "; nil when there are none.
func joinErrors(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return joined(errs)
}

type joined []error

func (j joined) Error() string {
	msgs := make([]string, len(j))
	for i, e := range j {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "; ")
}

func (j joined) Unwrap() []error { return j }

func topicNotFound(topic string) error {
	return kindError{msg: "topic " + topic + " does not exist", kind: ErrTopicNotFound}
}

// topicError turns a topic-level Kafka error into kq's message.
func (a *Admin) topicError(op, topic string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sarama.ErrUnknownTopicOrPartition):
		return topicNotFound(topic)
	case errors.Is(err, sarama.ErrTopicAlreadyExists):
		return kindError{msg: "topic " + topic + " already exists", kind: ErrTopicExists}
	}
	return fmt.Errorf("%s topic %s: %w", op, topic, a.f.Classify(err))
}

// isKError reports whether err is a Kafka error other than "no error".
func isKError(err error) bool {
	return err != nil && !errors.Is(err, sarama.ErrNoError)
}
