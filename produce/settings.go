package produce

import (
	"math"
	"strings"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/setting"
)

// compressionCodecs maps --compression names to sarama codecs.
var compressionCodecs = map[string]sarama.CompressionCodec{
	"none":   sarama.CompressionNone,
	"gzip":   sarama.CompressionGZIP,
	"snappy": sarama.CompressionSnappy,
	"lz4":    sarama.CompressionLZ4,
	"zstd":   sarama.CompressionZSTD,
}

// ParseCompression parses a --compression value: none, gzip, snappy, lz4 or
// zstd.
func ParseCompression(s string) (sarama.CompressionCodec, error) {
	name, err := setting.Parse("compression", s, "none", "gzip", "snappy", "lz4", "zstd")
	return compressionCodecs[name], err
}

// Partitioner names a strategy for choosing the partition of a record that
// does not name one.
type Partitioner string

// The --partitioner values.
const (
	// PartitionMurmur2 is the Java client's default: murmur2 of the key, and
	// sticky partitions for records without a key.
	PartitionMurmur2 Partitioner = "murmur2"
	// PartitionHash is sarama's default: FNV-1a of the key, random
	// partitions for records without a key.
	PartitionHash Partitioner = "hash"
	// PartitionRandom ignores keys and picks a random partition per record.
	PartitionRandom Partitioner = "random"
	// PartitionRoundRobin ignores keys and cycles through the partitions.
	PartitionRoundRobin Partitioner = "roundrobin"
	// PartitionCRC32 is librdkafka's "consistent": CRC-32 of the key, null
	// keys included (to partition 0).
	PartitionCRC32 Partitioner = "crc32"
	// PartitionConsistentRandom is librdkafka's default (kcat's,
	// confluent-kafka's): CRC-32 of the key, random partitions for records
	// with a null or empty key.
	PartitionConsistentRandom Partitioner = "consistent_random"
)

// partitionerAliases are librdkafka's names for kq's partitioners.
var partitionerAliases = map[Partitioner]Partitioner{
	"consistent":     PartitionCRC32,
	"murmur2_random": PartitionMurmur2,
}

// PartitionerNames lists the --partitioner values, for help and completion.
var PartitionerNames = []string{"murmur2", "consistent_random", "crc32", "hash", "random", "roundrobin"}

// ParsePartitioner checks a --partitioner value.
func ParsePartitioner(s string) (Partitioner, error) {
	p := Partitioner(strings.ToLower(s))
	if a, ok := partitionerAliases[p]; ok {
		p = a
	}
	switch p {
	case PartitionMurmur2, PartitionHash, PartitionRandom, PartitionRoundRobin, PartitionCRC32, PartitionConsistentRandom:
		return p, nil
	}
	return "", kqerr.Settingf("unknown {partitioner} %q (want %s)", s, strings.Join(PartitionerNames, ", "))
}

// Constructor returns the sarama partitioner constructor for p.
func (p Partitioner) Constructor() sarama.PartitionerConstructor {
	switch p {
	case PartitionHash:
		return sarama.NewHashPartitioner
	case PartitionRandom:
		return sarama.NewRandomPartitioner
	case PartitionRoundRobin:
		return sarama.NewRoundRobinPartitioner
	case PartitionCRC32:
		return NewCRC32Partitioner
	case PartitionConsistentRandom:
		return NewConsistentRandomPartitioner
	}
	return NewMurmur2Partitioner
}

// Settings are the producer's delivery settings. The zero value is not
// usable: start from [DefaultSettings].
type Settings struct {
	// Acks is what the broker waits for before answering.
	Acks setting.Acks
	// Idempotent makes the producer idempotent (implies acks=all; at most
	// MaxInFlight batches per partition out at once, and never more than
	// five: see idempotence.go).
	Idempotent bool
	// TransactionalID makes the producer transactional (implies
	// Idempotent).
	TransactionalID string
	// TxnSize is the number of records per transaction; 0 puts the whole
	// input in one transaction.
	TxnSize int
	// Compression is the codec of record batches.
	Compression sarama.CompressionCodec
	// Linger is how long a batch waits for more records before it is sent.
	Linger time.Duration
	// BatchBytes is the largest batch (uncompressed) per partition.
	BatchBytes int
	// MaxMessageBytes is the largest record kq accepts (key, value and
	// headers); larger ones are bad input.
	MaxMessageBytes int
	// Partitioner chooses partitions for records that name none.
	Partitioner Partitioner
	// DeliveryTimeout bounds the time a record may spend in retries
	// (leader changes, unreachable nodes) before it fails.
	DeliveryTimeout time.Duration
	// BufferBytes bounds the memory of records waiting for their ack;
	// reading pauses when it is full.
	BufferBytes int
	// Retries is how often a batch is sent again after an error a retry
	// may cure (a leader change, a timeout, a lost connection), within
	// DeliveryTimeout; 0 sends each batch once. The default is Kafka's,
	// 2147483647: retry until the delivery timeout.
	Retries int
	// RetryBackoff is the pause before a batch is sent again.
	RetryBackoff time.Duration
	// MaxInFlight bounds the produce requests in flight per broker
	// (Kafka's max.in.flight.requests.per.connection). Without
	// idempotence, a batch sent again after a failure may then land
	// behind a later batch of its partition when MaxInFlight is above 1.
	// A request goes while another of its connection is unanswered only
	// when it carries a full batch (see sender.worthPipelining).
	MaxInFlight int
	// FakedRefusals says the cluster may refuse a write it made (the chaos
	// response-error fault fakes such answers): an idempotent producer
	// then keeps the sequence numbers of the batches after one that
	// failed, instead of giving them its numbers, which could make the
	// broker take a later batch for a duplicate of the one it wrote.
	FakedRefusals bool
}

