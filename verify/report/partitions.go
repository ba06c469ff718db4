package report

import (
	"cmp"
	"slices"
)

type partKey struct {
	topic     string
	partition int32
}

// partState is one partition's totals and its share of the lag.
type partState struct {
	PartitionStats
	lag       int64
	delivered timeline          // delivery times by offset, for Place
	all       map[string]uint64 // every anomaly, by Place
}

// partitions tracks the partitions named by acks, deliveries and commits.
type partitions struct {
	m map[partKey]*partState
	// last is the state of the partition named last, lastKey its key:
	// the acks of a produced batch and the deliveries a consumer records
	// together come one partition at a time, and a map lookup by topic
	// and partition for each of them was a sixth of the Builder's time.
	lastKey partKey
	last    *partState
}

func (p *partitions) get(topic string, partition int32) *partState {
	k := partKey{topic, partition}
	if p.last != nil && k == p.lastKey {
		return p.last
	}
	s, ok := p.m[k]
	if !ok {
		s = &partState{PartitionStats: PartitionStats{Topic: topic, Partition: partition, Committed: -1}}
		p.m[k] = s
	}
	p.lastKey, p.last = k, s
	return s
}

// ack records an acknowledgement at offset and returns the change of lag.
func (p *partitions) ack(topic string, partition int32, offset int64) int64 {
	s := p.get(topic, partition)
	s.Acks++
	s.End = max(s.End, offset+1)
	return s.relag()
}

// deliver records a delivery of offset and returns the change of lag.
func (p *partitions) deliver(topic string, partition int32, offset int64) int64 {
	s := p.get(topic, partition)
	s.Deliveries++
	s.Position = max(s.Position, offset+1)
	return s.relag()
}

// commit records a committed offset and returns the change of lag.
func (p *partitions) commit(topic string, partition int32, offset int64) int64 {
	s := p.get(topic, partition)
	s.Committed = max(s.Committed, offset)
	return s.relag()
}

// relag recomputes the partition's lag and returns its change. A partition
// nothing was acknowledged in (an output topic read by a validator) has no
// lag.
func (s *partState) relag() int64 {
	lag := int64(0)
	if s.End > 0 {
		lag = max(s.End-max(s.Position, s.Committed), 0)
	}
	d := lag - s.lag
	s.lag = lag
	return d
}

// list returns the partitions by topic, then partition.
func (p *partitions) list() []PartitionStats {
	out := make([]PartitionStats, 0, len(p.m))
	for _, s := range p.m {
		ps := s.PartitionStats
		if s.all != nil {
			ps.Anomalies = s.all
		}
		out = append(out, ps)
	}
	slices.SortFunc(out, func(x, y PartitionStats) int {
		return cmp.Or(cmp.Compare(x.Topic, y.Topic), cmp.Compare(x.Partition, y.Partition))
	})
	return out
}
