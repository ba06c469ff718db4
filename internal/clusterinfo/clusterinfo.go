// Package clusterinfo describes a Kafka cluster: its id, controller,
// brokers and the API versions it supports, as `kq cluster` shows them.
package clusterinfo

import (
	"errors"
	"fmt"
	"sort"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/internal/conn"
)

// Info describes a cluster.
type Info struct {
	// ClusterID is the cluster's id ("" for clusters older than 0.10.1).
	ClusterID string `json:"cluster_id"`
	// Controller is the controller's broker id, -1 if unknown.
	Controller int32 `json:"controller"`
	// Brokers are the live brokers, by id.
	Brokers []Broker `json:"brokers"`
	// APIs are the API versions the bootstrap broker supports.
	APIs []API `json:"apis"`
}

// Broker is one broker of the cluster.
type Broker struct {
	// ID is the broker id.
	ID int32 `json:"id"`
	// Address is the advertised host:port.
	Address string `json:"address"`
	// Rack is the broker's rack, "" when unset.
	Rack string `json:"rack"`
}

// API is one API and the version range a broker supports.
type API struct {
	// Key is the API key.
	Key int16 `json:"key"`
	// Name is the API name, e.g. "Produce".
	Name string `json:"name"`
	// MinVersion is the lowest supported version.
	MinVersion int16 `json:"min_version"`
	// MaxVersion is the highest supported version.
	MaxVersion int16 `json:"max_version"`
}

// Describe connects with f and describes the cluster.
func Describe(f conn.Factory) (Info, error) {
	c, err := f.Client()
	if err != nil {
		return Info{}, err
	}
	defer c.Close()
	b := c.LeastLoadedBroker()
	if b == nil {
		return Info{}, f.Classify(sarama.ErrOutOfBrokers)
	}
	if err := b.Open(c.Config()); err != nil && !errors.Is(err, sarama.ErrAlreadyConnected) {
		return Info{}, f.Classify(err)
	}
	md, err := b.GetMetadata(&sarama.MetadataRequest{Version: 4})
	if err != nil {
		return Info{}, fmt.Errorf("metadata: %w", err)
	}
	info := Info{Controller: md.ControllerID}
	if md.ClusterID != nil {
		info.ClusterID = *md.ClusterID
	}
	for _, br := range md.Brokers {
		info.Brokers = append(info.Brokers, Broker{ID: br.ID(), Address: br.Addr(), Rack: br.Rack()})
	}
	sort.Slice(info.Brokers, func(i, j int) bool { return info.Brokers[i].ID < info.Brokers[j].ID })
	versions, err := b.ApiVersions(&sarama.ApiVersionsRequest{})
	if err != nil {
		return Info{}, fmt.Errorf("api versions: %w", err)
	}
	for _, k := range versions.ApiKeys {
		info.APIs = append(info.APIs, API{Key: k.ApiKey, Name: apiName(k.ApiKey), MinVersion: k.MinVersion, MaxVersion: k.MaxVersion})
	}
	sort.Slice(info.APIs, func(i, j int) bool { return info.APIs[i].Key < info.APIs[j].Key })
	return info, nil
}

func apiName(key int16) string {
	if n := kmsg.NameForKey(key); n != "" {
		return n
	}
	return fmt.Sprintf("Unknown(%d)", key)
}
