package verify

import (
	"context"
	"errors"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kq-dev/kq/chaos"
	"github.com/kq-dev/kq/verify/history"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/seqmsg"
	"github.com/kq-dev/kq/produce"
)

// producer writes the values of one producer id, seq counting up from 0 in
// the order they are handed to the client, and records every send's
// outcome. A crash replaces its client (an incarnation) with a fresh one
// that goes on with the next seq.
//
// The client is kq produce's batch path (package produce) with the run's
// producer settings: acks, retries, requests in flight, idempotence.
type producer struct {
	r     *run
	id    uint32
	quota int64 // values to hand over; 0 when the run has a duration

	mu      sync.Mutex
	next    uint64           // the next seq to hand over
	inc     *prodIncarnation // current incarnation
	sending bool             // crashable: still handing values over
	// armed is set while a crash waits for the next value: changed under
	// mu, read without it first (Next checks it for every value).
	armed atomic.Bool
}

// prodIncarnation is one client of a producer: a produce.Run fed by the
// incarnation as its Source and reporting to it as its Reporter. Every
// value handed to it is pending until exactly one event records it: ok or
// fail or info from the client's result, or info when the incarnation
// crashes first or its run ends without an answer.
type prodIncarnation struct {
	r        *run
	p        *producer
	id       uint32
	life     *life
	deadline time.Time // the run's end when it has a duration
	ctx      context.Context
	cancel   context.CancelFunc
	value    []byte      // the value buffer the client copies each record from
	asked    atomic.Bool // the client asked for a value (its run started)
	err      error       // the client run's error, once done is closed
	done     chan struct{}

	mu      sync.Mutex
	pending *sendWindow     // when each was handed over; nil once crashed
	room    chan struct{}   // signalled when pending falls below maxPending
	acked   []history.Event // AckedBatch's events, under mu
	handed  []time.Time     // and when each was handed over
}

// maxPending bounds the sends of a producer incarnation awaiting an
// outcome: the producer waits for answers before it hands over more, as a
// Kafka producer blocks when its buffer.memory is full. Held back by the
// acks=all hold of the replication model (20 ms, and a batch may wait for
// the request before it), a producer at 400k values/s has some 20,000 to
// 40,000 sends in flight. (The client's own buffer,
// produce.Settings.BufferBytes, bounds its memory too.)
const maxPending = 1 << 16

