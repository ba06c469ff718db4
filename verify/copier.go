package verify

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kq-dev/kq/chaos"
	"github.com/kq-dev/kq/verify/history"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/conn"
)

// Transaction pacing of the copiers: a transaction shorter than the
// workload's TxnSize commits after a quiet spell or at a maximum age.
// Once the producers are done no more input is coming but what the log
// holds, and the quiet spell shrinks to txnIdleDrained: a copier's last
// transaction waited txnIdle for records that were not coming, in a copy
// phase of well under a second in a fast run of 200,000 values.
const (
	txnIdle        = 50 * time.Millisecond
	txnIdleDrained = 5 * time.Millisecond
	txnMaxAge      = 500 * time.Millisecond
)

// copier is one consume-transform-produce worker of the copy pipeline, as
// in Kafka's own exactly-once system test: it reads its input partitions
// read_committed and copies each record to the same partition of the
// output topic in transactions that also commit its input offsets, and
// aborts some transactions on purpose, then reads again from the committed
// offsets. Its transactional id is stable, so a fresh copier started after
// a crash fences the crashed one and aborts its open transaction.
type copier struct {
	r     *run
	idx   int
	parts []int32
	rng   *rand.Rand // abort choices; the copier's goroutine only

	mu    sync.Mutex
	inc   *copyIncarnation
	armed *pendingCrash // a crash waiting for a transaction, or nil

	// reading is set once the copier's first incarnation is open: its
	// transactional producer initialised and its input partitions read
	// (see run.awaitReaders).
	reading atomic.Bool
}

func newCopier(r *run, idx, n int) *copier {
	c := &copier{r: r, idx: idx, rng: rand.New(rand.NewPCG(r.set.Faults.Seed, uint64(idx)))}
	for p := idx; p < r.set.Workload.Partitions; p += n {
		c.parts = append(c.parts, int32(p))
	}
	return c
}

// txnID is the copier's transactional id.
func (c *copier) txnID() string { return fmt.Sprintf("%s-%d", c.r.ids.copyGroup, c.idx) }

// name names the copier in the history and the log.
func (c *copier) name() string { return fmt.Sprintf("copier %d", c.idx) }

// run copies until ctx ends.
func (c *copier) run(ctx context.Context) {
	if len(c.parts) == 0 {
		return
	}
	inc, err := c.open(ctx)
	c.reading.Store(err == nil)
	for err == nil && ctx.Err() == nil {
		inc, err = c.transaction(ctx, inc)
	}
	if err != nil && ctx.Err() == nil {
		c.r.fail(fmt.Errorf("%s: %w", c.name(), err))
	}
	if inc != nil {
		c.recordInput(history.TypeRevoke)
		inc.close()
	}
}

// copyIncarnation is one client pair of a copier: a transactional producer
// and an input consumer, and the state of the open transaction.
type copyIncarnation struct {
	c       *copier
	life    *life // the producer's; a copier crash kills both lives
	prod    sarama.AsyncProducer
	results chan struct{}
	in      *copyInput
	bg      sync.WaitGroup // blocking calls abandoned by a crash

	mu        sync.Mutex
	txn       int
	sent      int
	resolved  int
	acked     map[int32][]int64 // output offsets acknowledged in txn
	committed bool              // setting.CommitTxn was called for txn
	open      bool              // txn began and has not ended
	// settled, when set, is closed once resolved reaches sent (see
	// waitSettled).
	settled chan struct{}
}

// open starts a fresh incarnation: the producer first (its InitProducerId
// fences any earlier one and aborts its transaction), then the input at
// the committed offsets.
func (c *copier) open(ctx context.Context) (*copyIncarnation, error) {
	l := c.r.newLife()
	prod, err := retryOpen(ctx, c.r, func() (sarama.AsyncProducer, error) {
		return l.ks.factory(c.r.f).AsyncProducer(c.r.copierProducerConfig(l, c.txnID()))
	})
	if err != nil {
		return nil, err
	}
	inc := &copyIncarnation{c: c, life: l, prod: prod, results: make(chan struct{})}
	go inc.collect()
	if inc.in, err = c.openInput(ctx); err != nil {
		inc.abandon()
		return nil, err
	}
	c.mu.Lock()
	c.inc = inc
	c.mu.Unlock()
	return inc, nil
}

