package topics

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/offsets"
)

// Description is one topic in detail.
type Description struct {
	// Name is the topic name.
	Name string `json:"name"`
	// ID is the topic id (base64), "" from brokers without topic ids.
	ID string `json:"id"`
	// Internal is set for Kafka's internal topics.
	Internal bool `json:"internal"`
	// ReplicationFactor is the replica count of partition 0.
	ReplicationFactor int `json:"replication_factor"`
	// Partitions are the partitions in order.
	Partitions []Partition `json:"partitions"`
	// Configs are the topic's configs that differ from the defaults, by
	// name.
	Configs []Config `json:"configs"`
}

// Partition is one partition of a topic.
type Partition struct {
	// ID is the partition number.
	ID int32 `json:"partition"`
	// Leader is the leader's broker id, -1 when there is none.
	Leader int32 `json:"leader"`
	// Replicas are the brokers holding replicas, preferred leader first.
	Replicas []int32 `json:"replicas"`
	// ISR are the in-sync replicas.
	ISR []int32 `json:"isr"`
	// Offline are the replicas that are offline.
	Offline []int32 `json:"offline_replicas"`
	// Watermarks are the log start, log end and last stable offsets;
	// unknown (null) when the partition has no leader.
	offsets.Watermarks
	// Error is the broker's error for the partition ("" when none), for
	// example a missing leader.
	Error string `json:"error,omitempty"`
}

// Config is one topic config.
type Config struct {
	// Name is the config key.
	Name string `json:"name"`
	// Value is its value; "" for sensitive configs.
	Value string `json:"value"`
	// Source says where the value comes from: Topic, DynamicBroker,
	// StaticBroker, ...
	Source string `json:"source"`
	// Sensitive is set when the broker hides the value.
	Sensitive bool `json:"sensitive"`
	// ReadOnly is set for configs that cannot be altered.
	ReadOnly bool `json:"read_only"`
}

// Describe describes a topic: partitions with leader, replicas, ISR and
// watermarks, and the configs that differ from the defaults.
func (a *Admin) Describe(topic string) (Description, error) {
	md, err := a.admin.DescribeTopics([]string{topic})
	if err != nil {
		return Description{}, fmt.Errorf("describe topic %s: %w", topic, a.f.Classify(err))
	}
	if len(md) != 1 || md[0].Name != topic {
		return Description{}, offsets.TopicNotFound(topic)
	}
	t := md[0]
	if offsets.IsKError(t.Err) {
		return Description{}, a.topicError("describe", topic, t.Err)
	}
	d := Description{Name: topic, Internal: t.IsInternal, Partitions: partitions(t)}
	if t.Uuid != (sarama.Uuid{}) {
		d.ID = t.Uuid.String()
	}
	if len(d.Partitions) > 0 {
		d.ReplicationFactor = len(d.Partitions[0].Replicas)
	}
	if err := a.addWatermarks(topic, d.Partitions); err != nil {
		return Description{}, err
	}
	if d.Configs, err = a.nonDefaultConfigs(topic); err != nil {
		return Description{}, err
	}
	return d, nil
}

func partitions(t *sarama.TopicMetadata) []Partition {
	out := make([]Partition, 0, len(t.Partitions))
	for _, p := range t.Partitions {
		part := Partition{ID: p.ID, Leader: p.Leader, Replicas: ids(p.Replicas), ISR: ids(p.Isr), Offline: ids(p.OfflineReplicas)}
		if offsets.IsKError(p.Err) {
			part.Error = p.Err.Error()
		}
		out = append(out, part)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// ids returns a copy, never nil, so JSON shows [].
func ids(in []int32) []int32 {
	return append([]int32{}, in...)
}

// addWatermarks fills the partitions' watermarks; partitions without a
// leader keep unknown ones.
func (a *Admin) addWatermarks(topic string, ps []Partition) error {
	var tps []offsets.TopicPartition
	for i := range ps {
		ps[i].Watermarks = offsets.UnknownWatermarks()
		if ps[i].Leader >= 0 {
			tps = append(tps, offsets.TopicPartition{Topic: topic, Partition: ps[i].ID})
		}
	}
	wms, err := a.offsets.Watermarks(tps)
	if err != nil {
		return err
	}
	for i := range ps {
		if w, ok := wms[offsets.TopicPartition{Topic: topic, Partition: ps[i].ID}]; ok {
			ps[i].Watermarks = w
		}
	}
	return nil
}

// nonDefaultConfigs returns the topic's configs whose source is not the
// built-in default.
func (a *Admin) nonDefaultConfigs(topic string) ([]Config, error) {
	entries, err := a.describeConfig(topic)
	if err != nil {
		return nil, a.topicError("describe configs of", topic, err)
	}
	out := []Config{}
	for _, e := range entries {
		if e.Default || e.Source == sarama.SourceDefault {
			continue
		}
		c := Config{Name: e.Name, Value: e.Value, Source: e.Source.String(), Sensitive: e.Sensitive, ReadOnly: e.ReadOnly}
		if e.Sensitive {
			c.Value = ""
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(x, y Config) int { return strings.Compare(x.Name, y.Name) })
	return out, nil
}

// describeConfig returns the config entries of a topic, defaults included;
// a per-resource error is a *sarama.DescribeConfigError.
func (a *Admin) describeConfig(topic string) ([]sarama.ConfigEntry, error) {
	results, err := a.admin.DescribeConfigs([]*sarama.ConfigResource{{Type: sarama.TopicResource, Name: topic}}, sarama.DescribeConfigsOptions{})
	if err != nil {
		return nil, err
	}
	var entries []sarama.ConfigEntry
	for _, r := range results {
		if r.Name != topic {
			continue
		}
		if r.ErrorCode != sarama.ErrNoError {
			return nil, &sarama.DescribeConfigError{Err: r.ErrorCode, ErrMsg: r.ErrorMsg}
		}
		entries = append(entries, r.Configs...)
	}
	return entries, nil
}
