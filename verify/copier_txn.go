package verify

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/verify/history"
)

// next is what waiting for the next input record came to.
type next int

const (
	gotRecord  next = iota
	txnFull         // the transaction reached TxnSize
	idle            // no record for txnIdle, or the transaction is old
	stopped         // the run is over
	copierDied      // the copier crashed
	inputDied       // the input consumer crashed
)

// await waits for the next input record; with a deadline (a transaction is
// open) it gives up at the deadline or after txnIdle without a record
// (txnIdleDrained once the producers are done).
func (inc *copyIncarnation) await(ctx context.Context, deadline time.Time) (*sarama.ConsumerMessage, next) {
	if !deadline.IsZero() && !inc.life.isDead() && !inc.in.life.isDead() && ctx.Err() == nil {
		// A record that is there already needs no timer (one per record
		// cost the copiers a tenth of their CPU).
		select {
		case m := <-inc.in.msgs:
			return m, gotRecord
		default:
		}
	}
	var timeout <-chan time.Time
	if !deadline.IsZero() {
		idle := txnIdle
		if inc.c.r.phase.get() != PhaseProduce {
			idle = txnIdleDrained
		}
		t := time.NewTimer(min(idle, max(time.Until(deadline), 0)))
		defer t.Stop()
		timeout = t.C
	}
	select {
	case m := <-inc.in.msgs:
		return m, gotRecord
	case <-timeout:
		return nil, idle
	case <-ctx.Done():
		return nil, stopped
	case <-inc.life.dead:
		return nil, copierDied
	case <-inc.in.life.dead:
		return nil, inputDied
	}
}

// transaction copies one transaction's worth of records and ends it,
// returning the incarnation to go on with. No transaction is open while
// the input is idle.
func (c *copier) transaction(ctx context.Context, inc *copyIncarnation) (*copyIncarnation, error) {
	m, ev := inc.await(ctx, time.Time{})
	switch ev {
	case stopped:
		return inc, nil
	case copierDied:
		return c.restart(ctx, inc)
	case inputDied:
		return inc, c.replaceInput(ctx, inc)
	}
	if err, dead := inc.call(inc.prod.BeginTxn); dead || err != nil {
		c.r.logf("%s: begin transaction: %v", c.name(), err)
		return c.restart(ctx, inc)
	}
	inc.beginTxn()
	read, n, ev := c.fill(ctx, inc, m)
	if ev == txnFull || ev == idle {
		if died := c.crashDue(inc, n, true); died != gotRecord {
			ev = died
		}
	}
	switch ev {
	case copierDied:
		inc.recordAborted(false)
		return c.restart(ctx, inc)
	case inputDied:
		return c.abort(ctx, inc, true)
	}
	if c.rng.Float64() < c.r.set.Workload.AbortRate {
		return c.abort(ctx, inc, false)
	}
	return c.commit(ctx, inc, read, n)
}

// txnRead is what a transaction read, per input partition: the offsets of
// its first and last records and how many.
type txnRead map[int32]readRange

type readRange struct {
	first, last int64
	n           int64
}

// add notes that the transaction read offset of partition p.
func (r txnRead) add(p int32, offset int64) {
	rr, ok := r[p]
	if !ok {
		rr.first = offset
	}
	rr.last, rr.n = offset, rr.n+1
	r[p] = rr
}

// next returns the offsets to commit: one past the last read of each
// partition.
func (r txnRead) next() map[int32]int64 {
	out := make(map[int32]int64, len(r))
	for p, rr := range r {
		out[p] = rr.last + 1
	}
	return out
}

// txnGrowth bounds how far a copier that falls behind grows a transaction
// past the workload's TxnSize: while input records are waiting, it takes
// them into the open transaction, up to this many times TxnSize. Every
// transaction waits for its last produce request's acks=all answer (the
// built-in broker's replica lag, 20 ms by default) and four round trips
// (AddOffsetsToTxn, TxnOffsetCommit, EndTxn, markers) whatever its size,
// so a copier that only ever copied TxnSize values per transaction could
// not catch up with the producers (BENCHMARKS.md, issue 17). A copier that
// keeps up sees no backlog and cuts its transactions at TxnSize, as
// before: paced runs keep their number of transactions.
const txnGrowth = 10

// fill copies records into the open transaction, starting with m, until
// it is full, idle, or something ends it. Full is TxnSize records, or
// more while records are waiting (see txnGrowth).
func (c *copier) fill(ctx context.Context, inc *copyIncarnation, m *sarama.ConsumerMessage) (txnRead, int, next) {
	offsets := txnRead{}
	deadline := time.Now().Add(txnMaxAge)
	n := 0
	for {
		if !inc.produce(m) {
			return offsets, n, copierDied
		}
		offsets.add(m.Partition, m.Offset)
		n++
		if ev := c.crashDue(inc, n, false); ev != gotRecord {
			return offsets, n, ev
		}
		if c.full(inc, n) {
			return offsets, n, txnFull
		}
		var ev next
		if m, ev = inc.await(ctx, deadline); ev != gotRecord {
			return offsets, n, ev
		}
	}
}

// full reports whether an open transaction of n records is full: it has
// TxnSize records and no input is waiting, or txnGrowth times as many.
func (c *copier) full(inc *copyIncarnation, n int) bool {
	size := c.r.set.Workload.TxnSize
	return n >= size && (len(inc.in.msgs) == 0 || n >= txnGrowth*size)
}

// produce hands a copy of m to the producer; false if the copier died.
func (inc *copyIncarnation) produce(m *sarama.ConsumerMessage) bool {
	out := &sarama.ProducerMessage{Topic: inc.c.r.ids.output, Partition: m.Partition, Value: sarama.ByteEncoder(m.Value)}
	inc.mu.Lock()
	out.Metadata = inc.txn
	inc.sent++
	inc.mu.Unlock()
	select {
	case inc.prod.Input() <- out:
		return true
	case <-inc.life.dead:
		return false
	}
}