// restart abandons inc in the background and opens a fresh incarnation.
func (c *copier) restart(ctx context.Context, inc *copyIncarnation) (*copyIncarnation, error) {
	c.recordInput(history.TypeRevoke)
	c.r.bury(inc.abandon)
	return c.open(ctx)
}

// crash kills the copier's current incarnation, producer and input, in
// its next transaction once it has copied a share of it, or wherever it
// is after crashGrace (see [copier.scheduleCrash]).
func (c *copier) crash(share float64) bool {
	return c.scheduleCrash(crashWhole, share)
}

// copierInput is the crash-consumer victim of the copy pipeline: a
// copier's input consumer alone. The copier aborts its open transaction
// and reads again from the committed offsets with a fresh consumer.
type copierInput struct{ c *copier }

// crash kills the copier's input consumer, in the middle of a transaction
// as for a copier crash.
func (ci copierInput) crash(share float64) bool {
	return ci.c.scheduleCrash(crashInput, share)
}

// What a scheduled copier crash kills.
const (
	crashWhole = iota + 1 // the copier: producer and input
	crashInput            // the input consumer alone
)

// pendingCrash is a crash waiting for a transaction to reach share of
// its size.
type pendingCrash struct {
	what  int
	share float64
}

// scheduleCrash arms a crash of the current incarnation for its next
// transaction: the crash lands once the transaction holds share of
// TxnSize records, or before it commits, so it always finds work at
// risk while records flow. An idle copier is crashed after crashGrace
// wherever it is. It reports false when the copier is not running or a
// crash is already armed.
func (c *copier) scheduleCrash(what int, share float64) bool {
	c.mu.Lock()
	inc := c.inc
	if inc == nil || inc.life.isDead() || c.armed != nil {
		c.mu.Unlock()
		return false
	}
	p := &pendingCrash{what: what, share: share}
	c.armed = p
	c.mu.Unlock()
	go func() {
		t := time.NewTimer(crashGrace)
		defer t.Stop()
		select {
		case <-t.C:
			c.fireCrash(inc, p)
		case <-inc.life.dead:
			c.disarm(p)
		}
	}()
	return true
}

// crashDue fires an armed crash if the open transaction of n records has
// reached its share, or when end is set (the transaction is about to
// commit). It returns what died (copierDied or inputDied), or gotRecord
// when nothing did.
func (c *copier) crashDue(inc *copyIncarnation, n int, end bool) next {
	c.mu.Lock()
	p := c.armed
	c.mu.Unlock()
	if p == nil || (!end && float64(n) < p.share*float64(c.r.set.Workload.TxnSize)) {
		return gotRecord
	}
	if !c.fireCrash(inc, p) {
		return gotRecord
	}
	if p.what == crashInput {
		return inputDied
	}
	return copierDied
}

// fireCrash kills what p names in inc and records the crash with the
// records at risk, unless p was fired or disarmed already.
func (c *copier) fireCrash(inc *copyIncarnation, p *pendingCrash) bool {
	if !c.disarm(p) {
		return false
	}
	atRisk := inc.atRisk()
	c.mu.Lock()
	in := inc.in
	c.mu.Unlock()
	if p.what == crashInput {
		if in.life.kill() {
			c.r.crashed(chaos.CrashConsumer, copierInput{c}.name(), atRisk)
		}
		return true
	}
	in.life.kill()
	if inc.life.kill() {
		c.r.crashed(chaos.CrashCopier, c.name(), atRisk)
	}
	return true
}

// disarm clears p if it is the armed crash, and reports whether it was.
func (c *copier) disarm(p *pendingCrash) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.armed != p {
		return false
	}
	c.armed = nil
	return true
}

// atRisk counts the records of the open transaction, none between
// transactions.
func (inc *copyIncarnation) atRisk() int {
	inc.mu.Lock()
	defer inc.mu.Unlock()
	if !inc.open {
		return 0
	}
	return inc.sent
}

// abandon shuts a crashed (or broken) incarnation down: no request of it
// reaches the cluster any more.
func (inc *copyIncarnation) abandon() {
	inc.life.kill()
	if inc.in != nil {
		inc.in.life.kill()
	}
	inc.bg.Wait()
	inc.prod.AsyncClose()
	<-inc.results
	if inc.in != nil {
		inc.in.close()
	}
}

