package verify

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kq-dev/kq/chaos"
	"github.com/kq-dev/kq/internal/gather"
	"github.com/kq-dev/kq/verify/history"

	"github.com/IBM/sarama"
)

// maxBatch bounds the records a consumer takes, commits and processes as
// one batch: what has arrived, up to this many. Kafka's default
// max.poll.records (500) cost a consumer that fell behind the producers
// too many synchronous commits to catch up (BENCHMARKS.md, issue 17).
const maxBatch = 4096

// consumer is one member of the run's consumer group: the application
// whose deliveries the checker judges (outside the copy pipeline). It
// records each record it processes, committing before or after the batch
// as the settings say. A crash replaces its client with a fresh one under
// the same static member id.
type consumer struct {
	r   *run
	idx int

	mu  sync.Mutex
	inc *consIncarnation
	gen int

	// reading is set while the consumer's group session reads every
	// partition it was assigned, from when all its claims have started to
	// the session's end (see run.awaitReaders).
	reading atomic.Bool
}

// consIncarnation is one client of a consumer.
type consIncarnation struct {
	c      *consumer
	label  string // consumer field of the history: "c0/1"
	life   *life
	client sarama.Client
	group  sarama.ConsumerGroup
	commit commitConn    // the synchronous commits' connection
	done   chan struct{} // closed when the consume loop ends

	// crashAfter, when not negative, makes the incarnation die in its next
	// batch after processing this share (in [0, 1]) of it.
	crashAfter atomic.Value // float64
	// risk counts the records at risk now: committed but not processed
	// (committing before: synchronously, or, with auto-commit, once the
	// broker holds the background commit of the mark), processed but not
	// committed (committing after; a mark for auto-commit counts as a
	// commit).
	risk atomic.Int64
}

// instanceID is the consumer's static group member id.
func (c *consumer) instanceID() string { return fmt.Sprintf("%s-c%d", c.r.ids.group, c.idx) }

// name names the consumer in the history and the log.
func (c *consumer) name() string { return fmt.Sprintf("consumer %d", c.idx) }

// run consumes until ctx ends, starting a fresh incarnation after each
// crash; crashed ones shut down in the background.
func (c *consumer) run(ctx context.Context) {
	for ctx.Err() == nil {
		inc, err := c.open(ctx)
		if err != nil {
			if ctx.Err() == nil {
				c.r.fail(fmt.Errorf("%s: %w", c.name(), err))
			}
			return
		}
		go inc.consume(ctx)
		select {
		case <-ctx.Done():
			<-inc.done
			inc.close()
			return
		case <-inc.life.dead:
			c.r.bury(func() { <-inc.done; inc.close() })
		}
	}
}

func (c *consumer) open(ctx context.Context) (*consIncarnation, error) {
	l := c.r.newLife()
	client, err := retryOpen(ctx, c.r, func() (sarama.Client, error) {
		return l.ks.factory(c.r.f).Client(c.r.groupConfig(l, c.instanceID()))
	})
	if err != nil {
		return nil, err
	}
	g, err := sarama.NewConsumerGroupFromClient(c.r.ids.group, client)
	if err != nil {
		client.Close()
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	inc := &consIncarnation{c: c, label: fmt.Sprintf("c%d/%d", c.idx, c.gen), life: l, client: client, group: g, done: make(chan struct{})}
	c.inc = inc
	c.gen++
	return inc, nil
}

// crashGrace is how long a crash of a producer or copier waits for its
// client to hold work at risk before killing it wherever it is.
const crashGrace = time.Second

// crash arms a crash of the current incarnation for the middle of its next
// batch: after the commit that comes before processing, if any, and after
// processing a random share of the batch, before the commit that comes
// after; with auto-commit, once the background commit has run (see
// [claimState.crash]). That is where commit order decides between loss
// and redelivery; a crash at a random instant would mostly find a consumer
// waiting for records or rejoining its group. The crash waits for that
// batch however long it takes (a consumer between sessions holds nothing
// at risk); false when the consumer is not running or a crash is armed
// already.
func (c *consumer) crash(share float64) bool {
	c.mu.Lock()
	inc := c.inc
	c.mu.Unlock()
	if inc == nil || inc.life.isDead() {
		return false
	}
	return inc.crashAfter.CompareAndSwap(nil, share)
}

// die kills the incarnation and records the crash with the records it
// held at risk, unless it was dead already.
func (inc *consIncarnation) die() {
	if inc.life.kill() {
		inc.c.r.crashed(chaos.CrashConsumer, inc.label, int(max(inc.risk.Load(), 0)))
	}
}

// consume runs group sessions until ctx ends or the incarnation dies. A
// handler that cannot commit ends its session, so the next one resumes
// from the committed offsets.
func (inc *consIncarnation) consume(ctx context.Context) {
	defer close(inc.done)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-inc.life.dead:
			cancel()
		case <-ctx.Done():
		}
	}()
	for ctx.Err() == nil {
		sctx, restart := context.WithCancel(ctx)
		err := inc.group.Consume(sctx, []string{inc.c.r.ids.input}, &groupHandler{inc: inc, restart: restart})
		restart()
		if err != nil && ctx.Err() == nil {
			inc.c.r.logf("%s: %v", inc.c.name(), err)
			sleepCtx(ctx, 200*time.Millisecond)
		}
	}
}

