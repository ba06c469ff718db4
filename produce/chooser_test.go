package produce

import (
	"testing"

	"github.com/IBM/sarama"
)

// TestChooserPicksWithoutAllocating: a keyed or unkeyed record goes
// through a sarama partitioner without an allocation per record, and the
// key reaches the partitioner (hash picks as sarama's own does).
func TestChooserPicksWithoutAllocating(t *testing.T) {
	key := []byte("user-42")
	want, err := sarama.NewHashPartitioner("t").Partition(&sarama.ProducerMessage{Key: sarama.ByteEncoder(key)}, 12)
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []Partitioner{PartitionHash, PartitionRoundRobin, PartitionRandom, PartitionCRC32, PartitionConsistentRandom} {
		c := newChooser(kind, "t", 12, true)
		for _, r := range []*Record{{Key: key, Value: []byte("v"), Partition: AnyPartition}, {Value: []byte("v"), Partition: AnyPartition}} {
			if n := testing.AllocsPerRun(100, func() {
				if _, err := c.pick(r); err != nil {
					t.Fatal(err)
				}
			}); n != 0 {
				t.Errorf("%s, key %q: %.0f allocations per record", kind, r.Key, n)
			}
		}
		if kind != PartitionHash {
			continue
		}
		if got, err := c.pick(&Record{Key: key, Partition: AnyPartition}); err != nil || got != want {
			t.Errorf("hash picked %d (%v), want sarama's %d", got, err, want)
		}
	}
}
