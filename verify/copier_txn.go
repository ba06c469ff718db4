package verify

import (
	"context"
	"fmt"
	"maps"
	"slices"
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
// open) it gives up at the deadline or after txnIdle without a record.
func (inc *copyIncarnation) await(ctx context.Context, deadline time.Time) (*sarama.ConsumerMessage, next) {
	var timeout <-chan time.Time
	if !deadline.IsZero() {
		t := time.NewTimer(min(txnIdle, max(time.Until(deadline), 0)))
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
	offsets, n, ev := c.fill(ctx, inc, m)
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
	return c.commit(ctx, inc, offsets, n)
}

// fill copies records into the open transaction, starting with m, until
// it is full, idle, or something ends it.
func (c *copier) fill(ctx context.Context, inc *copyIncarnation, m *sarama.ConsumerMessage) (map[int32]int64, int, next) {
	offsets := map[int32]int64{}
	deadline := time.Now().Add(txnMaxAge)
	n := 0
	for {
		if !inc.produce(m) {
			return offsets, n, copierDied
		}
		offsets[m.Partition] = m.Offset + 1
		n++
		if ev := c.crashDue(inc, n, false); ev != gotRecord {
			return offsets, n, ev
		}
		if n >= c.r.set.Workload.TxnSize {
			return offsets, n, txnFull
		}
		var ev next
		if m, ev = inc.await(ctx, deadline); ev != gotRecord {
			return offsets, n, ev
		}
	}
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
func (c *copier) commit(ctx context.Context, inc *copyIncarnation, offsets map[int32]int64, n int) (*copyIncarnation, error) {
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
	c.r.stats.commits.Add(1)
	c.r.stats.copied.Add(uint64(n))
	for _, p := range slices.Sorted(maps.Keys(offsets)) {
		c.r.record(history.Event{Type: history.TypeCommit, Status: history.StatusOK, Consumer: c.name(), Topic: c.r.ids.input, Partition: p, Offset: offsets[p]})
	}
	return inc, nil
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
