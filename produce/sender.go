package produce

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"
)

// maxRequestBatches bounds the batches (of distinct partitions) combined in
// one produce request, and maxRequestBytes their size: a batch is at most
// the batch size, a request may hold several (Kafka's limit is the
// broker's socket.request.max.bytes, 100 MiB by default).
const (
	maxRequestBatches = 16
	maxRequestBytes   = 32 << 20
)

// sender is the network side of the batch path. A dispatcher goroutine
// routes sealed batches to the queue of their partition's leader; one
// goroutine per broker combines queued batches into produce requests and
// sends them with Broker.AsyncProduce (several in flight per connection);
// a collector goroutine handles the answers: acks, retries after a
// metadata refresh, failures.
type sender struct {
	client  sarama.Client
	topic   string
	acks    sarama.RequiredAcks
	codec   sarama.CompressionCodec
	version int16
	timeout time.Duration // of a record's delivery, retries included
	// ackTimeout is how long the broker may wait for replicas (acks=all):
	// the client's Producer.Timeout (-X request.timeout.ms).
	ackTimeout time.Duration
	// retries, backoff and maxInFlight are Settings.Retries,
	// Settings.RetryBackoff and Settings.MaxInFlight.
	retries     int
	backoff     time.Duration
	maxInFlight int
	// renumber is set for an idempotent producer whose cluster does not
	// fake refusals (Settings.FakedRefusals): a batch that failed without
	// being written gives its sequence numbers to the later ones.
	renumber bool
	// produce sends a request: reopenAndProduce's, or a test's
	// stand-in.
	produce func(*sarama.Broker, *sarama.ProduceRequest, sarama.ProduceCallback) error
	// gate is set when the batches carry a producer id and sequences: it
	// keeps each partition's batches out within a window (idempotence.go).
	gate *window
	// queues are the broker queues, for kickAll.
	queuesMu sync.Mutex
	queues   []*queue[*batch]

	acc   *accumulator
	tally *tally
	ready *queue[*batch]
	done  *queue[answer]

	// brokers holds a queue per broker connection, keyed by sarama's
	// broker object: the client replaces the object when a node changes
	// address. The dispatcher owns the map.
	brokers map[*sarama.Broker]*queue[*batch]
	hold    *retryHold     // owned by the dispatcher
	wg      sync.WaitGroup // broker goroutines
	// abandoned is set at the flush timeout: queued batches, already
	// reported in doubt, are dropped instead of sent.
	abandoned atomic.Bool
	// conns holds, per broker, the generation of its connection
	// (*atomic.Uint64): a failed answer closes the connection it came on,
	// not one opened since (see closeConn).
	conns sync.Map
	// lastRefresh is when collect last refreshed the metadata for an
	// unsent request (collect's own).
	lastRefresh time.Time
	// quit is closed when the producer finished: a partition's restart
	// after a batch in doubt stops asking for a producer id (indoubt.go).
	quit chan struct{}
}

// wakeBatch is pushed on the ready queue to make the dispatcher release
// held batches whose backoff has passed; it is never sent.
var wakeBatch = &batch{}

// answer is the outcome of one produce request.
type answer struct {
	broker  *sarama.Broker
	batches []*batch
	resp    *sarama.ProduceResponse
	err     error
	noAcks  bool
	// notSent is set when the request was refused before it was written
	// whole (sarama's send returned err: no connection, a failed write),
	// so the broker cannot have appended it.
	notSent bool
	// conn is the generation of the broker's connection the request went
	// out on (see sender.conns).
	conn uint64
}

// dispatch routes batches from the ready queue until it is closed, then
// closes the broker queues and waits for their goroutines.
func (s *sender) dispatch() {
	s.hold = newRetryHold(func(after time.Duration) {
		time.AfterFunc(after, func() { s.ready.push(wakeBatch) })
	})
	var bs, due []*batch
	for ok := true; ok; {
		bs, ok = s.ready.popAll(bs[:0])
		for _, b := range bs {
			if b != wakeBatch && !s.hold.take(b, time.Now()) {
				s.route(b)
			}
		}
		due = s.hold.due(time.Now(), due[:0])
		for _, b := range due {
			s.route(b)
		}
	}
	for _, q := range s.brokers {
		q.close()
	}
	s.wg.Wait()
}