// close shuts the incarnation's client down.
func (inc *consIncarnation) close() {
	inc.group.Close()
	inc.commit.close()
	inc.client.Close()
}

// groupHandler processes the claims of one group session.
type groupHandler struct {
	inc     *consIncarnation
	restart context.CancelFunc
	// starting counts the session's claims not yet reading.
	starting atomic.Int32
}

// Setup records the session's assignment. The session starts from the
// committed offsets, holding no work at risk.
func (h *groupHandler) Setup(sess sarama.ConsumerGroupSession) error {
	h.inc.risk.Store(0)
	h.recordClaims(history.TypeAssign, sess)
	n := 0
	for _, parts := range sess.Claims() {
		n += len(parts)
	}
	h.starting.Store(int32(n))
	h.inc.c.reading.Store(n == 0)
	return nil
}

// claimReading notes that one of the session's claims started reading:
// once all have, so has the consumer.
func (h *groupHandler) claimReading() {
	if h.starting.Add(-1) == 0 {
		h.inc.c.reading.Store(true)
	}
}

// Cleanup records that the session's assignment is revoked.
func (h *groupHandler) Cleanup(sess sarama.ConsumerGroupSession) error {
	h.inc.c.reading.Store(false)
	h.recordClaims(history.TypeRevoke, sess)
	return nil
}

// recordClaims records an assign or revoke event per topic of the session.
func (h *groupHandler) recordClaims(t history.EventType, sess sarama.ConsumerGroupSession) {
	for topic, parts := range sess.Claims() {
		h.inc.c.r.record(history.Event{Type: t, Consumer: h.inc.label, Topic: topic, Partitions: slices.Sorted(slices.Values(parts))})
	}
}

// ConsumeClaim processes the claim batch by batch until it ends. It
// returns only once the claim's last commit has ended, so no commit of a
// session is in flight while the next one starts from the committed
// offsets.
func (h *groupHandler) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	h.recordStart(claim)
	h.claimReading()
	cl := newClaimState(h, sess)
	defer cl.pipe.wait()
	for {
		batch, ok := cl.next(claim.Messages())
		if !ok {
			h.restart()
			return nil
		}
		if len(batch) == 0 {
			return nil
		}
		if !cl.process(batch) {
			h.restart()
			return nil
		}
	}
}

// recordStart records a seek to where the claim starts reading: the
// committed offset, or the log start when nothing was committed or the
// committed offset was out of range (sarama then resets to the oldest
// offset, which InitialOffset reports).
func (h *groupHandler) recordStart(claim sarama.ConsumerGroupClaim) {
	r, off := h.inc.c.r, claim.InitialOffset()
	if off < 0 { // sarama.OffsetOldest, the run's initial offset
		o, err := r.ctl.logStart(claim.Topic(), claim.Partition(), 2*r.requestTimeout)
		if err != nil {
			r.logf("%s: start of %s/%d: %v", h.inc.c.name(), claim.Topic(), claim.Partition(), err)
			return // the assignment alone says the position moved
		}
		off = o
	}
	r.record(history.Event{Type: history.TypeSeek, Consumer: h.inc.label, Topic: claim.Topic(), Partition: claim.Partition(), Offset: off})
}

// next waits for a record, then takes those already buffered, up to
// maxBatch, into the claim's batch array (valid until the next call); an
// empty batch when the claim ends. Meanwhile it takes the outcome of the
// commit in flight: ok is false when that commit failed, and the session
// must restart so its records come again and their commit is retried (an
// idle claim would otherwise never commit them).
func (cl *claimState) next(msgs <-chan *sarama.ConsumerMessage) (batch []*sarama.ConsumerMessage, ok bool) {
	for {
		select {
		case m, open := <-msgs:
			if !open {
				return nil, true
			}
			cl.batch = gather.Buffered(msgs, append(cl.batch[:0], m), maxBatch)
			return cl.batch, true
		case <-cl.sess.Context().Done():
			return nil, true
		case <-cl.h.inc.life.dead:
			return nil, true
		case took := <-cl.pipe.res:
			if !cl.pipe.ended(took) {
				return nil, false
			}
		}
	}
}
