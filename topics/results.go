package topics

// CreateResult is the outcome of creating a topic, as `kq topics create -o
// json` prints it.
type CreateResult struct {
	// Topic is the topic name.
	Topic string `json:"topic"`
	// Created is false when the topic existed already (--if-not-exists).
	Created bool `json:"created"`
	// Partitions and ReplicationFactor are what was asked for (absent: the
	// broker's defaults).
	Partitions int32 `json:"partitions,omitempty"`
	// ReplicationFactor is the replica count asked for.
	ReplicationFactor int16 `json:"replication_factor,omitempty"`
	// Configs are the configs set at creation.
	Configs map[string]string `json:"configs,omitempty"`
}

// AlterResult is the outcome of altering a topic's configs, as `kq topics
// alter-config -o json` prints it.
type AlterResult struct {
	// Topic is the topic name.
	Topic string `json:"topic"`
	// Set are the configs set.
	Set map[string]string `json:"set"`
	// Deleted are the configs reset to their defaults.
	Deleted []string `json:"deleted"`
}