// route queues b for its partition's leader.
func (s *sender) route(b *batch) {
	if b.firstSend.IsZero() {
		b.firstSend = time.Now()
	}
	leader, err := s.client.Leader(s.topic, b.partition)
	if err != nil {
		s.retry(b, fmt.Errorf("find the leader of partition %d: %w", b.partition, err))
		return
	}
	q, ok := s.brokers[leader]
	if !ok {
		q = newQueue[*batch]()
		s.brokers[leader] = q
		s.queuesMu.Lock()
		s.queues = append(s.queues, q)
		s.queuesMu.Unlock()
		s.wg.Add(1)
		go s.sendLoop(leader, q)
	}
	q.push(b)
}

// sendLoop sends what is queued for one broker as requests, at most
// s.maxInFlight at a time: a broker handles one request per connection at
// a time (Kafka mutes a connection until its answer is sent), so a
// request sent early with one batch would only wait in the socket; while
// the requests in flight are answered, the batches queued meanwhile are
// combined into the next request, one per partition.
func (s *sender) sendLoop(br *sarama.Broker, q *queue[*batch]) {
	defer s.wg.Done()
	slots := make(chan struct{}, max(1, s.maxInFlight))
	release := func() { <-slots; q.kick() }
	var bs []*batch
	for ok := true; ok; {
		bs, ok = q.popAll(bs)
		for len(bs) > 0 && !s.abandoned.Load() && s.sendable(bs) {
			if ok && len(slots) > 0 && !s.worthPipelining(bs) {
				break // the next answer kicks q
			}
			slots <- struct{}{}
			bs = q.drain(bs)
			var req []*batch
			req, bs = s.takeRequest(bs)
			if len(req) == 0 {
				release()
				break
			}
			for _, b := range req {
				sending(b)
			}
			// Checked again after marking them in flight, so a batch
			// the flush timeout reports refused is never sent again.
			if s.abandoned.Load() {
				break
			}
			s.send(br, req, release)
		}
	}
}

// worthPipelining reports whether bs holds a full batch that may go now,
// one that waiting for an answer would not make bigger. A request of
// part-full batches waits while another request of the connection is
// unanswered: the broker would only start on it after that answer, and
// meanwhile its batches keep growing; sent at once, it would take them
// small, and the broker's time per request (the acks=all wait for the
// followers) would move fewer records.
func (s *sender) worthPipelining(bs []*batch) bool {
	for _, b := range bs {
		if b.full && s.gate.mayGo(b) {
			return true
		}
	}
	return false
}

// kickAll wakes every broker goroutine to look at its batches again.
func (s *sender) kickAll() {
	s.queuesMu.Lock()
	defer s.queuesMu.Unlock()
	for _, q := range s.queues {
		q.kick()
	}
}

// sendable reports whether bs holds a batch that may be sent now.
func (s *sender) sendable(bs []*batch) bool {
	for _, b := range bs {
		if s.gate.mayGo(b) {
			return true
		}
	}
	return false
}

// takeRequest picks from bs, up to the request size, the oldest batch of
// each partition that may go now (see window), and returns them and
// the rest, in order.
func (s *sender) takeRequest(bs []*batch) (req, rest []*batch) {
	// The oldest batch of each partition that may go: a batch sent again
	// goes before the later ones of its partition queued meanwhile.
	first := map[int32]uint64{}
	for _, b := range bs {
		if f, ok := first[b.partition]; (!ok || b.seq < f) && s.gate.mayGo(b) {
			first[b.partition] = b.seq
		}
	}
	seen := map[int32]bool{}
	size := 0
	for _, b := range bs {
		fits := len(req) == 0 || (size+b.size <= maxRequestBytes && len(req) < maxRequestBatches)
		if f, ok := first[b.partition]; fits && ok && f == b.seq && !seen[b.partition] && s.gate.take(b) {
			seen[b.partition] = true
			size += b.size
			req = append(req, b)
		} else {
			rest = append(rest, b)
		}
	}
	return req, rest
}