// commit commits the input offsets and the copies in the transaction. On
// failure the transaction's fate is unknown; the copier starts afresh from
// the committed offsets, fencing its former self.
func (c *copier) commit(ctx context.Context, inc *copyIncarnation, read txnRead, n int) (*copyIncarnation, error) {
	offsets := read.next()
	err, dead := inc.call(func() error {
		if err := inc.prod.AddOffsetsToTxn(offsetMetadata(c.r.ids.input, offsets), c.r.ids.copyGroup); err != nil {
			return fmt.Errorf("add offsets to transaction: %w", err)
		}
		inc.mu.Lock()
		inc.committed = true
		inc.mu.Unlock()
		return inc.prod.CommitTxn()
	})
	switch {
	case dead:
		inc.recordAborted(false)
		return c.restart(ctx, inc)
	case err != nil:
		c.r.logf("%s: %v", c.name(), err)
		return c.abortAfterError(ctx, inc)
	}
	inc.endTxn()
	storeMax(&c.r.stats.lastCopy, time.Now().UnixNano())
	c.r.stats.commits.Add(1)
	c.r.stats.copied.Add(uint64(n))
	c.recordTxn(inc, read)
	for _, p := range slices.Sorted(maps.Keys(offsets)) {
		c.r.record(history.Event{Type: history.TypeCommit, Status: history.StatusOK, Consumer: c.name(), Topic: c.r.ids.input, Partition: p, Offset: offsets[p]})
	}
	return inc, nil
}

// storeMax raises v to x unless it holds more already.
func storeMax(v *atomic.Int64, x int64) {
	for {
		old := v.Load()
		if old >= x || v.CompareAndSwap(old, x) {
			return
		}
	}
}

// abortAfterError ends a transaction that failed: aborted when sarama
// allows it, else by a fresh copier's fencing.
func (c *copier) abortAfterError(ctx context.Context, inc *copyIncarnation) (*copyIncarnation, error) {
	if inc.prod.TxnStatus()&sarama.ProducerTxnFlagAbortableError == 0 {
		inc.recordAborted(false)
		return c.restart(ctx, inc)
	}
	return c.abort(ctx, inc, false)
}

// abort aborts the open transaction, records its copies as aborted and
// reads again from the committed offsets (with a fresh input consumer when
// newInput is set).
func (c *copier) abort(ctx context.Context, inc *copyIncarnation, newInput bool) (*copyIncarnation, error) {
	err, dead := inc.call(inc.prod.AbortTxn)
	if dead || err != nil {
		if err != nil {
			c.r.logf("%s: abort: %v", c.name(), err)
		}
		inc.recordAborted(false)
		return c.restart(ctx, inc)
	}
	inc.recordAborted(true)
	inc.endTxn()
	c.r.stats.aborts.Add(1)
	if newInput || inc.in.life.isDead() {
		return inc, c.replaceInput(ctx, inc)
	}
	if err := c.rewind(ctx, inc.in); err != nil {
		return c.restart(ctx, inc)
	}
	return inc, nil
}

// replaceInput replaces a crashed input consumer with a fresh one at the
// committed offsets.
func (c *copier) replaceInput(ctx context.Context, inc *copyIncarnation) error {
	old := inc.in
	c.recordInput(history.TypeRevoke)
	in, err := c.openInput(ctx)
	if err != nil {
		return err
	}
	c.mu.Lock()
	inc.in = in
	c.mu.Unlock()
	c.r.bury(old.close)
	return nil
}

// offsetMetadata is the offsets map of AddOffsetsToTxn.
func offsetMetadata(topic string, offsets map[int32]int64) map[string][]*sarama.PartitionOffsetMetadata {
	out := make([]*sarama.PartitionOffsetMetadata, 0, len(offsets))
	for p, o := range offsets {
		out = append(out, &sarama.PartitionOffsetMetadata{Partition: p, Offset: o, LeaderEpoch: -1})
	}
	return map[string][]*sarama.PartitionOffsetMetadata{topic: out}
}

// recordTxn records a committed transaction: per output partition, the
// range and number of the records it wrote (acknowledged; a read_committed
// reader must see all of them or none), and per input partition what it
// read, which its offset commits are judged against. Its id is the
// transactional id and the first input offset it read, unique among the
// copier's committed transactions.
func (c *copier) recordTxn(inc *copyIncarnation, read txnRead) {
	parts := slices.Sorted(maps.Keys(read))
	if len(parts) == 0 {
		return
	}
	id := fmt.Sprintf("%s/%d@%d", c.txnID(), parts[0], read[parts[0]].first)
	inc.waitSettled(c.r.requestTimeout)
	inc.mu.Lock()
	wrote := inc.acked
	inc.acked = map[int32][]int64{}
	inc.mu.Unlock()
	for _, p := range slices.Sorted(maps.Keys(wrote)) {
		offs := wrote[p]
		c.r.record(history.Event{Type: history.TypeTxn, Txn: id, Outcome: history.OutcomeCommitted, Topic: c.r.ids.output, Partition: p,
			Offset: slices.Min(offs), LastOffset: slices.Max(offs), Count: int64(len(offs))})
	}
	for _, p := range parts {
		rr := read[p]
		c.r.record(history.Event{Type: history.TypeTxn, Txn: id, Outcome: history.OutcomeCommitted, Consumer: c.name(), Topic: c.r.ids.input, Partition: p,
			Offset: rr.first, LastOffset: rr.last, Count: rr.n})
	}
}
