package broker

import (
	"slices"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// kfake lists only live nodes as a partition's replicas and every one of
// them as in sync. Kafka keeps a partition's replica assignment when a
// node dies (the dead one is listed as offline and leaves the ISR), and
// its ISR shrinks when followers fall behind. The replication model knows
// both, and Metadata and DescribeTopicPartitions answers say so.

// Further API keys whose answers the model rewrites.
const (
	apiMetadata                = 3
	apiDescribeTopicPartitions = 75
)

// isrView is what a metadata answer needs to show the model's ISR.
type isrView struct {
	shrunk  bool
	stopped []int32 // sorted
	rf      map[string]int
}

// setStopped records the nodes that are down.
func (r *replication) setStopped(ids []int32) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stopped = slices.Sorted(slices.Values(ids))
}

// view returns the model's ISR view, and false when kfake's own answer is
// already true (every node up, no ISR shrink).
func (r *replication) view() (isrView, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.shrunk && len(r.stopped) == 0 {
		return isrView{}, false
	}
	v := isrView{shrunk: r.shrunk, stopped: slices.Clone(r.stopped), rf: map[string]int{}}
	for t, c := range r.topics {
		v.rf[t] = c.replicas
	}
	return v, true
}

// partition returns a partition's replicas, ISR and offline replicas as
// Kafka would list them, from kfake's live replicas: the stopped nodes
// fill the assignment up to the topic's replication factor (when known)
// as offline replicas, and a shrunk ISR is the leader alone.
func (v isrView) partition(topic string, leader int32, replicas []int32) (reps, isr, offline []int32) {
	reps = slices.Clone(replicas)
	for _, id := range v.stopped {
		if len(reps) >= v.rf[topic] {
			break
		}
		if !slices.Contains(reps, id) {
			reps = append(reps, id)
			offline = append(offline, id)
		}
	}
	isr = slices.Clone(replicas)
	if v.shrunk && leader >= 0 {
		isr = []int32{leader}
	}
	return reps, isr, offline
}

// fix rewrites one partition's replica lists in place (see partition);
// partitions with an error and topics without a name stay as they are.
func (v isrView) fix(topic *string, errCode int16, leader int32, reps, isr, offline *[]int32) {
	if topic != nil && errCode == 0 {
		*reps, *isr, *offline = v.partition(*topic, leader, *reps)
	}
}

// capMetadata rewrites the replicas, ISR and offline replicas of every
// partition of a Metadata answer.
func (v isrView) capMetadata(resp *kmsg.MetadataResponse) bool {
	for _, t := range resp.Topics {
		for j := range t.Partitions {
			p := &t.Partitions[j]
			v.fix(t.Topic, p.ErrorCode, p.Leader, &p.Replicas, &p.ISR, &p.OfflineReplicas)
		}
	}
	return true
}

// capDescribePartitions is capMetadata for DescribeTopicPartitions.
func (v isrView) capDescribePartitions(resp *kmsg.DescribeTopicPartitionsResponse) bool {
	for _, t := range resp.Topics {
		for j := range t.Partitions {
			p := &t.Partitions[j]
			v.fix(t.Topic, p.ErrorCode, p.LeaderID, &p.Replicas, &p.ISR, &p.OfflineReplicas)
		}
	}
	return true
}