// send sends one request; its answer goes to the done queue, after
// release is called.
func (s *sender) send(br *sarama.Broker, bs []*batch, release func()) {
	req := &sarama.ProduceRequest{RequiredAcks: s.acks, Timeout: int32(s.ackTimeout.Milliseconds()), Version: s.version}
	for _, b := range bs {
		req.AddBatch(s.topic, b.partition, b.recordBatch(s.codec))
	}
	conn := s.connGen(br).Load()
	err := s.produce(br, req, func(resp *sarama.ProduceResponse, err error) {
		release()
		s.done.push(answer{broker: br, batches: bs, resp: resp, err: err, conn: conn})
	})
	if err != nil || s.acks == sarama.NoResponse {
		release()
		s.done.push(answer{broker: br, batches: bs, err: err, noAcks: err == nil, notSent: err != nil, conn: conn})
	}
}

// collect handles answers until the done queue is closed.
func (s *sender) collect() {
	var as []answer
	for ok := true; ok; {
		as, ok = s.done.popAll(as[:0])
		for _, a := range as {
			s.handle(a)
		}
		clear(as)
	}
}

// handle settles the batches of one answer.
func (s *sender) handle(a answer) {
	var local sarama.PacketEncodingError
	if errors.As(a.err, &local) {
		// The request could not even be encoded (over sarama's
		// MaxRequestSize): it never left, and sending it again cannot
		// help.
		for _, b := range a.batches {
			s.fail(b, fmt.Errorf("produce request not sent: %w", a.err))
		}
		return
	}
	if a.err != nil {
		s.closeConn(a)
		for _, b := range a.batches {
			if a.notSent {
				s.requeue(b, a.err)
				continue
			}
			lostConnection(b)
			s.retry(b, a.err)
		}
		return
	}
	refreshed := false
	for _, b := range a.batches {
		if a.noAcks {
			s.succeed(b, -1)
			continue
		}
		err := blockError(a.resp, s.topic, b.partition)
		switch {
		case err == nil:
			s.succeed(b, a.resp.GetBlock(s.topic, b.partition).Offset)
		case s.gate != nil && errors.Is(err, sarama.ErrDuplicateSequenceNumber):
			// Appended by an earlier attempt whose answer was lost.
			s.succeed(b, -1)
		case retriable(err) || s.gate != nil && errors.Is(err, sarama.ErrOutOfOrderSequenceNumber):
			noteAnswer(b, err)
			if !refreshed {
				refreshed = true
				_ = s.client.RefreshMetadata(s.topic)
			}
			if s.renumber && !b.maybeWritten.Load() && errors.Is(err, sarama.ErrOutOfOrderSequenceNumber) {
				s.gate.unsend(b) // never written: after a batch in doubt, it goes again under the new producer id
			}
			s.retry(b, err)
		default:
			s.fail(b, refusedErr(b, err))
		}
	}
}

// connGen returns br's connection generation.
func (s *sender) connGen(br *sarama.Broker) *atomic.Uint64 {
	g, _ := s.conns.LoadOrStore(br, new(atomic.Uint64))
	return g.(*atomic.Uint64)
}

// closeConn handles the failure of a's request: the connection it went
// out on is suspect, so it is closed (the next send opens another) and
// the metadata refreshed in case the node is gone. Only once per
// connection: the other requests that were in flight on it fail too, and
// closing again for each of their answers would cut the connection opened
// since, and the requests on it, over and over. A request never written
// (no connection) closes nothing; it refreshes the metadata at most once
// per retry pause.
func (s *sender) closeConn(a answer) {
	if a.notSent {
		if time.Since(s.lastRefresh) >= s.backoff {
			s.lastRefresh = time.Now()
			_ = s.client.RefreshMetadata(s.topic)
		}
		return
	}
	if s.connGen(a.broker).CompareAndSwap(a.conn, a.conn+1) {
		_ = a.broker.Close()
		_ = s.client.RefreshMetadata(s.topic)
	}
}