// close shuts a healthy incarnation down at the end of the run.
func (inc *copyIncarnation) close() {
	inc.bg.Wait()
	inc.prod.AsyncClose()
	<-inc.results
	inc.in.close()
}

// call runs a blocking producer call, unless the incarnation dies first;
// then the call is left to finish in the background.
func (inc *copyIncarnation) call(fn func() error) (err error, dead bool) {
	done := make(chan error, 1)
	inc.bg.Add(1)
	go func() {
		defer inc.bg.Done()
		done <- fn()
	}()
	select {
	case err := <-done:
		return err, false
	case <-inc.life.dead:
		return nil, true
	}
}

// collect tracks the acknowledgements of the open transaction's records.
func (inc *copyIncarnation) collect() {
	defer close(inc.results)
	conn.DrainResults(inc.prod,
		func(m *sarama.ProducerMessage) { inc.resolve(m, true) },
		func(e *sarama.ProducerError) { inc.resolve(e.Msg, false) })
}

func (inc *copyIncarnation) resolve(m *sarama.ProducerMessage, ok bool) {
	txn, _ := m.Metadata.(int)
	inc.mu.Lock()
	defer inc.mu.Unlock()
	if txn != inc.txn {
		return
	}
	inc.resolved++
	if inc.settled != nil && inc.resolved >= inc.sent {
		close(inc.settled)
		inc.settled = nil
	}
	if ok {
		inc.acked[m.Partition] = append(inc.acked[m.Partition], m.Offset)
	}
}

// endTxn marks the transaction ended (committed or aborted).
func (inc *copyIncarnation) endTxn() {
	inc.mu.Lock()
	defer inc.mu.Unlock()
	inc.open = false
}

// beginTxn resets the transaction state.
func (inc *copyIncarnation) beginTxn() {
	inc.mu.Lock()
	defer inc.mu.Unlock()
	inc.txn++
	inc.sent, inc.resolved, inc.committed, inc.open = 0, 0, false, true
	inc.settled = nil
	inc.acked = map[int32][]int64{}
}

// recordAborted records the output offsets acknowledged in the open
// transaction as aborted, unless a commit of it was attempted (then its
// fate is unknown). Sound because a transaction that never sent
// EndTxn(commit) can only end aborted: by the copier, by the coordinator's
// timeout, or by the fencing of a fresh copier. Records written but not
// acknowledged are not named; were one visible, it would show up as a
// duplicate of its re-copy instead.
func (inc *copyIncarnation) recordAborted(settle bool) {
	if settle {
		inc.waitSettled(inc.c.r.requestTimeout)
	}
	inc.mu.Lock()
	defer inc.mu.Unlock()
	if inc.committed {
		return
	}
	for p, offs := range inc.acked {
		for _, s := range spans(offs) {
			inc.c.r.record(history.Event{Type: history.TypeAbort, Topic: inc.c.r.ids.output, Partition: p, Offset: s.first, LastOffset: s.last})
		}
	}
	inc.acked = map[int32][]int64{}
}

// waitSettled waits until every record sent in the open transaction has
// its answer, for at most timeout, and reports whether they all have. The
// copier's goroutine calls it once it sends no more in the transaction;
// the answers wake it (polling cost a copier up to 20 ms per transaction).
func (inc *copyIncarnation) waitSettled(timeout time.Duration) bool {
	inc.mu.Lock()
	if inc.resolved >= inc.sent {
		inc.mu.Unlock()
		return true
	}
	ch := make(chan struct{})
	inc.settled = ch
	inc.mu.Unlock()
	if !sleepStop(ch, timeout) { // answered
		return true
	}
	inc.mu.Lock()
	defer inc.mu.Unlock()
	if inc.settled == ch {
		inc.settled = nil
	}
	return inc.resolved >= inc.sent
}

// offsetRange is an inclusive range of offsets.
type offsetRange struct{ first, last int64 }

// spans merges offsets into runs of consecutive offsets.
func spans(offs []int64) []offsetRange {
	offs = slices.Clone(offs)
	slices.Sort(offs)
	var out []offsetRange
	for _, o := range offs {
		if n := len(out); n > 0 && (out[n-1].last == o || out[n-1].last+1 == o) {
			out[n-1].last = o
			continue
		}
		out = append(out, offsetRange{o, o})
	}
	return out
}
