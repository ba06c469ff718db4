package chaos

import (
	"bytes"
	"errors"
	"io"
	"net"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/internal/testutil"
	"github.com/kq-dev/kq/internal/wire"
)

func newTestDialer() (*Engine, *Dialer) {
	e := NewEngine(EngineOptions{Seed: 1})
	return e, NewDialer(e, DialerOptions{Timeout: 5 * time.Second})
}

// linkTest starts a fake broker and returns it, a fresh engine and a
// client connected to the broker through the engine's dialer.
func linkTest(t *testing.T) (*fakeBroker, *Engine, *testClient) {
	t.Helper()
	b := startFakeBroker(t)
	e, d := newTestDialer()
	return b, e, dialTest(t, d, b.addr())
}

func TestLinkPassesTrafficThrough(t *testing.T) {
	b := startFakeBroker(t, BrokerAddr{Node: 4, Host: "h", Port: 1})
	_, d := newTestDialer()
	c := dialTest(t, d, b.addr())
	for _, v := range []int16{3, 9} { // header v0 and v1 responses
		corr := c.send(produceReq(v, -1))
		resp := withVersion(kmsg.NewPtrProduceResponse(), v)
		if got := c.recv(resp); got != corr || resp.Topics[0].Partitions[0].ErrorCode != 0 {
			t.Fatalf("v%d: response corr %d (want %d) %+v", v, got, corr, resp)
		}
	}
	corr := c.send(metadataReq(12))
	resp := withVersion(kmsg.NewPtrMetadataResponse(), 12)
	if got := c.recv(resp); got != corr || len(resp.Brokers) != 1 || resp.Brokers[0].Host != "h" {
		t.Fatalf("metadata corr %d (want %d): %+v", got, corr, resp.Brokers)
	}
}

func TestDropResponseDeliversRequestSwallowsResponse(t *testing.T) {
	b, e, c := linkTest(t)
	id := mustSet(t, e, Fault{Kind: DropResponse, Probability: 1})
	c.send(produceReq(9, -1))
	testutil.Eventually(t, 5*time.Second, "the broker to append", func() bool { return b.count(0) == 1 })
	if err := e.Clear(id); err != nil {
		t.Fatal(err)
	}
	c.answersMetadata(9, "the dropped response came through") // drop-response defaults to produce only anyway
	if hits(e, id) != -1 {
		t.Fatal("cleared fault still listed")
	}
}

func TestDuplicateRequestAppendsTwiceAnswersOnce(t *testing.T) {
	b, e, c := linkTest(t)
	mustSet(t, e, Fault{Kind: DuplicateRequest, Probability: 1})
	first := c.send(produceReq(7, -1))
	if got := c.recv(withVersion(kmsg.NewPtrProduceResponse(), 7)); got != first {
		t.Fatalf("corr %d, want %d", got, first)
	}
	e.ClearAll()
	c.answersMetadata(7, "after a duplicate: the second copy's response leaked")
	if n := b.count(0); n != 2 {
		t.Fatalf("broker got %d produce requests, want 2", n)
	}
}

func TestResponseErrorRewritesProduceAfterAppend(t *testing.T) {
	b, e, c := linkTest(t)
	mustSet(t, e, Fault{Kind: ResponseError, Probability: 1, ErrorCode: 20})
	for _, v := range []int16{2, 9, 11} {
		c.send(produceReq(v, 1))
		resp := withVersion(kmsg.NewPtrProduceResponse(), v)
		c.recv(resp)
		if p := resp.Topics[0].Partitions[0]; p.ErrorCode != 20 || p.BaseOffset != -1 {
			t.Fatalf("v%d: partition = %+v, want error 20", v, p)
		}
	}
	if n := b.count(0); n != 3 {
		t.Fatalf("broker appended %d, want 3", n)
	}
}

func TestDropRequestNeverReachesBroker(t *testing.T) {
	b, e, c := linkTest(t)
	mustSet(t, e, Fault{Kind: DropRequest, Probability: 1})
	c.send(produceReq(9, -1))
	if err := c.readErr(); err == nil {
		t.Fatal("no error")
	}
	testutil.Eventually(t, 5*time.Second, "the broker side to close", func() bool { return b.closedConns() == 1 })
	if n := b.count(0); n != 0 {
		t.Fatalf("broker got %d produce requests, want 0", n)
	}
}

