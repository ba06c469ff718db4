package produce

import (
	"bytes"
	"fmt"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/conn"
)

// producerEngine is the producer path: sarama's AsyncProducer, for
// idempotent and transactional delivery. kq picks every partition itself
// (sarama's manual partitioner), so both paths place records alike.
type producerEngine struct {
	p     sarama.AsyncProducer
	topic string
	tally *tally
	start time.Time
	txn   *txnRunner // nil unless transactional

	// sendMu serialises add and finish, so that nothing is sent (or begins
	// a transaction) once the producer is closing.
	sendMu sync.Mutex

	mu       sync.Mutex
	closed   bool
	inflight map[*msgMeta]struct{}

	stopping  chan struct{}
	collected chan struct{}
	// idle gets a token whenever the last message in flight settles.
	idle chan struct{}
}

// msgMeta travels with a message as its Metadata.
type msgMeta struct {
	pos      Position
	bytes    int
	enqueued time.Duration
}

func newProducerEngine(f conn.Factory, topic string, s Settings, t *tally, flushTimeout time.Duration) (*producerEngine, error) {
	p, err := f.AsyncProducer(s.Apply, func(c *sarama.Config) {
		c.Producer.Partitioner = sarama.NewManualPartitioner
	})
	if err != nil {
		return nil, fmt.Errorf("start producer: %w", err)
	}
	e := &producerEngine{
		p: p, topic: topic, tally: t, start: time.Now(), inflight: map[*msgMeta]struct{}{},
		stopping: make(chan struct{}), collected: make(chan struct{}), idle: make(chan struct{}, 1),
	}
	if s.TransactionalID != "" {
		e.txn = newTxnRunner(p, s.TxnSize, t, flushTimeout)
	}
	go e.collect()
	return e, nil
}

func (e *producerEngine) stickyByBatch() bool { return false }

// add sends a copy of r, beginning and committing transactions as their
// size says.
func (e *producerEngine) add(r *Record, part int32) error {
	e.sendMu.Lock()
	defer e.sendMu.Unlock()
	if e.isClosed() {
		return errClosed
	}
	if e.txn != nil {
		if err := e.txn.beforeSend(); err != nil {
			return err
		}
	}
	msg, meta := e.message(r, part)
	e.mu.Lock()
	e.inflight[meta] = struct{}{}
	e.mu.Unlock()
	e.tally.sent(1)
	select {
	case e.p.Input() <- msg:
	case <-e.stopping:
		e.fail(meta, Failure{Pos: meta.pos, Partition: part, Err: errNotSent})
		return errClosed
	}
	if e.txn != nil {
		return e.txn.afterSend()
	}
	return nil
}

// message copies r into a producer message.
func (e *producerEngine) message(r *Record, part int32) (*sarama.ProducerMessage, *msgMeta) {
	meta := &msgMeta{pos: r.Pos, bytes: len(r.Key) + len(r.Value), enqueued: handedSince(e.start, r)}
	msg := &sarama.ProducerMessage{Topic: e.topic, Partition: part, Timestamp: r.Timestamp, Metadata: meta}
	if msg.Timestamp.IsZero() {
		msg.Timestamp = e.start.Add(meta.enqueued)
	}
	if r.Key != nil {
		msg.Key = sarama.ByteEncoder(bytes.Clone(r.Key))
	}
	if r.Value != nil {
		msg.Value = sarama.ByteEncoder(bytes.Clone(r.Value))
	}
	for _, h := range r.Headers {
		msg.Headers = append(msg.Headers, sarama.RecordHeader{Key: bytes.Clone(h.Key), Value: bytes.Clone(h.Value)})
	}
	return msg, meta
}

// collect settles messages as sarama returns them, until both channels
// are closed.
func (e *producerEngine) collect() {
	defer close(e.collected)
	conn.DrainResults(e.p, e.acked, e.failed)
}

func (e *producerEngine) acked(m *sarama.ProducerMessage) {
	meta := m.Metadata.(*msgMeta)
	a := Ack{Pos: meta.pos, Partition: m.Partition, Offset: m.Offset, Timestamp: m.Timestamp}
	latency := time.Since(e.start) - meta.enqueued
	if e.txn != nil {
		e.settle(meta, func() {})
		e.txn.acked(a, meta.bytes, latency)
		return
	}
	e.settle(meta, func() { e.tally.ackLocked(a, meta.bytes, latency) })
}

func (e *producerEngine) failed(pe *sarama.ProducerError) {
	meta := pe.Msg.Metadata.(*msgMeta)
	err := pe.Err
	if isMaybeWritten(err) {
		err = fmt.Errorf("%w: %w", err, ErrInDoubt)
	}
	e.fail(meta, Failure{Pos: meta.pos, Partition: pe.Msg.Partition, Err: err})
}

// fail settles a failed message: at once, or with its transaction.
func (e *producerEngine) fail(meta *msgMeta, f Failure) {
	if e.txn != nil {
		e.settle(meta, func() {})
		e.txn.failed(f)
		return
	}
	e.settle(meta, func() { e.tally.failLocked(f) })
}

// settle removes meta from the in-flight set and, if it was there, runs
// report with the tally locked. A message already reported in doubt is
// not reported again.
func (e *producerEngine) settle(meta *msgMeta, report func()) {
	e.mu.Lock()
	_, ok := e.inflight[meta]
	delete(e.inflight, meta)
	if ok && len(e.inflight) == 0 {
		select {
		case e.idle <- struct{}{}:
		default:
		}
	}
	e.mu.Unlock()
	if ok {
		e.tally.with(report)
	}
}

func (e *producerEngine) isClosed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.closed
}

func (e *producerEngine) stop() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.closed {
		e.closed = true
		close(e.stopping)
	}
}

// finish ends an open transaction (commit, or abort when failed), closes
// the producer and waits up to timeout for the outstanding answers.
func (e *producerEngine) finish(timeout time.Duration, failed bool) error {
	e.stop()
	e.sendMu.Lock()
	defer e.sendMu.Unlock()
	var err error
	if e.txn != nil {
		err = e.txn.end(failed)
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	// sarama fails the messages it is still retrying when it is closed
	// ("in process of shutting down"), which would hide the broker's own
	// error and call possibly written records failed: let the retries
	// end first, within the flush timeout.
	idle := e.txn != nil || e.waitIdle(t.C)
	e.p.AsyncClose()
	if idle {
		select {
		case <-e.collected:
			return err
		case <-t.C:
		}
	}
	e.mu.Lock()
	left := e.inflight
	e.inflight = map[*msgMeta]struct{}{}
	e.mu.Unlock()
	e.tally.with(func() {
		for m := range left {
			e.tally.failLocked(Failure{Pos: m.pos, Partition: AnyPartition, Err: fmt.Errorf("no answer before the flush timeout: %w", ErrInDoubt)})
		}
	})
	return err
}

// waitIdle waits until no message is in flight (true) or expired fires
// (false).
func (e *producerEngine) waitIdle(expired <-chan time.Time) bool {
	for {
		e.mu.Lock()
		n := len(e.inflight)
		e.mu.Unlock()
		if n == 0 {
			return true
		}
		select {
		case <-e.idle:
		case <-expired:
			return false
		}
	}
}
