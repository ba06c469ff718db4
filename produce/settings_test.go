package produce

import (
	"errors"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/setting"
)

func TestParseFlags(t *testing.T) {
	acks := map[string]setting.Acks{"0": setting.AcksNone, "1": setting.AcksLeader, "all": setting.AcksAll, "ALL": setting.AcksAll, "-1": setting.AcksAll}
	for in, want := range acks {
		if got, err := setting.ParseAcks(in); err != nil || got != want {
			t.Errorf("setting.ParseAcks(%q) = %v, %v", in, got, err)
		}
	}
	codecs := map[string]sarama.CompressionCodec{"none": sarama.CompressionNone, "gzip": sarama.CompressionGZIP,
		"snappy": sarama.CompressionSnappy, "lz4": sarama.CompressionLZ4, "zstd": sarama.CompressionZSTD}
	for in, want := range codecs {
		if got, err := ParseCompression(in); err != nil || got != want {
			t.Errorf("ParseCompression(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"murmur2", "hash", "random", "roundrobin", "crc32", "consistent_random"} {
		if got, err := ParsePartitioner(in); err != nil || string(got) != in {
			t.Errorf("ParsePartitioner(%q) = %v, %v", in, got, err)
		}
	}
	bad := []error{}
	_, err := setting.ParseAcks("2")
	bad = append(bad, err)
	_, err = ParseCompression("brotli")
	bad = append(bad, err)
	if got, err := ParsePartitioner("Consistent"); err != nil || got != PartitionCRC32 {
		t.Errorf("ParsePartitioner(Consistent) = %v, %v; want crc32", got, err)
	}
	_, err = ParsePartitioner("fnv")
	bad = append(bad, err)
	for _, err := range bad {
		if !errors.Is(err, kqerr.ErrUsage) {
			t.Errorf("error %v, want a usage error", err)
		}
	}
	if string(setting.AcksAll) != "all" || string(setting.AcksLeader) != "1" {
		t.Errorf("Acks strings %v %v", setting.AcksAll, setting.AcksLeader)
	}
}

func TestSettingsValidate(t *testing.T) {
	if err := DefaultSettings().Validate(); err != nil {
		t.Fatal(err)
	}
	bad := map[string]func(*Settings){
		"batch bytes":       func(s *Settings) { s.BatchBytes = 0 },
		"max message bytes": func(s *Settings) { s.MaxMessageBytes = -1 },
		"linger":            func(s *Settings) { s.Linger = -time.Second },
		"txn size alone":    func(s *Settings) { s.TxnSize = 10 },
		"txn size negative": func(s *Settings) { s.TransactionalID, s.TxnSize = "t", -1 },
		"idempotent acks 1": func(s *Settings) { s.Idempotent, s.Acks = true, setting.AcksLeader },
		"txn acks 0":        func(s *Settings) { s.TransactionalID, s.Acks = "t", setting.AcksNone },
		"partitioner":       func(s *Settings) { s.Partitioner = "nope" },
		"delivery timeout":  func(s *Settings) { s.DeliveryTimeout = 0 },
		"retries":           func(s *Settings) { s.Retries = -1 },
		"retry backoff":     func(s *Settings) { s.RetryBackoff = -time.Millisecond },
		"max in flight":     func(s *Settings) { s.MaxInFlight = 0 },
	}
	for name, mod := range bad {
		s := DefaultSettings()
		mod(&s)
		if err := s.Validate(); !errors.Is(err, kqerr.ErrUsage) {
			t.Errorf("%s: %v, want a usage error", name, err)
		}
	}
}

func TestSettingsApply(t *testing.T) {
	s := DefaultSettings()
	s.Acks, s.Compression, s.Linger, s.BatchBytes = setting.AcksLeader, sarama.CompressionZSTD, time.Second, 5000
	s.MaxInFlight = 8
	cfg := sarama.NewConfig()
	s.Apply(cfg)
	p := cfg.Producer
	if p.RequiredAcks != sarama.WaitForLocal || p.Compression != sarama.CompressionZSTD || p.Flush.Frequency != time.Second ||
		p.Flush.Bytes != 5000 || p.Idempotent || !p.Return.Successes || p.Retry.Max < 100 {
		t.Errorf("producer config %+v", p)
	}
	if cfg.Net.MaxOpenRequests != s.MaxInFlight {
		t.Errorf("%d requests open per connection, want --max-in-flight's %d (sarama's connections would cap it)", cfg.Net.MaxOpenRequests, s.MaxInFlight)
	}
	if part := p.Partitioner("t"); part == nil {
		t.Fatal("no partitioner")
	} else if _, ok := part.(*murmur2Partitioner); !ok {
		t.Errorf("partitioner %T, want murmur2", part)
	}

	s = DefaultSettings()
	s.TransactionalID = "tx"
	cfg = sarama.NewConfig()
	s.Apply(cfg)
	if !cfg.Producer.Idempotent || cfg.Producer.Transaction.ID != "tx" || cfg.Net.MaxOpenRequests != 1 ||
		cfg.Producer.RequiredAcks != sarama.WaitForAll {
		t.Errorf("transactional config %+v", cfg.Producer)
	}

	s = DefaultSettings()
	s.TransactionalID, s.Retries, s.RetryBackoff = "tx", 3, 7*time.Millisecond
	cfg = sarama.NewConfig()
	s.Apply(cfg)
	if cfg.Producer.Retry.Max != 3 || cfg.Producer.Retry.Backoff != 7*time.Millisecond {
		t.Errorf("retries %d every %v, want 3 every 7ms", cfg.Producer.Retry.Max, cfg.Producer.Retry.Backoff)
	}
	cfg.Version = sarama.V2_8_0_0
	if err := cfg.Validate(); err != nil {
		t.Errorf("sarama rejects the transactional config: %v", err)
	}
}

func TestOptionsValidate(t *testing.T) {
	o := Options{Topic: "t", Settings: DefaultSettings()}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []Options{{Topic: " ", Settings: DefaultSettings()}, {Topic: "t", Rate: -1, Settings: DefaultSettings()}, {Topic: "t"}} {
		if err := bad.Validate(); !errors.Is(err, kqerr.ErrUsage) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}

func TestProduceVersion(t *testing.T) {
	cases := map[sarama.KafkaVersion]int16{sarama.V0_11_0_0: 3, sarama.V2_1_0_0: 7, sarama.V2_8_0_0: 9, sarama.V3_9_0_0: 10}
	for v, want := range cases {
		if got, err := produceVersion(v); err != nil || got != want {
			t.Errorf("produceVersion(%v) = %d, %v; want %d", v, got, err, want)
		}
	}
	if _, err := produceVersion(sarama.V0_10_2_0); err == nil {
		t.Error("0.10.2 accepted")
	}
}

func TestLatencyHistogram(t *testing.T) {
	h := newLatencyHist()
	if (h.summary() != Latency{}) {
		t.Error("empty histogram has latencies")
	}
	for i := 1; i <= 1000; i++ {
		h.record(time.Duration(i) * time.Millisecond)
	}
	h.record(time.Hour) // clamped
	s := h.summary()
	near := func(got, want time.Duration) bool { return got >= want*98/100 && got <= want*102/100 }
	if !near(s.P50, 500*time.Millisecond) || !near(s.P99, 990*time.Millisecond) || !near(s.Max, maxLatency) {
		t.Errorf("summary %+v", s)
	}
}

func TestResultRates(t *testing.T) {
	r := Result{Acked: 500, Bytes: 2_000_000, Elapsed: 2 * time.Second}
	if r.RecordsPerSec() != 250 || r.MBPerSec() != 1 {
		t.Errorf("rates %v %v", r.RecordsPerSec(), r.MBPerSec())
	}
	if (Result{Acked: 1}).RecordsPerSec() != 0 {
		t.Error("rate without elapsed time")
	}
}
