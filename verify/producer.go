package verify

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kq-dev/kq/chaos"
	"github.com/kq-dev/kq/verify/history"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/seqmsg"
	"github.com/kq-dev/kq/internal/setting"
)

// producer writes the values of one producer id, seq counting up from 0 in
// the order they are handed to the client, and records every send's
// outcome. A crash replaces its client (an incarnation) with a fresh one
// that goes on with the next seq.
type producer struct {
	r     *run
	id    uint32
	quota int64 // values to hand over; 0 when the run has a duration
	next  uint64

	mu      sync.Mutex
	inc     *prodIncarnation // current incarnation
	sending bool             // crashable: still handing values over
	armed   bool             // a crash is waiting for the next value
	gen     int
}

// prodIncarnation is one client of a producer. Every value handed to it is
// pending until exactly one event records it: ok or fail or info from the
// client's result, or info when the incarnation crashes first.
type prodIncarnation struct {
	r       *run
	id      uint32
	p       sarama.AsyncProducer
	life    *life
	mu      sync.Mutex
	pending *sendWindow   // when each was handed over; nil once crashed
	room    chan struct{} // signalled when pending falls below maxPending
	results chan struct{} // closed when the result loop ends
}

// maxPending bounds the sends of a producer incarnation awaiting an
// outcome: the producer waits for answers before it hands over more, as a
// Kafka producer blocks when its buffer.memory is full. sarama's
// AsyncProducer buffers without a bound while its requests are in flight,
// so the faster the producers ran, the more memory a run took (a
// 10,000,000-value run's peak RSS rose from 181 MB at 32k values/s to
// 264 MB at 94k/s: BENCHMARKS.md, issue 17). Held back by the acks=all
// hold of the replication model (20 ms), a producer at 100k values/s has
// about 2,000 sends in flight.
const maxPending = 1 << 15

// run hands over values until the quota or deadline, then waits for their
// outcomes and closes the client.
func (p *producer) run(ctx context.Context, deadline time.Time) error {
	inc, err := p.open(ctx)
	if err != nil {
		return err
	}
	for p.more(deadline) && ctx.Err() == nil {
		if err := p.r.limiter.wait(ctx); err != nil {
			break
		}
		if inc, err = p.hand(ctx, inc); err != nil {
			break
		}
	}
	p.mu.Lock()
	p.sending = false
	p.mu.Unlock()
	p.finish(ctx, inc)
	return err
}

func (p *producer) more(deadline time.Time) bool {
	if !deadline.IsZero() {
		return time.Now().Before(deadline)
	}
	return int64(p.next) < p.quota
}

// hand hands the next value to the client, replacing a crashed
// incarnation first. A value tracked but lost to a crash is recorded as
// indeterminate by the crash, and its seq is not reused.
func (p *producer) hand(ctx context.Context, inc *prodIncarnation) (*prodIncarnation, error) {
	if err := inc.awaitRoom(ctx); err != nil {
		return inc, err
	}
	seq := p.next
	for !inc.track(seq) {
		var err error
		if inc, err = p.replace(ctx, inc); err != nil {
			return inc, err
		}
	}
	msg := &sarama.ProducerMessage{
		Topic:    p.r.ids.input,
		Value:    sarama.ByteEncoder(seqmsg.Encode(nil, seqmsg.Value{Producer: p.id, Seq: seq}, p.r.set.Workload.Size)),
		Metadata: seq,
	}
	select {
	case inc.p.Input() <- msg:
	case <-inc.life.dead:
	case <-ctx.Done():
		inc.forget(seq)
		return inc, ctx.Err()
	}
	p.next++
	p.r.stats.sent.Add(1)
	p.crashIfArmed()
	return inc, nil
}

