package broker_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/testutil"
)

var invalidTopics = []string{"a&b", ".", "..", strings.Repeat("x", 250), "space here", "ünï"}

func TestValidTopicName(t *testing.T) {
	for _, name := range invalidTopics {
		if broker.ValidTopicName(name) == nil {
			t.Errorf("%q accepted", name)
		}
	}
	for _, name := range []string{"orders", "a.b_c-D9", strings.Repeat("x", 249), "...", "_x"} {
		if err := broker.ValidTopicName(name); err != nil {
			t.Errorf("%q refused: %v", name, err)
		}
	}
}

// TestCreateTopicsRefusesInvalidNames: CreateTopics answers
// INVALID_TOPIC_EXCEPTION for each invalid name, creates the valid ones of
// the same request, and no invalid topic exists afterwards.
func TestCreateTopicsRefusesInvalidNames(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 1})
	cl := testutil.KGo(t, b)
	req := kmsg.NewPtrCreateTopicsRequest()
	req.TimeoutMillis = 5000
	for _, name := range append([]string{"good-1"}, invalidTopics...) {
		rt := kmsg.NewCreateTopicsRequestTopic()
		rt.Topic, rt.NumPartitions, rt.ReplicationFactor = name, 1, 1
		req.Topics = append(req.Topics, rt)
	}
	resp, err := req.RequestWith(context.Background(), cl)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int16{}
	for _, rt := range resp.Topics {
		got[rt.Topic] = rt.ErrorCode
		if rt.ErrorCode != 0 && (rt.ErrorMessage == nil || *rt.ErrorMessage == "") {
			t.Errorf("%q refused without a message", rt.Topic)
		}
	}
	if len(got) != len(req.Topics) || got["good-1"] != 0 {
		t.Fatalf("answers %v", got)
	}
	for _, name := range invalidTopics {
		if got[name] != kerr.InvalidTopicException.Code {
			t.Errorf("CreateTopics %q: error code %d, want INVALID_TOPIC_EXCEPTION", name, got[name])
		}
	}
	checkNoInvalidTopics(t, cl)
}

// TestAutoCreateRefusesInvalidNames: a Metadata request that would
// auto-create an invalid name gets INVALID_TOPIC_EXCEPTION for it (a valid
// one of the same request is created), through franz-go and sarama.
func TestAutoCreateRefusesInvalidNames(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 1})
	cl := testutil.KGo(t, b)
	req := kmsg.NewPtrMetadataRequest()
	req.AllowAutoTopicCreation = true
	for _, name := range []string{"auto-ok", "a&b", ".."} {
		mt := kmsg.NewMetadataRequestTopic()
		mt.Topic = kmsg.StringPtr(name)
		req.Topics = append(req.Topics, mt)
	}
	resp, err := req.RequestWith(context.Background(), cl)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int16{}
	for _, rt := range resp.Topics {
		got[*rt.Topic] = rt.ErrorCode
	}
	if len(got) != 3 || got["auto-ok"] != 0 || got["a&b"] != kerr.InvalidTopicException.Code || got[".."] != kerr.InvalidTopicException.Code {
		t.Fatalf("metadata answers %v, want auto-ok created and the others INVALID_TOPIC_EXCEPTION", got)
	}

	// A producer of an invalid name fails with Kafka's error.
	p := testutil.KGo(t, b, kgo.AllowAutoTopicCreation(), kgo.RecordDeliveryTimeout(5e9))
	err = p.ProduceSync(context.Background(), &kgo.Record{Topic: "a&b", Value: []byte("v")}).FirstErr()
	if !errors.Is(err, kerr.InvalidTopicException) {
		t.Fatalf("franz-go produce to a&b: %v, want INVALID_TOPIC_EXCEPTION", err)
	}
	cfg := sarama.NewConfig()
	cfg.Version = sarama.V0_10_0_0 // Metadata v1: auto-creates
	cfg.Producer.Return.Successes = true
	cfg.Producer.Retry.Max = 0
	sp, err := sarama.NewSyncProducer(b.Addrs(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	if _, _, err := sp.SendMessage(&sarama.ProducerMessage{Topic: "x|y", Value: sarama.StringEncoder("v")}); !errors.Is(err, sarama.ErrInvalidTopic) {
		t.Fatalf("sarama produce to x|y: %v, want ErrInvalidTopic", err)
	}
	checkNoInvalidTopics(t, cl)
}

func TestSeedTopicRefusesInvalidName(t *testing.T) {
	if b, err := broker.Start(broker.Options{Nodes: 1, SeedTopics: map[string]int32{"a&b": 1}}); err == nil {
		b.Close()
		t.Fatal("a seed topic a&b was accepted")
	}
}

// checkNoInvalidTopics lists every topic and fails on an invalid name.
func checkNoInvalidTopics(t *testing.T, cl *kgo.Client) {
	t.Helper()
	resp, err := kmsg.NewPtrMetadataRequest().RequestWith(context.Background(), cl)
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range resp.Topics {
		if rt.Topic != nil && broker.ValidTopicName(*rt.Topic) != nil {
			t.Errorf("topic %q exists", *rt.Topic)
		}
	}
}
