package produce

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kgo"
)

// javaMurmur2 are the Java client's own vectors, from
// org.apache.kafka.common.utils.UtilsTest.testMurmur2.
var javaMurmur2 = map[string]int32{
	"21":                         -973932308,
	"foobar":                     -790332482,
	"a-little-bit-long-string":   -985981536,
	"a-little-bit-longer-string": -1486304829,
	"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971,
	"abc": 479470107,
}

func TestMurmur2JavaVectors(t *testing.T) {
	for key, want := range javaMurmur2 {
		if got := Murmur2([]byte(key)); got != want {
			t.Errorf("Murmur2(%q) = %d, want %d (Java)", key, got, want)
		}
	}
}

func TestMurmur2PartitionJavaResults(t *testing.T) {
	// toPositive(h) % n with the Java hashes above: the partitions the
	// Java client's default partitioner picks.
	cases := []struct {
		key  string
		n    int32
		want int32
	}{
		{"21", 3, 0},      // 1173551340 % 3
		{"foobar", 3, 0},  // 1357151166 % 3
		{"foobar", 7, 0},  // 1357151166 % 7
		{"abc", 10, 7},    // 479470107 % 10
		{"abc", 1, 0},     // one partition
		{"21", 100, 40},   // 1173551340 % 100
		{"foobar", 12, 6}, // 1357151166 % 12
	}
	for _, c := range cases {
		if got := Murmur2Partition([]byte(c.key), c.n); got != c.want {
			t.Errorf("Murmur2Partition(%q, %d) = %d, want %d", c.key, c.n, got, c.want)
		}
	}
}

// TestMurmur2MatchesFranzGo compares with franz-go's Kafka-compatible
// partitioner, an independent implementation, on random keys of every
// tail length.
func TestMurmur2MatchesFranzGo(t *testing.T) {
	kp := kgo.StickyKeyPartitioner(nil).ForTopic("t")
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		key := make([]byte, i%67)
		for j := range key {
			key[j] = byte(rng.UintN(256))
		}
		n := 1 + int(rng.UintN(64))
		want := kp.Partition(&kgo.Record{Key: key}, n)
		if got := Murmur2Partition(key, int32(n)); int(got) != want {
			t.Fatalf("key %x, %d partitions: got %d, franz-go %d", key, n, got, want)
		}
	}
}

func TestMurmur2PartitionerKeyed(t *testing.T) {
	p := NewMurmur2Partitioner("t")
	if !p.RequiresConsistency() {
		t.Error("RequiresConsistency = false")
	}
	for key := range javaMurmur2 {
		got, err := p.Partition(&sarama.ProducerMessage{Key: sarama.StringEncoder(key)}, 5)
		if err != nil {
			t.Fatal(err)
		}
		if want := Murmur2Partition([]byte(key), 5); got != want {
			t.Errorf("partition of %q = %d, want %d", key, got, want)
		}
	}
}

func TestMurmur2PartitionerStickyForNullKeys(t *testing.T) {
	p := NewMurmur2Partitioner("t")
	value := sarama.ByteEncoder(make([]byte, 1000))
	var parts []int32
	for range 100 {
		got, err := p.Partition(&sarama.ProducerMessage{Value: value}, 4)
		if err != nil {
			t.Fatal(err)
		}
		if got < 0 || got >= 4 {
			t.Fatalf("partition %d out of range", got)
		}
		parts = append(parts, got)
	}
	switches := 0
	for i := 1; i < len(parts); i++ {
		if parts[i] != parts[i-1] {
			switches++
		}
	}
	// 100 KB in ~16 KB runs: about 6 switches, never one per record.
	if switches < 3 || switches > 10 {
		t.Errorf("%d partition switches over 100 records of 1 KB: %v", switches, parts)
	}
}

func TestNextSticky(t *testing.T) {
	for cur := int32(-1); cur < 5; cur++ {
		for range 50 {
			got := nextSticky(cur, 5)
			if got < 0 || got >= 5 || got == cur {
				t.Fatalf("nextSticky(%d, 5) = %d", cur, got)
			}
		}
	}
	if got := nextSticky(0, 1); got != 0 {
		t.Errorf("nextSticky with one partition = %d", got)
	}
}

func ExampleMurmur2Partition() {
	fmt.Println(Murmur2Partition([]byte("foobar"), 12))
	// Output: 6
}
