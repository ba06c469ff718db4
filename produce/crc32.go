package produce

import (
	"hash/crc32"
	"math/rand/v2"

	"github.com/IBM/sarama"
)

// CRC32Partition returns the partition librdkafka's consistent
// partitioners pick for key among n partitions: CRC-32 (IEEE, as zlib) of
// the key modulo n, computed unsigned.
func CRC32Partition(key []byte, n int32) int32 {
	return int32(crc32.ChecksumIEEE(key) % uint32(n))
}

// NewCRC32Partitioner is a sarama.PartitionerConstructor for librdkafka's
// "consistent" partitioner: every record, null key included, goes to
// [CRC32Partition] of its key (a null or empty key to partition 0).
func NewCRC32Partitioner(string) sarama.Partitioner { return crc32Partitioner{} }

// NewConsistentRandomPartitioner is a sarama.PartitionerConstructor for
// librdkafka's default, "consistent_random" (kcat's and confluent-kafka's
// default): [CRC32Partition] of the key, a random partition for a null or
// empty key.
func NewConsistentRandomPartitioner(string) sarama.Partitioner {
	return crc32Partitioner{randomEmpty: true}
}

type crc32Partitioner struct{ randomEmpty bool }

// Partition implements sarama.Partitioner.
func (p crc32Partitioner) Partition(msg *sarama.ProducerMessage, n int32) (int32, error) {
	var key []byte
	if msg.Key != nil {
		var err error
		if key, err = msg.Key.Encode(); err != nil {
			return -1, err
		}
	}
	if len(key) == 0 && p.randomEmpty {
		return rand.Int32N(n), nil
	}
	return CRC32Partition(key, n), nil
}

// RequiresConsistency implements sarama.Partitioner: keys must map to the
// same partition every time.
func (p crc32Partitioner) RequiresConsistency() bool { return true }
