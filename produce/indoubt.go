package produce

import (
	"cmp"
	"slices"
	"time"
)

// An idempotent batch that failed in doubt (no answer before the delivery
// timeout) leaves its partition's sequence numbers unresolved: if it was
// not written, the broker expects its first sequence and refuses every
// later batch as out of order; if it was, renumbering the later batches
// into its place would make the broker take them for it (a duplicate
// answered as acked, never written). Kafka's Java client resolves this
// (KIP-360): it stops sending the partition's new batches, waits for the
// ones already sent to settle (a later one refused as out of order, never
// written, need not: it waits like the new ones), then, unless a later
// batch was acked (which proves the one in doubt was appended), restarts
// the partition's sequences at 0 under a bumped epoch. kq does the same with a new
// producer id for the partition (InitProducerId; what the Java client did
// before KIP-360) rather than a bumped epoch: a non-transactional
// InitProducerId always returns a new id in Kafka, the Java client bumps
// the epoch locally and the broker keeps the epoch per partition, but the
// built-in broker (kfake) keeps it per producer and refuses the other
// partitions' batches of the old epoch once one partition sent the new
// one. A new id per partition is valid on every broker since 0.11. The
// batch in doubt is still reported in doubt: it may be in the log, once,
// beside the later batches.

// recovery is the state of a partition whose batch failed in doubt.
type recovery struct {
	after      uint64 // the seal order of its latest batch in doubt
	restarting bool   // waiting for a new producer id
}

// lets reports whether a batch of the partition in slot s may go: any,
// unless the partition recovers (r is not nil), when only a batch already
// sent may be sent again until the partition restarts.
func (r *recovery) lets(s slot) bool {
	return r == nil || s.sent && !r.restarting
}

// take reports whether b may be sent now and, if so, marks it sent: from
// now on it may be in the log.
func (g *window) take(b *batch) bool {
	if g == nil {
		return true
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	s := g.slotLocked(b)
	if s == nil {
		return false
	}
	s.sent = true
	return true
}

// inDoubt records that b, not yet settled, failed in doubt.
func (g *window) inDoubt(b *batch) {
	if g == nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.doubt[b.partition] = &recovery{after: b.seq}
}

// acked records that b was acknowledged: the broker appended it, so it
// knows the producer id (see window.known) and every earlier sequence of
// the id was appended too, a batch in doubt before b included: the
// partition needs no new producer id.
func (g *window) acked(b *batch) {
	if g == nil {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.known[b.partition] = true
	if r := g.doubt[b.partition]; r != nil && !r.restarting && b.seq > r.after {
		delete(g.doubt, b.partition)
	}
}

// unsend records that b, refused as out of order and never written,
// need not be counted as sent when its partition recovers from a batch in
// doubt sealed before it: it waits, like the batches never sent, to be
// renumbered under the new producer id (the Java client rewrites the
// sequences of such batches in flight as well). It calls quiet if b was
// the last sent batch the partition waited for.
func (g *window) unsend(b *batch) {
	if g == nil {
		return
	}
	g.mu.Lock()
	r := g.doubt[b.partition]
	i := slices.IndexFunc(g.queue[b.partition], func(s slot) bool { return s.seq == b.seq })
	if r == nil || r.restarting || b.seq <= r.after || i < 0 {
		g.mu.Unlock()
		return
	}
	g.queue[b.partition][i].sent = false
	quiet := g.quietLocked(b.partition)
	g.mu.Unlock()
	if quiet {
		g.quiet(b.partition)
	}
}

// quietLocked reports whether partition p recovers and has no batch that
// was sent and is not settled, and if so marks it restarting: the caller
// then calls quiet.
func (g *window) quietLocked(p int32) bool {
	r := g.doubt[p]
	if r == nil || r.restarting || slices.ContainsFunc(g.queue[p], func(s slot) bool { return s.sent && !s.settled }) {
		return false
	}
	r.restarting = true
	return true
}

// restarted ends partition p's recovery: its batches may go again, the
// oldest alone until one is acked (the broker may not know its producer
// id yet).
func (g *window) restarted(p int32) {
	g.mu.Lock()
	delete(g.doubt, p)
	delete(g.known, p)
	g.mu.Unlock()
	g.wake()
}

// restart gives partition p, whose batches in flight have settled after
// one failed in doubt, a new producer id and restarts its sequences at 0,
// in a goroutine: it asks the cluster for the id, again after each
// failure, until the delivery timeout passes or the producer finishes.
// Having no new id by then, the partition's batches go on under the old
// one (the broker may refuse them as out of order until their own
// delivery timeouts).
func (s *sender) restart(p int32) {
	go func() {
		defer s.gate.restarted(p)
		deadline := time.Now().Add(s.timeout)
		for {
			id, epoch, err := initProducer(s.client)
			if err == nil {
				s.acc.restart(p, id, epoch)
				return
			}
			if s.abandoned.Load() || time.Now().Add(s.backoff).After(deadline) {
				return
			}
			select {
			case <-s.quit:
				return
			case <-time.After(max(s.backoff, 10*time.Millisecond)):
			}
		}
	}()
}

// restart gives partition p's sealed batches, all unsent, and its next
// ones, producer id and epoch from sequence 0, in seal order.
func (a *accumulator) restart(p int32, id int64, epoch int16) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var bs []*batch
	for b := range a.pending {
		if b.partition == p {
			bs = append(bs, b)
		}
	}
	slices.SortFunc(bs, func(x, y *batch) int { return cmp.Compare(x.seq, y.seq) })
	a.seqs.restart(p, id, epoch)
	for _, b := range bs {
		b.producer = a.seqs.assign(p, len(b.recs))
		b.firstSeq.Store(b.producer.seq)
	}
}
