package topics

import (
	"fmt"
	"slices"
	"sort"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/offsets"
)

// Summary is one line of the topic list.
type Summary struct {
	// Name is the topic name.
	Name string `json:"name"`
	// Partitions counts the partitions.
	Partitions int `json:"partitions"`
	// ReplicationFactor is the replica count of partition 0.
	ReplicationFactor int `json:"replication_factor"`
	// Internal is set for Kafka's internal topics (__consumer_offsets,
	// __transaction_state).
	Internal bool `json:"internal"`
}

// ListOptions tune [Admin.List].
type ListOptions struct {
	// Internal also lists internal topics.
	Internal bool
}

// List lists the topics by name.
func (a *Admin) List(opts ListOptions) ([]Summary, error) {
	md, err := a.admin.DescribeTopics(nil)
	if err != nil {
		return nil, fmt.Errorf("list topics: %w", a.f.Classify(err))
	}
	out := []Summary{}
	for _, t := range md {
		if offsets.IsKError(t.Err) || (t.IsInternal && !opts.Internal) {
			continue
		}
		s := Summary{Name: t.Name, Partitions: len(t.Partitions), Internal: t.IsInternal}
		if i := slices.IndexFunc(t.Partitions, func(p *sarama.PartitionMetadata) bool { return p.ID == 0 }); i >= 0 {
			s.ReplicationFactor = len(t.Partitions[i].Replicas)
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
