package groups

import (
	"errors"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/kqerr"
)

// ErrGroupNotFound marks a consumer group the cluster does not know.
var ErrGroupNotFound = errors.New("group does not exist")

// ErrTopicNotFound marks a topic the cluster does not know.
var ErrTopicNotFound = errors.New("topic does not exist")

// ErrActiveMembers marks a refusal to change a group that has live members.
var ErrActiveMembers = errors.New("group has active members")

// Client runs group and offset operations over one cluster connection. It
// is safe for concurrent use; Close it when done.
type Client struct {
	f      conn.Factory
	client sarama.Client
	admin  sarama.ClusterAdmin
}

// Open connects to the cluster of f.
func Open(f conn.Factory) (*Client, error) {
	c, err := f.Client()
	if err != nil {
		return nil, err
	}
	a, err := sarama.NewClusterAdminFromClient(c)
	if err != nil {
		c.Close()
		return nil, f.Classify(err)
	}
	return &Client{f: f, client: c, admin: a}, nil
}

// Close closes the connection.
func (c *Client) Close() error {
	return c.admin.Close()
}

// groupNotFound returns the error for an unknown group.
func groupNotFound(group string) error {
	return kqerr.WithKind(ErrGroupNotFound, "group "+group+" does not exist")
}

// topicNotFound returns the error for an unknown topic.
func topicNotFound(topic string) error {
	return kqerr.WithKind(ErrTopicNotFound, "topic "+topic+" does not exist")
}

// isKError reports whether err is a Kafka error other than "no error"
// (sarama reports success as ErrNoError rather than nil in some
// responses).
func isKError(err error) bool {
	return err != nil && !errors.Is(err, sarama.ErrNoError)
}

// ClusterAdmin returns the cluster admin c runs on, for packages that
// build on the same connection (topic administration). It belongs to c:
// do not close it.
func (c *Client) ClusterAdmin() sarama.ClusterAdmin { return c.admin }