// DefaultSettings returns kq's defaults: acks=all, no compression, 5ms
// linger, 1 MB batches and records, murmur2, 30s delivery timeout, 8 MB of
// buffer, retries until the delivery timeout 100ms apart, and two
// requests in flight per broker: one the broker works on, one queued
// behind it (a broker handles one request per connection at a time, so
// more would only wait in the socket while fewer batches share each).
func DefaultSettings() Settings {
	return Settings{
		Acks:            setting.AcksAll,
		Compression:     sarama.CompressionNone,
		Linger:          5 * time.Millisecond,
		BatchBytes:      1_000_000,
		MaxMessageBytes: 1_000_000,
		Partitioner:     PartitionMurmur2,
		DeliveryTimeout: 30 * time.Second,
		BufferBytes:     8 << 20,
		Retries:         math.MaxInt32,
		RetryBackoff:    100 * time.Millisecond,
		MaxInFlight:     2,
	}
}

// Validate checks the settings for combinations that cannot work.
func (s Settings) Validate() error {
	switch {
	case s.BatchBytes < 1:
		return kqerr.Settingf("{batch bytes} must be positive, got %d", s.BatchBytes)
	case s.MaxMessageBytes < 1:
		return kqerr.Settingf("{max message bytes} must be positive, got %d", s.MaxMessageBytes)
	case s.Linger < 0:
		return kqerr.Settingf("{linger} must not be negative, got %v", s.Linger)
	case s.TxnSize < 0:
		return kqerr.Settingf("{txn size} must not be negative, got %d", s.TxnSize)
	case s.TxnSize > 0 && s.TransactionalID == "":
		return kqerr.Settingf("{txn size} needs {transactional id}")
	case s.idempotent() && s.Acks != setting.AcksAll:
		return kqerr.Settingf("{idempotent} and {transactional id} need {acks} all, got %v", s.Acks)
	case s.DeliveryTimeout <= 0:
		return kqerr.Usagef("the delivery timeout must be positive, got %v", s.DeliveryTimeout)
	case s.Retries < 0:
		return kqerr.Settingf("{retries} must not be negative, got %d", s.Retries)
	case s.RetryBackoff < 0:
		return kqerr.Settingf("{retry backoff} must not be negative, got %v", s.RetryBackoff)
	case s.MaxInFlight < 1:
		return kqerr.Settingf("{max in flight} must be at least 1, got %d", s.MaxInFlight)
	}
	if _, err := ParsePartitioner(string(s.Partitioner)); err != nil {
		return err
	}
	return nil
}

// MemoryLimit is a soft memory limit, in bytes, for a process producing
// with s on the batch path: room for the buffer, the batches kept for
// reuse (half the buffer), the request buffers in flight (up to the
// buffer) and 24 MB for the rest of the process. With it the garbage
// collector can let the heap grow further between collections (most of it
// is record bytes, which it does not scan) and still keep it bounded. 0
// when s goes through sarama's producer (idempotent or transactional),
// whose memory kq does not bound.
func (s Settings) MemoryLimit() int64 {
	if s.viaProducer() {
		return 0
	}
	return 3*int64(s.BufferBytes) + 24<<20
}

// idempotent reports whether records are produced idempotently.
func (s Settings) idempotent() bool { return s.Idempotent || s.TransactionalID != "" }

// viaProducer reports whether records go through sarama's producer, which
// implements transactions; the batch path does everything else,
// idempotence included (idempotence.go).
func (s Settings) viaProducer() bool { return s.TransactionalID != "" }

// Apply sets the producer section of cfg from s: acks, compression,
// linger, batch and message sizes, partitioner, retries and, for a
// transactional producer (sarama's), idempotence and the transactional id;
// and the requests in flight per connection, which sarama's broker
// connections also bound. Other connection settings are left alone.
func (s Settings) Apply(cfg *sarama.Config) {
	p := &cfg.Producer
	p.RequiredAcks = s.Acks.Sarama()
	p.Compression = s.Compression
	p.Flush.Frequency = s.Linger
	p.Flush.Bytes = s.BatchBytes
	p.MaxMessageBytes = max(s.BatchBytes, s.MaxMessageBytes)
	p.Partitioner = s.Partitioner.Constructor()
	p.Return.Successes = true
	p.Return.Errors = true
	p.Retry.Backoff = s.RetryBackoff
	p.Retry.Max = min(s.Retries, max(1, int(s.DeliveryTimeout/max(s.RetryBackoff, time.Millisecond))))
	cfg.Net.MaxOpenRequests = s.MaxInFlight
	if s.viaProducer() {
		p.Idempotent = true
		p.RequiredAcks = sarama.WaitForAll
		cfg.Net.MaxOpenRequests = 1
	}
	if s.TransactionalID != "" {
		p.Transaction.ID = s.TransactionalID
		p.Transaction.Timeout = max(time.Minute, 2*s.DeliveryTimeout)
	}
}