// open starts a fresh incarnation, retrying while the cluster cannot be
// reached (a fault may be in force).
func (p *producer) open(ctx context.Context) (*prodIncarnation, error) {
	l := p.r.newLife()
	ap, err := retryOpen(ctx, p.r, func() (sarama.AsyncProducer, error) {
		return l.ks.factory(p.r.f).AsyncProducer(p.r.producerConfig(l))
	})
	if err != nil {
		return nil, err
	}
	inc := &prodIncarnation{r: p.r, id: p.id, p: ap, life: l, pending: newSendWindow(), room: make(chan struct{}, 1), results: make(chan struct{})}
	go inc.collect()
	p.mu.Lock()
	p.inc, p.sending = inc, true
	p.gen++
	p.mu.Unlock()
	return inc, nil
}

// replace shuts a crashed incarnation down in the background and opens a
// new one.
func (p *producer) replace(ctx context.Context, dead *prodIncarnation) (*prodIncarnation, error) {
	p.r.bury(func() {
		dead.p.AsyncClose()
		<-dead.results
	})
	return p.open(ctx)
}

// crash arms a crash of the current incarnation if the producer is still
// sending: it lands right after the producer hands over its next value,
// so sends are in flight, or after crashGrace wherever the producer is.
// It reports whether it armed one.
func (p *producer) crash(float64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.sending || p.armed {
		return false
	}
	p.armed = true
	go func() {
		t := time.NewTimer(crashGrace)
		defer t.Stop()
		<-t.C
		p.crashIfArmed()
	}()
	return true
}

// crashIfArmed crashes the current incarnation if a crash is armed and
// records it with the sends in flight.
func (p *producer) crashIfArmed() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.armed {
		return
	}
	p.armed = false
	if pending, alive := p.inc.crash(); alive {
		p.r.crashed(chaos.CrashProducer, p.name(), pending)
	}
}

// finish waits until every value handed over has an outcome (closing a
// producer with retries pending would fail them), then closes the client.
// Values still pending after the drain timeout are recorded as
// indeterminate by the close.
func (p *producer) finish(ctx context.Context, inc *prodIncarnation) {
	if inc.life.isDead() {
		p.replaceDone(inc)
		return
	}
	waitUntil(ctx, p.r.drainTimeout, func() bool { return inc.pendingCount() == 0 })
	inc.p.AsyncClose()
	t := time.NewTimer(p.r.requestTimeout * 2)
	defer t.Stop()
	select {
	case <-inc.results:
	case <-t.C:
		_, _ = inc.crash()
		<-inc.results
	}
}

func (p *producer) replaceDone(inc *prodIncarnation) {
	inc.p.AsyncClose()
	<-inc.results
}

// track makes seq pending; false when the incarnation has crashed.
func (inc *prodIncarnation) track(seq uint64) bool {
	inc.mu.Lock()
	defer inc.mu.Unlock()
	if inc.pending == nil {
		return false
	}
	inc.pending.add(seq)
	return true
}