// run hands over values until the quota or deadline, waits for their
// outcomes and closes the client. A crashed incarnation is replaced at
// once and shuts down in the background; a client that cannot start (the
// cluster unreachable while a fault is in force) is started again as
// retryOpen does.
func (p *producer) run(ctx context.Context, deadline time.Time) error {
	for {
		inc, err := retryOpen(ctx, p.r, func() (*prodIncarnation, error) { return p.attempt(ctx, deadline) })
		if err == nil && inc.life.isDead() {
			p.r.bury(func() { <-inc.done })
			continue
		}
		p.mu.Lock()
		p.sending = false
		p.mu.Unlock()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
}

// attempt runs a fresh incarnation until its client ends or it crashes;
// its error is that of a client that could not start (it never asked
// for a value).
func (p *producer) attempt(ctx context.Context, deadline time.Time) (*prodIncarnation, error) {
	inc := p.start(ctx, deadline)
	select {
	case <-inc.done:
	case <-inc.life.dead:
	}
	if !inc.life.isDead() && !inc.asked.Load() && inc.err != nil {
		return nil, inc.err
	}
	return inc, nil
}

// more reports whether the producer has values left to hand over.
func (p *producer) more(deadline time.Time) bool {
	if !deadline.IsZero() {
		return time.Now().Before(deadline)
	}
	return int64(p.next) < p.quota
}

// start runs a fresh incarnation's client in the background.
func (p *producer) start(ctx context.Context, deadline time.Time) *prodIncarnation {
	l := p.r.newLife()
	inc := &prodIncarnation{r: p.r, p: p, id: p.id, life: l, deadline: deadline, pending: newSendWindow(),
		room: make(chan struct{}, 1), done: make(chan struct{})}
	inc.ctx, inc.cancel = context.WithCancel(ctx)
	p.mu.Lock()
	p.inc, p.sending = inc, true
	p.mu.Unlock()
	go inc.produce()
	return inc
}

// produce runs the client to the end of its input, then settles every
// value it never answered as indeterminate.
func (inc *prodIncarnation) produce() {
	defer close(inc.done)
	defer inc.cancel()
	f := inc.life.ks.factory(inc.r.f)
	tweak := f.Tweak
	f.Tweak = func(c *sarama.Config) {
		if tweak != nil {
			tweak(c)
		}
		inc.r.producerConfig(inc.life)(c)
	}
	_, inc.err = produce.Run(inc.ctx, f, inc.r.produceOptions(), inc, inc)
	inc.settle("the producer's client ended without an answer")
}

// produceOptions are the workload producers' options: the run's topic
// and client settings on kq produce's batch path, values spread round
// robin over the partitions.
func (r *run) produceOptions() produce.Options {
	s := produce.DefaultSettings()
	c := r.set.Client
	s.Acks, s.Idempotent, s.Retries, s.MaxInFlight = c.Acks, c.Idempotent, c.Retries, c.MaxInFlight
	s.RetryBackoff = retryBackoff
	// BufferBytes stays kq produce's default (8 MB): what one acks=all
	// round trip can move bounds a producer's rate; with 4 MB the
	// producers waited for room most of a run. The batches a producer
	// keeps and sends take up to three times its buffer; the run's soft
	// memory limit (cmd/gc.go) keeps a 10,000,000-value run under 300 MB
	// with them (BENCHMARKS.md).
	s.Partitioner = produce.PartitionRoundRobin
	s.FakedRefusals = r.fakesRefusals()
	// Retries, not time, bound a send (as with Kafka's retries before
	// delivery.timeout.ms): the drain timeout only ends a stuck one.
	s.DeliveryTimeout = r.drainTimeout
	return produce.Options{Topic: r.ids.input, Settings: s, FlushTimeout: r.drainTimeout}
}

// Next hands the next value to the client (produce.Source): it lands a
// crash armed after the previous one, waits for the rate and for room
// among the pending sends, and ends the input at the quota or deadline,
// when the run stops, or once the incarnation has crashed.
func (inc *prodIncarnation) Next(rec *produce.Record) error {
	inc.asked.Store(true)
	p := inc.p
	p.crashIfArmed()
	if inc.life.isDead() || inc.ctx.Err() != nil {
		return io.EOF
	}
	if err := p.r.limiter.wait(inc.ctx); err != nil {
		return io.EOF
	}
	seq, handed, ok, full := p.take(inc)
	for full { // rare: the room is checked as the seq is taken, under one lock
		if err := inc.awaitRoom(inc.ctx); err != nil || inc.life.isDead() {
			return io.EOF
		}
		seq, handed, ok, full = p.take(inc)
	}
	if !ok {
		return io.EOF
	}
	inc.value = seqmsg.Encode(inc.value[:0], seqmsg.Value{Producer: inc.id, Seq: seq}, inc.r.set.Workload.Size)
	// The client's latency clock starts at the send window's reading: one
	// clock read per value for both.
	*rec = produce.Record{Value: inc.value, Partition: produce.AnyPartition, Handed: handed, Pos: produce.Position{Index: int64(seq) + 1}}
	inc.r.stats.sent.Add(1)
	return nil
}

// take hands out the next seq to inc and makes it pending, handed over
// at handed; false at the end of the quota or deadline, or when inc has
// crashed. When maxPending sends of inc await an outcome it hands out
// nothing (full): wait for room, then take again.
func (p *producer) take(inc *prodIncarnation) (seq uint64, handed time.Time, ok, full bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.more(inc.deadline) {
		p.sending = false
		return 0, time.Time{}, false, false
	}
	if handed, ok, full = inc.track(p.next); !ok {
		return 0, time.Time{}, false, full
	}
	p.next++
	return p.next - 1, handed, true, false
}

// Acked records a value the broker acknowledged (produce.Reporter).
func (inc *prodIncarnation) Acked(a produce.Ack) {
	inc.resolve(uint64(a.Pos.Index-1), a.Partition, a.Offset, nil)
}

// AckedBatch records the values of acknowledged records together
// (produce.BatchReporter): one lock of the incarnation and one of the
// history for a batch.
func (inc *prodIncarnation) AckedBatch(acks []produce.Ack) {
	inc.mu.Lock()
	defer inc.mu.Unlock()
	if inc.pending == nil {
		return
	}
	es, handed := inc.acked[:0], inc.handed[:0]
	for _, a := range acks {
		seq := uint64(a.Pos.Index - 1)
		h, ok := inc.takeLocked(seq)
		if !ok {
			continue
		}
		es = append(es, history.Event{})
		es[len(es)-1].SetAck(inc.id, seq, inc.r.ids.input, a.Partition, a.Offset)
		handed = append(handed, h)
	}
	inc.r.stats.acked.Add(uint64(len(es)))
	inc.r.recordSends(es, handed)
	// Not cleared: an ack event holds no string but the run's topic, and
	// the next batch zeroes each slot as it appends to it (clearing them
	// too zeroed 400 bytes a value twice).
	inc.acked, inc.handed = es[:0], handed[:0]
}

// Failed records a value that failed or whose fate is unknown.
func (inc *prodIncarnation) Failed(f produce.Failure) {
	inc.resolve(uint64(f.Pos.Index-1), f.Partition, history.NoOffset, f.Err)
}

// Skipped is never called: the values are never bad input.
func (inc *prodIncarnation) Skipped(*produce.InputError) {}

// crash arms a crash of the current incarnation if the producer is still
// sending: it lands right after the producer hands over its next value,
// so sends are in flight, or after crashGrace wherever the producer is.
// It reports whether it armed one.
func (p *producer) crash(float64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.sending || p.armed.Load() {
		return false
	}
	p.armed.Store(true)
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
	if !p.armed.Load() {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.armed.Load() {
		return
	}
	p.armed.Store(false)
	if pending, alive := p.inc.crash(); alive {
		p.r.crashed(chaos.CrashProducer, p.name(), pending)
	}
}

// track makes seq pending and returns when it was handed over; false
// when the incarnation has crashed, or when maxPending sends await an
// outcome (full).
func (inc *prodIncarnation) track(seq uint64) (handed time.Time, ok, full bool) {
	inc.mu.Lock()
	defer inc.mu.Unlock()
	if inc.pending == nil {
		return time.Time{}, false, false
	}
	if inc.pending.len() >= maxPending {
		return time.Time{}, false, true
	}
	return inc.pending.add(seq), true, false
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

func (inc *prodIncarnation) pendingCount() int {
	inc.mu.Lock()
	defer inc.mu.Unlock()
	if inc.pending == nil {
		return 0
	}
	return inc.pending.len()
}

// crash records every pending value as indeterminate (a crashed process
// never learns their fate), then cuts the connections and stops the
// client. It returns how many values were pending and whether the
// incarnation was alive.
func (inc *prodIncarnation) crash() (int, bool) {
	n := inc.settle("producer crashed with the send in flight")
	alive := inc.life.kill()
	inc.cancel()
	return n, alive
}

// settle records every pending value as indeterminate with reason and
// stops tracking: later answers are ignored. It returns how many there
// were.
func (inc *prodIncarnation) settle(reason string) int {
	inc.mu.Lock()
	defer inc.mu.Unlock()
	pending := inc.pending
	inc.pending = nil
	if pending == nil {
		return 0
	}
	pending.each(func(seq uint64, waited time.Duration) {
		e := history.NewSend(inc.id, seq, history.StatusInfo, reason)
		e.Latency = waited
		inc.r.record(e)
		inc.r.stats.info.Add(1)
	})
	return pending.len()
}

// resolve records the outcome of one send unless a crash already did.
func (inc *prodIncarnation) resolve(seq uint64, partition int32, offset int64, err error) {
	inc.mu.Lock()
	defer inc.mu.Unlock()
	if inc.pending == nil {
		return
	}
	handed, ok := inc.takeLocked(seq)
	if !ok {
		return
	}
	inc.r.recordSend(inc.r.sendOutcome(inc.id, seq, partition, offset, err), handed)
}

// takeLocked takes seq out of the pending sends and returns when it was
// handed over, signalling room when they fall below maxPending; false
// when it was not pending. inc.mu is held.
func (inc *prodIncarnation) takeLocked(seq uint64) (time.Time, bool) {
	handed, ok := inc.pending.take(seq)
	if ok && inc.pending.len() == maxPending-1 {
		select {
		case inc.room <- struct{}{}:
		default:
		}
	}
	return handed, ok
}

// sendOutcome turns a client result into a send event and counts it.
func (r *run) sendOutcome(id uint32, seq uint64, partition int32, offset int64, err error) history.Event {
	switch {
	case err != nil && produceErrStatus(err, r.refusalsDefinite()) == history.StatusFail:
		r.stats.failed.Add(1)
		return history.NewSend(id, seq, history.StatusFail, err.Error())
	case err != nil:
		r.stats.info.Add(1)
		return history.NewSend(id, seq, history.StatusInfo, err.Error())
	}
	r.stats.acked.Add(1)
	// With acks=0 the client reports success without a broker's answer,
	// at offset -1 (produce.Ack): history.NoOffset, an offset nobody knows.
	var e history.Event
	e.SetAck(id, seq, r.ids.input, partition, offset)
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

// fakesRefusals reports whether a fault of the run may answer an error to
// a write the broker made (response-error).
func (r *run) fakesRefusals() bool {
	return slices.ContainsFunc(r.set.Faults.Faults, func(f chaos.Fault) bool { return f.Kind == chaos.ResponseError })
}

// stats are the run's live counters, for progress and throughput.
type stats struct {
	sent, acked, failed, info atomic.Uint64
	delivered, copied         atomic.Uint64
	commits, aborts, crashes  atomic.Uint64
	// lastCopy is when a copier last committed a transaction (Unix ns).
	lastCopy atomic.Int64
	// lastRead is when a group consumer last finished a batch (Unix ns):
	// processed it, and committed it when it commits synchronously.
	lastRead atomic.Int64
}
