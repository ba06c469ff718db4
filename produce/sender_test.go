package produce

import (
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/testutil"
)

func TestTakeRequestCombinesFullBatchesOfDistinctPartitions(t *testing.T) {
	s := &sender{}
	full := 990_000 // about --batch-bytes' default: one batch nearly fills a 1 MB request
	bs := []*batch{{partition: 0, size: full}, {partition: 1, size: full}, {partition: 0, size: full}, {partition: 2, size: full}}
	req, rest := s.takeRequest(bs)
	if got := partitionsOf(req); len(got) != 3 || got[0] != 0 || got[1] != 1 || got[2] != 2 {
		t.Errorf("request holds partitions %v, want [0 1 2] (one full batch each)", got)
	}
	if got := partitionsOf(rest); len(got) != 1 || got[0] != 0 {
		t.Errorf("left for the next request: partitions %v, want [0]", got)
	}
}

func TestTakeRequestBoundsBatchesAndBytes(t *testing.T) {
	s := &sender{}
	var many []*batch
	for p := range int32(maxRequestBatches + 3) {
		many = append(many, &batch{partition: p, size: 100})
	}
	if req, rest := s.takeRequest(many); len(req) != maxRequestBatches || len(rest) != 3 {
		t.Errorf("%d batches in the request, %d left; want %d and 3", len(req), len(rest), maxRequestBatches)
	}
	big := maxRequestBytes / 2
	req, rest := s.takeRequest([]*batch{{partition: 0, size: big}, {partition: 1, size: big}, {partition: 2, size: big}})
	if len(req) != 2 || len(rest) != 1 {
		t.Errorf("%d batches in the request, %d left; want 2 and 1 (%d bytes at most)", len(req), len(rest), maxRequestBytes)
	}
	// One batch over the bound still goes, alone.
	if req, _ := s.takeRequest([]*batch{{partition: 0, size: 2 * maxRequestBytes}}); len(req) != 1 {
		t.Errorf("an oversized batch was not sent alone")
	}
}

func partitionsOf(bs []*batch) []int32 {
	var ps []int32
	for _, b := range bs {
		ps = append(ps, b.partition)
	}
	return ps
}

// fakeProduce stands in for Broker.AsyncProduce: it holds each request's
// callback and answers it only when told to.
type fakeProduce struct {
	mu  sync.Mutex
	cbs []sarama.ProduceCallback
}

func (f *fakeProduce) produce(_ *sarama.Broker, _ *sarama.ProduceRequest, cb sarama.ProduceCallback) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cbs = append(f.cbs, cb)
	return nil
}

func (f *fakeProduce) sent() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.cbs)
}

func (f *fakeProduce) answer(i int) {
	f.mu.Lock()
	cb := f.cbs[i]
	f.mu.Unlock()
	cb(&sarama.ProduceResponse{}, nil)
}

// waitSent polls until n requests were sent.
func (f *fakeProduce) waitSent(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for f.sent() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d requests sent, want %d", f.sent(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// stillSent watches for a while that no more than n requests were sent
// (a sender without the rule under test sends within microseconds).
func (f *fakeProduce) stillSent(t *testing.T, n int) {
	t.Helper()
	for deadline := time.Now().Add(100 * time.Millisecond); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if f.sent() > n {
			t.Fatalf("%d requests sent, want %d", f.sent(), n)
		}
	}
}

func TestSendLoopCombinesBatchesQueuedWhileRequestsWait(t *testing.T) {
	const maxInFlight = 3
	f := &fakeProduce{}
	s := &sender{topic: "t", acks: sarama.WaitForAll, version: 3, produce: f.produce, done: newQueue[answer](), maxInFlight: maxInFlight}
	q := newQueue[*batch]()
	s.wg.Add(1)
	go s.sendLoop(nil, q)

	// A batch goes at once when nothing is in flight.
	q.push(&batch{partition: 0})
	f.waitSent(t, 1)
	// A part-full batch waits for the answer.
	q.push(&batch{partition: 1})
	f.stillSent(t, 1)
	f.answer(0)
	f.waitSent(t, 2)
	// Part-full batches queued while a request waits go together, as
	// soon as a full one joins them.
	for p := int32(2); p < 10; p++ {
		q.push(&batch{partition: p})
	}
	f.stillSent(t, 2)
	q.push(&batch{partition: 10, full: true})
	f.waitSent(t, 3)
	// Full batches go at once, up to maxInFlight requests.
	q.push(&batch{partition: 11, full: true})
	f.waitSent(t, 4)
	q.push(&batch{partition: 12, full: true})
	f.stillSent(t, 4)
	f.answer(1)
	f.waitSent(t, 5)
	q.close()
	for i := 2; i < f.sent(); i++ {
		f.answer(i)
	}
	s.wg.Wait()
	s.done.close()
	var sizes []int
	for {
		as, ok := s.done.popAll(nil)
		for _, a := range as {
			sizes = append(sizes, len(a.batches))
		}
		if !ok {
			break
		}
	}
	if want := []int{1, 1, 9, 1, 1}; !slices.Equal(sizes, want) {
		t.Errorf("batches per request %v, want %v", sizes, want)
	}
}

