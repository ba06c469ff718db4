package produce

import (
	"math/rand/v2"

	"github.com/IBM/sarama"
)

// Murmur2 is the Java client's hash of record keys (Utils.murmur2 in
// org.apache.kafka.common.utils): 32-bit MurmurHash2 with seed 0x9747b28c.
//
// It is written here because neither sarama nor any library kq already
// uses exports it: sarama's hash partitioner is FNV-1a with a different
// sign handling, and franz-go keeps its murmur2 unexported. Matching Java
// bit for bit is what makes kq put a key on the same partition as Java,
// librdkafka (murmur2_random) and franz-go producers; the tests check it
// against the Java client's own test vectors.
func Murmur2(data []byte) int32 {
	const (
		seed uint32 = 0x9747b28c
		m    uint32 = 0x5bd1e995
		r           = 24
	)
	n := len(data)
	h := seed ^ uint32(n)
	for i := 0; i+4 <= n; i += 4 {
		k := uint32(data[i]) | uint32(data[i+1])<<8 | uint32(data[i+2])<<16 | uint32(data[i+3])<<24
		k *= m
		k ^= k >> r
		k *= m
		h *= m
		h ^= k
	}
	tail := data[n&^3:]
	switch len(tail) {
	case 3:
		h ^= uint32(tail[2]) << 16
		fallthrough
	case 2:
		h ^= uint32(tail[1]) << 8
		fallthrough
	case 1:
		h ^= uint32(tail[0])
		h *= m
	}
	h ^= h >> 13
	h *= m
	h ^= h >> 15
	return int32(h)
}

// Murmur2Partition returns the partition the Java client's default
// partitioner picks for a non-null key among n partitions:
// toPositive(murmur2(key)) % n.
func Murmur2Partition(key []byte, n int32) int32 {
	return (Murmur2(key) & 0x7fffffff) % n
}

// stickyBytes is how much a [NewMurmur2Partitioner] partitioner sends to one
// partition before it moves on, for records without a key (the Java
// client's batch.size default).
const stickyBytes = 16384

// NewMurmur2Partitioner is a sarama.PartitionerConstructor for the Java
// client's default partitioning: keyed records go to
// toPositive(murmur2(key)) % partitions; records without a key stick to a
// random partition until about 16 KB went there, then move to another (the
// Java client's sticky partitioning, approximated by bytes because a sarama
// partitioner does not see batches).
//
// Like every sarama partitioner it is not safe for concurrent use; sarama
// calls it from one goroutine per topic.
func NewMurmur2Partitioner(string) sarama.Partitioner {
	return &murmur2Partitioner{sticky: -1}
}

type murmur2Partitioner struct {
	sticky int32
	sent   int
}

// Partition implements sarama.Partitioner.
func (p *murmur2Partitioner) Partition(msg *sarama.ProducerMessage, n int32) (int32, error) {
	if msg.Key != nil {
		key, err := msg.Key.Encode()
		if err != nil {
			return -1, err
		}
		if key != nil {
			return Murmur2Partition(key, n), nil
		}
	}
	if p.sticky < 0 || p.sticky >= n || p.sent >= stickyBytes {
		p.sticky, p.sent = nextSticky(p.sticky, n), 0
	}
	p.sent += msg.ByteSize(2)
	return p.sticky, nil
}

// RequiresConsistency implements sarama.Partitioner: keys must map to the
// same partition every time.
func (p *murmur2Partitioner) RequiresConsistency() bool { return true }

// nextSticky picks a random partition other than cur (when there is one).
func nextSticky(cur, n int32) int32 {
	if n <= 1 {
		return 0
	}
	if cur < 0 || cur >= n {
		return rand.Int32N(n)
	}
	return (cur + 1 + rand.Int32N(n-1)) % n
}