func TestResetFiltersByAPI(t *testing.T) {
	b, e, c := linkTest(t)
	mustSet(t, e, Fault{Kind: Reset, Probability: 1, APIs: []int16{0}})
	c.answersMetadata(4, "metadata through a produce-only reset")
	c.send(produceReq(4, -1))
	if err := c.readErr(); err == nil {
		t.Fatal("no error")
	}
	if n := b.count(0); n != 0 {
		t.Fatalf("broker got %d produce requests, want 0", n)
	}
}

func TestLatencyDelaysMatchingRequests(t *testing.T) {
	_, e, c := linkTest(t)
	const delay = 150 * time.Millisecond
	id := mustSet(t, e, Fault{Kind: Latency, Delay: delay, Jitter: 20 * time.Millisecond, APIs: []int16{0}})
	c.send(metadataReq(4))
	c.recv(withVersion(kmsg.NewPtrMetadataResponse(), 4))
	if h := hits(e, id); h != 0 {
		t.Fatalf("metadata hit a produce-only latency fault (%d hits)", h)
	}
	start := time.Now()
	c.send(produceReq(4, -1))
	c.recv(withVersion(kmsg.NewPtrProduceResponse(), 4))
	if took := time.Since(start); took < delay-20*time.Millisecond {
		t.Fatalf("produce took %v, want at least %v", took, delay-20*time.Millisecond)
	}
	if h := hits(e, id); h != 1 {
		t.Fatalf("hits = %d, want 1", h)
	}
}

func TestBlackholeSilencesThenCutsOnHeal(t *testing.T) {
	b, e, c := linkTest(t)
	id := mustSet(t, e, Fault{Kind: Blackhole})
	c.send(metadataReq(4))
	c.send(produceReq(4, -1)) // the client can still write into the hole
	testutil.Eventually(t, 5*time.Second, "the blackhole to fire", func() bool { return hits(e, id) == 1 })
	if err := e.Clear(id); err != nil {
		t.Fatal(err)
	}
	if err := c.readErr(); err == nil || errors.Is(err, errLinkClosed) {
		t.Fatalf("read err = %v, want the connection cut", err)
	}
	if n := b.total(); n != 0 {
		t.Fatalf("broker got %d requests through a blackhole", n)
	}
}

func TestPartitionRefusesAndCutsOneBrokerOnly(t *testing.T) {
	b1, b2 := startFakeBroker(t), startFakeBroker(t)
	e, d := newTestDialer()
	c1, c2 := dialTest(t, d, b1.addr()), dialTest(t, d, b2.addr())
	id := mustSet(t, e, Fault{Kind: Partition, Target: b1.addr()})
	if err := c1.readErr(); err == nil {
		t.Fatal("live connection to the partitioned broker survived")
	}
	if _, err := d.Dial("tcp", b1.addr()); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial partitioned broker: err = %v, want connection refused", err)
	}
	c2.answersMetadata(4, "other broker")
	if h := hits(e, id); h != 2 {
		t.Fatalf("hits = %d, want 2 (one cut, one refusal)", h)
	}
	e.ClearAll()
	c := dialTest(t, d, b1.addr())
	c.answersMetadata(4, "after heal")
}

func TestTargetByLearnedNodeID(t *testing.T) {
	b1, b2 := startFakeBroker(t), startFakeBroker(t)
	b1.setBrokers(BrokerAddr{Node: 1, Host: "127.0.0.1", Port: b1.port()}, BrokerAddr{Node: 2, Host: "127.0.0.1", Port: b2.port()})
	e, d := newTestDialer()
	c1 := dialTest(t, d, b1.addr())
	c1.send(metadataReq(9))
	c1.recv(withVersion(kmsg.NewPtrMetadataResponse(), 9))
	if got := e.Nodes()[b2.addr()]; got != 2 {
		t.Fatalf("learned nodes = %v", e.Nodes())
	}
	mustSet(t, e, Fault{Kind: Partition, Target: "2"})
	if _, err := d.Dial("tcp", b2.addr()); err == nil {
		t.Fatal("node 2 reachable through a partition targeting it")
	}
	c1.answersMetadata(9, "node 1")
}