// awaitRoom waits until fewer than maxPending sends await an outcome, the
// incarnation dies (its next track fails) or ctx ends.
func (inc *prodIncarnation) awaitRoom(ctx context.Context) error {
	for inc.pendingCount() >= maxPending {
		select {
		case <-inc.room:
		case <-inc.life.dead:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// forget drops seq, which was never handed over.
func (inc *prodIncarnation) forget(seq uint64) {
	inc.mu.Lock()
	defer inc.mu.Unlock()
	if inc.pending != nil {
		inc.pending.take(seq)
	}
}

func (inc *prodIncarnation) pendingCount() int {
	inc.mu.Lock()
	defer inc.mu.Unlock()
	if inc.pending == nil {
		return 0
	}
	return inc.pending.len()
}

// crash records every pending value as indeterminate (a crashed process
// never learns their fate), then cuts the connections. It returns how many
// values were pending and whether the incarnation was alive.
func (inc *prodIncarnation) crash() (int, bool) {
	inc.mu.Lock()
	pending := inc.pending
	inc.pending = nil
	n := 0
	if pending != nil {
		n = pending.len()
		pending.each(func(seq uint64, waited time.Duration) {
			e := history.NewSend(inc.id, seq, history.StatusInfo, "producer crashed with the send in flight")
			e.Latency = waited
			inc.r.record(e)
			inc.r.stats.info.Add(1)
		})
	}
	inc.mu.Unlock()
	return n, inc.life.kill()
}

// collect records the client's results until both channels close.
func (inc *prodIncarnation) collect() {
	defer close(inc.results)
	conn.DrainResults(inc.p,
		func(m *sarama.ProducerMessage) { inc.resolve(m, nil) },
		func(e *sarama.ProducerError) { inc.resolve(e.Msg, e.Err) })
}

// resolve records the outcome of one send unless a crash already did.
func (inc *prodIncarnation) resolve(m *sarama.ProducerMessage, err error) {
	seq, ok := m.Metadata.(uint64)
	if !ok {
		return
	}
	inc.mu.Lock()
	defer inc.mu.Unlock()
	if inc.pending == nil {
		return
	}
	waited, ok := inc.pending.take(seq)
	if !ok {
		return
	}
	if inc.pending.len() == maxPending-1 {
		select {
		case inc.room <- struct{}{}:
		default:
		}
	}
	e := inc.r.sendOutcome(inc.id, seq, m, err)
	e.Latency = waited
	inc.r.record(e)
}

// sendOutcome turns a client result into a send event and counts it.
func (r *run) sendOutcome(id uint32, seq uint64, m *sarama.ProducerMessage, err error) history.Event {
	switch {
	case err != nil && produceErrStatus(err, r.refusalsDefinite()) == history.StatusFail:
		r.stats.failed.Add(1)
		return history.NewSend(id, seq, history.StatusFail, err.Error())
	case err != nil:
		r.stats.info.Add(1)
		return history.NewSend(id, seq, history.StatusInfo, err.Error())
	}
	r.stats.acked.Add(1)
	e := history.NewSend(id, seq, history.StatusOK, "")
	e.Topic, e.Partition, e.Offset = m.Topic, m.Partition, m.Offset
	if r.set.Acks == setting.AcksNone {
		// The client reports success without a broker's answer: an
		// acknowledgement all the same, at an offset nobody knows.
		e.Offset = history.NoOffset
	}
	return e
}

// produceErrStatus classifies a produce error. Only a rejection no retry could
// have changed proves the value was not written: it is too large,
// malformed, or not authorised. NOT_ENOUGH_REPLICAS (acks=all refused
// before the append, the ISR being smaller than min.insync.replicas)
// proves it too when refusals is set: the send had a single attempt, so
// no earlier one can have written it. Anything else (timeouts, lost
// responses, NOT_ENOUGH_REPLICAS_AFTER_APPEND, broker errors after
// retries, an error reported on a write the broker made anyway) may have
// left the value in the log: indeterminate.
func produceErrStatus(err error, refusals bool) history.Status {
	for _, k := range []sarama.KError{
		sarama.ErrMessageSizeTooLarge, sarama.ErrMessageSetSizeTooLarge, sarama.ErrInvalidMessage,
		sarama.ErrInvalidRecord, sarama.ErrTopicAuthorizationFailed,
	} {
		if errors.Is(err, k) {
			return history.StatusFail
		}
	}
	if refusals && errors.Is(err, sarama.ErrNotEnoughReplicas) {
		return history.StatusFail
	}
	return history.StatusInfo
}

// refusalsDefinite reports whether a NOT_ENOUGH_REPLICAS answer proves a
// value was not written: every send has one attempt (no retries), and no
// fault of the run fakes that answer for a write the broker made
// (response-error with that code).
func (r *run) refusalsDefinite() bool {
	if r.set.Retries != 0 {
		return false
	}
	for _, f := range r.set.Faults.Faults {
		if f.Kind == chaos.ResponseError && f.ErrorCode == int16(sarama.ErrNotEnoughReplicas) {
			return false
		}
	}
	return true
}

// stats are the run's live counters, for progress and throughput.
type stats struct {
	sent, acked, failed, info atomic.Uint64
	delivered, copied         atomic.Uint64
	commits, aborts, crashes  atomic.Uint64
	// lastCopy is when a copier last committed a transaction (Unix ns).
	lastCopy atomic.Int64
}
