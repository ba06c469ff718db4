package groups

import (
	"errors"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/offsets"
)

// ErrGroupNotFound marks a consumer group the cluster does not know.
var ErrGroupNotFound = errors.New("group does not exist")

// ErrActiveMembers marks a refusal to change a group that has live members.
var ErrActiveMembers = errors.New("group has active members")

// Client runs group and offset operations over one cluster connection. It
// is safe for concurrent use; Close it when done.
type Client struct {
	f       conn.Factory
	client  sarama.Client
	admin   sarama.ClusterAdmin
	offsets offsets.Lister
}

// Open connects to the cluster of f.
func Open(f conn.Factory) (*Client, error) {
	c, a, err := f.ClientAdmin()
	if err != nil {
		return nil, err
	}
	return &Client{f: f, client: c, admin: a, offsets: offsets.Lister{Client: c, Admin: a, Classify: f.Classify}}, nil
}

// Close closes the connection.
func (c *Client) Close() error {
	return c.admin.Close()
}

// groupNotFound returns the error for an unknown group.
func groupNotFound(group string) error {
	return kqerr.WithKind(ErrGroupNotFound, "group "+group+" does not exist")
}

// ClusterAdmin returns the cluster admin c runs on, for packages that
// build on the same connection (topic administration). It belongs to c:
// do not close it.
func (c *Client) ClusterAdmin() sarama.ClusterAdmin { return c.admin }
