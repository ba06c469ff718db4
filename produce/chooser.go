package produce

import (
	"fmt"

	"github.com/IBM/sarama"
)

// chooser picks the partition of each record: the record's own, murmur2 of
// the key, the accumulator's sticky partition (murmur2, no key, batch
// path), or the sarama partitioner of the setting.
type chooser struct {
	kind        Partitioner
	n           int32
	p           sarama.Partitioner
	msg         sarama.ProducerMessage // reused for sarama partitioners
	key         keyEncoder             // msg's key, reused
	batchSticky bool
}

// keyEncoder hands a record's key to a sarama partitioner without boxing
// a new sarama.ByteEncoder per record (an allocation each).
type keyEncoder struct{ b []byte }

// Encode returns the key.
func (k *keyEncoder) Encode() ([]byte, error) { return k.b, nil }

// Length returns the key's length.
func (k *keyEncoder) Length() int { return len(k.b) }

func newChooser(kind Partitioner, topic string, n int32, batchSticky bool) *chooser {
	return &chooser{kind: kind, n: n, p: kind.Constructor()(topic), batchSticky: batchSticky}
}

// pick returns r's partition, or stickyPartition.
func (c *chooser) pick(r *Record) (int32, error) {
	if r.Partition != AnyPartition {
		if r.Partition < 0 || r.Partition >= c.n {
			return 0, &InputError{Pos: r.Pos, Err: fmt.Errorf("partition %d does not exist: the topic has %d", r.Partition, c.n)}
		}
		return r.Partition, nil
	}
	if c.kind == PartitionMurmur2 {
		if r.Key != nil {
			return Murmur2Partition(r.Key, c.n), nil
		}
		if c.batchSticky {
			return stickyPartition, nil
		}
	}
	// The partitioners read the key alone (hash, crc32,
	// consistent_random) or nothing (random, roundrobin).
	c.msg.Key = nil
	if r.Key != nil {
		c.key.b = r.Key
		c.msg.Key = &c.key
	}
	p, err := c.p.Partition(&c.msg, c.n)
	c.key.b = nil // the record's bytes are not kept
	if err != nil {
		return 0, fmt.Errorf("partitioner: %w", err)
	}
	return p, nil
}
