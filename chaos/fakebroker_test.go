package chaos

import (
	"net"
	"strconv"
	"sync"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/internal/wire"
)

// fakeBroker is a tiny Kafka-speaking server for unit tests: it answers
// Produce (giving each appended batch the next offset), Metadata (with the
// brokers it is told) and anything else with an empty response, and
// records what it received.
type fakeBroker struct {
	ln      net.Listener
	brokers []BrokerAddr

	mu       sync.Mutex
	requests []wire.RequestHeader
	appended int64
	conns    []net.Conn
	closed   int
	unparsed [][]byte // frames without a request header
}

func startFakeBroker(t testing.TB, brokers ...BrokerAddr) *fakeBroker {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &fakeBroker{ln: ln, brokers: brokers}
	go b.serve()
	t.Cleanup(b.close)
	return b
}

func (b *fakeBroker) addr() string { return b.ln.Addr().String() }

func (b *fakeBroker) port() int32 {
	_, p, _ := net.SplitHostPort(b.addr())
	n, _ := strconv.Atoi(p)
	return int32(n)
}

func (b *fakeBroker) close() {
	b.ln.Close()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, c := range b.conns {
		c.Close()
	}
}

func (b *fakeBroker) serve() {
	for {
		c, err := b.ln.Accept()
		if err != nil {
			return
		}
		b.mu.Lock()
		b.conns = append(b.conns, c)
		b.mu.Unlock()
		go b.handle(c)
	}
}

func (b *fakeBroker) handle(c net.Conn) {
	defer func() {
		c.Close()
		b.mu.Lock()
		b.closed++
		b.mu.Unlock()
	}()
	for {
		frame, err := wire.ReadFrame(c, wire.MaxFrameSize)
		if err != nil {
			return
		}
		h, err := wire.ParseRequestHeader(frame)
		if err != nil {
			b.mu.Lock()
			b.unparsed = append(b.unparsed, frame)
			b.mu.Unlock()
			continue
		}
		resp, answer := b.answer(h, frame[h.BodyOffset:])
		if !answer {
			continue
		}
		if _, err := c.Write(respFrame(resp, h.CorrelationID)); err != nil {
			return
		}
	}
}

// answer records a request and builds its response; answer is false for
// acks=0 Produce.
func (b *fakeBroker) answer(h wire.RequestHeader, body []byte) (kmsg.Response, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.requests = append(b.requests, h)
	switch h.Key {
	case 0:
		return b.produceLocked(h.Version, body)
	case 3:
		resp := withVersion(kmsg.NewPtrMetadataResponse(), h.Version)
		for _, br := range b.brokers {
			resp.Brokers = append(resp.Brokers, kmsg.MetadataResponseBroker{NodeID: br.Node, Host: br.Host, Port: br.Port})
		}
		return resp, true
	}
	resp := kmsg.ResponseForKey(h.Key)
	if resp == nil {
		return nil, false // an API key kmsg does not know: no answer
	}
	resp.SetVersion(h.Version)
	return resp, true
}

func (b *fakeBroker) produceLocked(version int16, body []byte) (kmsg.Response, bool) {
	req := withVersion(kmsg.NewPtrProduceRequest(), version)
	if err := req.ReadFrom(body); err != nil {
		b.unparsed = append(b.unparsed, body)
		return nil, false // a body that does not decode: no answer
	}
	resp := withVersion(kmsg.NewPtrProduceResponse(), version)
	for _, t := range req.Topics {
		rt := kmsg.ProduceResponseTopic{Topic: t.Topic}
		for _, p := range t.Partitions {
			rt.Partitions = append(rt.Partitions, kmsg.ProduceResponseTopicPartition{Partition: p.Partition, BaseOffset: b.appended})
			b.appended++
		}
		resp.Topics = append(resp.Topics, rt)
	}
	return resp, req.Acks != 0
}

// count returns how many requests of key arrived.
func (b *fakeBroker) count(key int16) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, h := range b.requests {
		if h.Key == key {
			n++
		}
	}
	return n
}

// setBrokers sets the brokers Metadata responses name.
func (b *fakeBroker) setBrokers(brokers ...BrokerAddr) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.brokers = brokers
}

// total returns how many requests arrived.
func (b *fakeBroker) total() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.requests)
}

// unparsedFrames returns the frames that had no request header.
func (b *fakeBroker) unparsedFrames() [][]byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([][]byte(nil), b.unparsed...)
}

// closedConns returns how many connections ended.
func (b *fakeBroker) closedConns() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.closed
}