// refreshOnly is a sarama.Client whose RefreshMetadata does nothing; any
// other method panics.
type refreshOnly struct{ sarama.Client }

func (refreshOnly) RefreshMetadata(...string) error { return nil }

// TestRequestNotWrittenIsNotInDoubt: a request sarama refused to send
// (no connection: it was not written) leaves its batch failed, not in
// doubt, once its retries are spent; a request that failed after it was
// sent (the connection cut while waiting for the answer) leaves it in
// doubt.
func TestRequestNotWrittenIsNotInDoubt(t *testing.T) {
	for _, notSent := range []bool{true, false} {
		s, bs, _ := oneBatchSender(t, 0)
		s.handle(answer{broker: sarama.NewBroker("127.0.0.1:1"), batches: bs, err: sarama.ErrNotConnected, notSent: notSent})
		res := s.tally.result()
		if got := res.InDoubt == 1; got == notSent || res.Failed+res.InDoubt != 1 {
			t.Errorf("not sent %t: %+v, want in doubt %t", notSent, res, !notSent)
		}
	}
}

// oneBatchSender returns a sender without retries, with the delivery
// timeout given, its ready queue and one batch of one record taken from
// it and being sent.
func oneBatchSender(t *testing.T, timeout time.Duration) (*sender, []*batch, *queue[*batch]) {
	t.Helper()
	ready := newQueue[*batch]()
	acc := newAccumulator(1, Settings{BatchBytes: 1 << 20, BufferBytes: 1 << 20}, ready, func(int) {})
	if err := acc.add(&Record{Value: []byte("v")}, 0); err != nil {
		t.Fatal(err)
	}
	bs, _ := ready.popAll(nil)
	s := &sender{client: refreshOnly{}, topic: "t", acc: acc, tally: newTally(nil), ready: ready, timeout: timeout}
	sending(bs[0])
	bs[0].firstSend = time.Now()
	return s, bs, ready
}

// TestUnsentRequestIsNoAttempt: a request that was never written (no
// connection) sends its batch again without spending an attempt, up to
// the delivery timeout; one that failed after it was written spends one.
func TestUnsentRequestIsNoAttempt(t *testing.T) {
	s, bs, ready := oneBatchSender(t, time.Minute)
	b := bs[0]
	for range 3 {
		s.handle(answer{broker: sarama.NewBroker("127.0.0.1:1"), batches: bs, err: sarama.ErrNotConnected, notSent: true})
		again, _ := ready.popAll(nil)
		if len(again) != 1 || again[0] != b || b.attempts != 0 {
			t.Fatalf("unsent: %d queued again, %d attempts spent, want the batch and 0 (retries 0)", len(again), b.attempts)
		}
	}
	if res := s.tally.result(); res.Failed+res.InDoubt != 0 {
		t.Fatalf("an unsent batch with its delivery time left failed: %+v", res)
	}
	s.handle(answer{broker: sarama.NewBroker("127.0.0.1:1"), batches: bs, err: sarama.ErrNotConnected})
	if res := s.tally.result(); res.InDoubt != 1 {
		t.Errorf("a written request's failure with no retries left: %+v, want it in doubt", res)
	}
}

// TestFailedAnswersCloseTheirConnectionOnce: the answers of requests that
// were in flight on a connection that failed close it once; an answer
// from a connection closed already does not close the one opened since.
func TestFailedAnswersCloseTheirConnectionOnce(t *testing.T) {
	addr, stop, err := testutil.ListenSilent()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	conf := sarama.NewConfig()
	conf.ApiVersionsRequest = false // the listener answers nothing
	br := sarama.NewBroker(addr)
	t.Cleanup(func() { _ = br.Close() })
	open := func() {
		t.Helper()
		if err := br.Open(conf); err != nil {
			t.Fatal(err)
		}
		if ok, err := br.Connected(); !ok {
			t.Fatalf("not connected: %v", err)
		}
	}
	s := &sender{client: refreshOnly{}, topic: "t"}
	open()
	fail := func(conn uint64) { s.closeConn(answer{broker: br, err: io.ErrUnexpectedEOF, conn: conn}) }
	fail(0)
	if ok, _ := br.Connected(); ok {
		t.Fatal("the failed connection is still open")
	}
	open()  // the next send's
	fail(0) // another request that was in flight on the first connection
	if ok, _ := br.Connected(); !ok {
		t.Fatal("an answer from the first connection closed the second")
	}
	fail(1)
	if ok, _ := br.Connected(); ok {
		t.Fatal("the second connection's failure did not close it")
	}
}
