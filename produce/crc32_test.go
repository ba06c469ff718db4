package produce

import (
	"testing"

	"github.com/IBM/sarama"
)

// TestCRC32Partition checks against CRC-32's published check value:
// crc32("123456789") = 0xCBF43926 (3421780262), so among 7 partitions
// librdkafka's consistent partitioner picks 3421780262 % 7 = 5 — computed
// unsigned, where a signed modulo would differ.
func TestCRC32Partition(t *testing.T) {
	if got := CRC32Partition([]byte("123456789"), 7); got != 5 {
		t.Errorf("CRC32Partition(123456789, 7) = %d, want 5", got)
	}
	if got := CRC32Partition([]byte("123456789"), 1000); got != 262 {
		t.Errorf("CRC32Partition(123456789, 1000) = %d, want 262", got)
	}
	if got := CRC32Partition(nil, 5); got != 0 {
		t.Errorf("CRC32Partition(nil) = %d, want 0 (crc of no bytes)", got)
	}
}

func TestConsistentPartitioners(t *testing.T) {
	keyed := &sarama.ProducerMessage{Key: sarama.StringEncoder("123456789")}
	for _, p := range []sarama.Partitioner{NewCRC32Partitioner("t"), NewConsistentRandomPartitioner("t")} {
		if got, err := p.Partition(keyed, 7); err != nil || got != 5 {
			t.Errorf("%T keyed: %d, %v; want 5", p, got, err)
		}
		if !p.RequiresConsistency() {
			t.Errorf("%T does not require consistency", p)
		}
	}
	null := &sarama.ProducerMessage{}
	if got, _ := NewCRC32Partitioner("t").Partition(null, 7); got != 0 {
		t.Errorf("crc32 null key: partition %d, want 0", got)
	}
	seen := map[int32]bool{}
	cr := NewConsistentRandomPartitioner("t")
	for i := 0; i < 200 && len(seen) < 2; i++ {
		p, _ := cr.Partition(null, 7)
		seen[p] = true
	}
	if len(seen) < 2 {
		t.Errorf("consistent_random put 200 null-key records on one partition: %v", seen)
	}
}