func TestAcksZeroProduceExpectsNoResponse(t *testing.T) {
	b, e, c := linkTest(t)
	mustSet(t, e, Fault{Kind: DuplicateRequest, Probability: 1})
	c.send(produceReq(9, 0))
	c.answersMetadata(9, "after an acks=0 produce")
	if n := b.count(0); n != 2 {
		t.Fatalf("broker got %d acks=0 produce requests, want 2", n)
	}
}

func TestBandwidthLimitsAndReleasesOnClear(t *testing.T) {
	_, e, c := linkTest(t)
	id := mustSet(t, e, Fault{Kind: Bandwidth, Rate: 40 << 10})
	req := produceReq(9, -1)
	req.Topics[0].Partitions[0].Records = bytes.Repeat([]byte("x"), 40<<10)
	start := time.Now()
	for range 2 { // the first passes on the burst, the second waits ~1s
		c.send(req)
		c.recv(withVersion(kmsg.NewPtrProduceResponse(), 9))
	}
	if took := time.Since(start); took < 700*time.Millisecond {
		t.Fatalf("80 KiB at 40 KiB/s took %v", took)
	}
	e.Clear(id)
	mustSet(t, e, Fault{Kind: Bandwidth, Rate: 1 << 10})
	c.send(req) // ~40s at 1 KiB/s, unless the clear releases it
	testutil.Eventually(t, 5*time.Second, "the frame to wait on the limiter", func() bool { return e.List()[0].Hits > 0 })
	e.ClearAll()
	c.recv(withVersion(kmsg.NewPtrProduceResponse(), 9))
}

func TestOpaqueStreamPassesThrough(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 4096)
		for {
			n, err := c.Read(buf)
			if err != nil {
				return
			}
			c.Write(buf[:n])
		}
	}()
	e, d := newTestDialer()
	id := mustSet(t, e, Fault{Kind: DropResponse, Probability: 1, APIs: nil})
	c := dialTest(t, d, ln.Addr().String())
	hello := []byte{0x16, 0x03, 0x01, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o'}
	c.conn.Write(hello)
	got := make([]byte, len(hello))
	c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(c.conn, got); err != nil || !bytes.Equal(got, hello) {
		t.Fatalf("echo = %q, %v", got, err)
	}
	if h := hits(e, id); h != 0 {
		t.Fatalf("a frame fault hit an opaque stream %d times", h)
	}
}

func TestRandomDecisionsReplayFromSeed(t *testing.T) {
	pattern := func(seed uint64) []bool {
		e := NewEngine(EngineOptions{Seed: seed})
		mustSet(t, e, Fault{Kind: DropResponse, Probability: 0.5})
		out := make([]bool, 200)
		for i := range out {
			out[i] = e.onRequest("b:1", 0).dropResponse
		}
		return out
	}
	a, b, c := pattern(7), pattern(7), pattern(8)
	if !slices.Equal(a, b) {
		t.Fatal("same seed, different decisions")
	}
	if slices.Equal(a, c) {
		t.Fatal("different seeds, same 200 decisions")
	}
	n := 0
	for _, x := range a {
		if x {
			n++
		}
	}
	if n < 60 || n > 140 {
		t.Fatalf("p=0.5 fired %d of 200 times", n)
	}
}

func TestEngineRejects(t *testing.T) {
	e := NewEngine(EngineOptions{})
	if _, err := e.Set(Fault{Kind: KillNode, Target: "1"}); err == nil {
		t.Fatal("engine accepted a broker fault")
	}
	if err := e.Clear("f99"); err == nil {
		t.Fatal("clearing an unknown id succeeded")
	}
}

func TestSaslHandshakeV0TurnsTheRequestStreamRaw(t *testing.T) {
	b := startFakeBroker(t)
	_, d := newTestDialer()
	c := dialTest(t, d, b.addr())
	c.send(withVersion(kmsg.NewPtrSASLHandshakeRequest(), 0))
	c.recv(withVersion(kmsg.NewPtrSASLHandshakeResponse(), 0))
	// A bare SASL token shorter than any request header must pass.
	token := wire.AppendFrame(nil, []byte("\x00u\x00p"))
	if _, err := c.conn.Write(token); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 5*time.Second, "the token to reach the broker", func() bool { return len(b.unparsedFrames()) == 1 })
	if got := b.unparsedFrames()[0]; string(got) != "\x00u\x00p" {
		t.Fatalf("broker got token %q", got)
	}
	if n := b.total(); n != 1 {
		t.Fatalf("broker parsed %d requests, want the handshake only", n)
	}
}