// blockError returns the error for one partition of a produce response.
func blockError(resp *sarama.ProduceResponse, topic string, partition int32) error {
	blk := resp.GetBlock(topic, partition)
	switch {
	case blk == nil:
		return fmt.Errorf("no answer for partition %d: %w", partition, sarama.ErrIncompleteResponse)
	case blk.Err != sarama.ErrNoError:
		return blk.Err
	}
	return nil
}

// retriable reports whether a produce error may go away on a retry.
func retriable(err error) bool {
	for _, e := range []error{
		sarama.ErrNotLeaderForPartition, sarama.ErrLeaderNotAvailable, sarama.ErrUnknownTopicOrPartition,
		sarama.ErrRequestTimedOut, sarama.ErrNotEnoughReplicas, sarama.ErrNotEnoughReplicasAfterAppend,
		sarama.ErrNetworkException, sarama.ErrKafkaStorageError, sarama.ErrBrokerNotAvailable,
		sarama.ErrReplicaNotAvailable, sarama.ErrFencedLeaderEpoch, sarama.ErrUnknownLeaderEpoch,
		sarama.ErrThrottlingQuotaExceeded, sarama.ErrIncompleteResponse,
	} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// retry sends b again after a pause, or fails it once its retries are
// spent or its delivery timeout would pass.
func (s *sender) retry(b *batch, err error) {
	if b.attempts >= s.retries {
		s.fail(b, retriesSpentErr(b, err))
		return
	}
	s.again(b, err, true)
}

// requeue sends b again after a pause without counting an attempt: its
// request was never written (no connection), so it is not a retry in
// Kafka's sense (the Java client keeps such a batch until its node is
// ready); the delivery timeout still bounds it.
func (s *sender) requeue(b *batch, err error) { s.again(b, err, false) }

// again queues b to be sent after the retry pause, an attempt more when
// counted, or fails it when its delivery timeout would pass first.
func (s *sender) again(b *batch, err error, counted bool) {
	if time.Since(b.firstSend)+s.backoff > s.timeout {
		s.fail(b, gaveUpErr(b, err, s.timeout))
		return
	}
	if counted {
		b.attempts++
	}
	b.notBefore = time.Now().Add(s.backoff)
	s.ready.push(b) // the dispatcher holds it, and its partition, until then
}

// succeed reports b's records as acked from offset base (-1: no acks).
func (s *sender) succeed(b *batch, base int64) {
	if !s.acc.claim(b) {
		return
	}
	now := s.acc.since()
	s.tally.with(func() {
		for i := range b.recs {
			m := &b.recs[i]
			off := base
			if base >= 0 {
				off += int64(i)
			}
			a := Ack{Pos: b.pos(i), Partition: b.partition, Offset: off, Timestamp: time.UnixMilli(m.ts)}
			s.tally.ackLocked(a, b.dataBytes(i), now-m.enqueued)
		}
	})
	s.gate.acked(b)
	s.gate.settled(b) // before release: the batch may be reused at once
	s.acc.release(b)
}

// fail reports b's records as failed with err. The later batches of its
// partition, with idempotence, take its sequence numbers when it was not
// written, or restart under a new producer id once those sent settled
// when it may have been (indoubt.go).
func (s *sender) fail(b *batch, err error) {
	if !s.acc.claim(b) {
		return
	}
	s.reportFailed(b, err)
	switch {
	case b.maybeWritten.Load():
		s.gate.inDoubt(b)
	case s.renumber:
		s.acc.renumberAfter(b) // before the window lets the later batches go
	}
	s.gate.settled(b) // before release: the batch may be reused at once
	s.acc.release(b)
}

func (s *sender) reportFailed(b *batch, err error) {
	s.tally.with(func() {
		for i := range b.recs {
			s.tally.failLocked(Failure{Pos: b.pos(i), Partition: b.partition, Err: err})
		}
	})
}
