package verify

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/seqmsg"
	"github.com/kq-dev/kq/internal/setting"
	"github.com/kq-dev/kq/verify/history"
)

// Commit pacing of a group consumer.
const (
	// commitAttempts bounds the tries of a synchronous commit whose
	// coordinator moved or is loading; after them the session restarts.
	commitAttempts = 3
	// autoCommitTicks is how many auto-commit intervals, on top of a
	// request timeout, a crash of an auto-committing consumer waits, its
	// processing stalled, for the background commit to take the offsets it
	// marked (see claimState.crash).
	autoCommitTicks = 2
)

// claimState is a group consumer's processing of one claim.
type claimState struct {
	h    *groupHandler
	sess sarama.ConsumerGroupSession
	// marked is the offset this claim last marked for the background
	// auto-commit, or -1.
	marked int64
	// pipe runs the synchronous commits that come after processing.
	pipe commitPipe
	// done holds the deliveries processed and not yet recorded (see
	// doneRecords); its array, like batch's, is reused from batch to
	// batch.
	done  []history.Event
	batch []*sarama.ConsumerMessage
	// dec decodes the claim's values.
	dec seqmsg.Decoder
	// send sends one synchronous commit of the offset after m (a seam for
	// tests; commitOffset on the incarnation's commit connection).
	send func(m *sarama.ConsumerMessage) error
	// groupCommitted reads the group's committed offset of a partition (a
	// seam for tests; the run's control client).
	groupCommitted func(topic string, p int32) (int64, error)
}

// newClaimState starts the processing of a claim of sess.
func newClaimState(h *groupHandler, sess sarama.ConsumerGroupSession) *claimState {
	inc := h.inc
	cl := &claimState{h: h, sess: sess, marked: -1}
	cl.send = func(m *sarama.ConsumerMessage) error {
		return commitOffset(&inc.commit, inc.client, inc.c.r.ids.group, sess, inc.c.instanceID(), m)
	}
	cl.groupCommitted = func(topic string, p int32) (int64, error) {
		r := inc.c.r
		c, err := r.ctl.committed(r.ids.group, topic, []int32{p})
		if err != nil {
			return -1, err
		}
		return c[0], nil
	}
	return cl
}

// process commits and processes one batch in the settings' order,
// spending the workload's processing time on it, and records each record
// once its processing is done. It returns false when the session must
// restart: a commit failed (committing first, the batch must not be
// processed uncommitted; committing after, it must come again so its
// commit is retried) or the incarnation died.
func (cl *claimState) process(batch []*sarama.ConsumerMessage) bool {
	inc := cl.h.inc
	r, last, n := inc.c.r, batch[len(batch)-1], len(batch)
	before := r.set.Commit == setting.CommitBefore
	// A mark for the background commit is not yet a commit the broker
	// holds: records marked before processing count at risk only once it
	// does (see crash).
	syncBefore := before && !r.set.AutoCommit
	if before && !cl.commit(last) {
		return false
	}
	if syncBefore {
		inc.risk.Add(int64(n)) // committed, not yet processed
	}
	upTo := -1
	if share, ok := inc.crashAfter.Load().(float64); ok {
		upTo = crashPoint(share, n, before)
	}
	pace := pacer{start: time.Now(), total: r.batchTime(), n: n}
	done := doneRecords{cl: cl, syncBefore: syncBefore, after: !before}
	cl.done = cl.done[:0]
	for i, m := range batch {
		if i == upTo {
			if done.flush() {
				cl.crash(batch[i:])
			}
			return false
		}
		if !pace.wait(i, inc.life.dead, done.pause) || !done.add(m) {
			return false
		}
	}
	if !done.flush() {
		return false
	}
	if upTo == n {
		cl.crash(nil)
		return false
	}
	if !before {
		return cl.commitAfter(last, n)
	}
	storeMax(&r.stats.lastRead, time.Now().UnixNano())
	return !inc.life.isDead()
}

// commitAfter commits a processed batch of n records ending with last:
// a mark for the background auto-commit at once, a synchronous commit in
// the background once the previous batch's has ended (see commitPipe).
// It returns false when the session must restart: that previous commit
// failed, or the incarnation died.
func (cl *claimState) commitAfter(last *sarama.ConsumerMessage, n int) bool {
	inc := cl.h.inc
	if inc.c.r.set.AutoCommit {
		if !cl.commit(last) {
			return false
		}
		inc.risk.Add(-int64(n))
		return !inc.life.isDead()
	}
	if !cl.pipe.wait() {
		return false
	}
	cl.pipe.start(func() bool {
		if !cl.commit(last) {
			return false
		}
		inc.risk.Add(-int64(n)) // processed and committed
		storeMax(&inc.c.r.stats.lastRead, time.Now().UnixNano())
		return true
	})
	return !inc.life.isDead()
}

// recordChunk bounds the deliveries recorded under one hold of the
// recorder's lock, so producers and other claims wait little for it.
const recordChunk = 256

// doneRecords gathers the deliveries of records a claim processed without
// pausing, and records them together: taking the recorder's lock per
// record, the claims of a fast drain waited for each other more than they
// worked (BENCHMARKS.md, issue 17). The delivered count and the records at
// risk change as they are recorded.
type doneRecords struct {
	cl         *claimState
	syncBefore bool // the batch was committed before processing
	after      bool // the batch is committed after processing
}

// add processes m: its delivery is recorded at the next flush, or now
// when recordChunk deliveries wait. False when the incarnation died.
func (d *doneRecords) add(m *sarama.ConsumerMessage) bool {
	inc := d.cl.h.inc
	d.cl.done = history.AppendDelivery(d.cl.done, &d.cl.dec, inc.label, m.Topic, m.Partition, m.Offset, m.Value)
	if len(d.cl.done) >= recordChunk {
		return d.flush()
	}
	return true
}

// pause records the deliveries gathered before the pacer sleeps.
func (d *doneRecords) pause() { d.flush() }

// flush records the deliveries gathered, unless the incarnation died: a
// record is processed once its delivery is recorded, and those gathered
// when it died never were (whether it died here or in another claim).
// It reports whether the incarnation lives.
func (d *doneRecords) flush() bool {
	es := d.cl.done
	d.cl.done = es[:0]
	inc := d.cl.h.inc
	if inc.life.isDead() {
		return false
	}
	if len(es) == 0 {
		return true
	}
	inc.c.r.recordAll(es)
	k := int64(len(es))
	inc.c.r.stats.delivered.Add(uint64(k))
	switch {
	case d.syncBefore:
		inc.risk.Add(-k) // committed and now processed
	case d.after:
		inc.risk.Add(k) // processed, not yet committed
	}
	return true
}

// crashPoint is how many records of a batch of n a consumer processes
// before a crash with the random share kills it: committing before, at
// most n-1 (a record committed but not processed); committing after, at
// least 1 (a record processed but not committed).
func crashPoint(share float64, n int, commitBefore bool) int {
	k := int(share * float64(n))
	if commitBefore {
		return min(k, n-1)
	}
	return max(k, 1)
}

// crash kills the incarnation in the middle of a batch, with rest (the
// records of the claim's batch not processed) left over. With auto-commit
// the processing of the next record first stalls until the background
// commit holds what the claim marked, at most two auto-commit intervals
// and a request timeout (2.4 s by default): a consumer whose processing
// outlasts the auto-commit interval is where auto-commit puts records at
// risk. Committing before, the records of rest the broker then holds as
// committed are at risk (committed, never to be processed): they are
// counted, and the commit the broker holds is recorded.
func (cl *claimState) crash(rest []*sarama.ConsumerMessage) {
	inc := cl.h.inc
	r := inc.c.r
	if r.set.AutoCommit && cl.marked >= 0 && len(rest) > 0 {
		m := rest[0]
		committed, ok := cl.awaitAutoCommit(m.Topic, m.Partition)
		// What the claim marked is all it can have committed: a greater
		// offset is another member's, after a rebalance.
		own := min(committed, cl.marked)
		if ok {
			r.record(history.Event{Type: history.TypeCommit, Status: history.StatusOK, Consumer: inc.label, Topic: m.Topic, Partition: m.Partition, Offset: own})
		}
		if ok && r.set.Commit == setting.CommitBefore {
			inc.risk.Add(int64(countBelow(rest, own)))
		}
	}
	inc.die()
}

// awaitAutoCommit polls the group's committed offset of the partition,
// with the run's control client, until it reaches the claim's mark; it
// returns the offset the broker holds and whether it got there in time.
// It gives up (false) once the incarnation is dead: another of its claims
// crashed it meanwhile, and an offset read after that may be its
// successor's commit, not this claim's.
func (cl *claimState) awaitAutoCommit(topic string, p int32) (int64, bool) {
	inc := cl.h.inc
	r := inc.c.r
	var got int64 = -1
	dead := false
	wait := autoCommitTicks*autoCommitInterval + r.requestTimeout
	ok := waitUntil(context.Background(), wait, func() bool {
		c, err := cl.groupCommitted(topic, p)
		if dead = inc.life.isDead(); dead {
			return true // checked after the read: an offset read alive is the incarnation's
		}
		if err == nil {
			got = c
		}
		return got >= cl.marked
	})
	if dead {
		return got, false
	}
	if !ok {
		r.logf("%s: the background commit of %s/%d@%d did not show within %v (the broker holds %d)", cl.h.inc.c.name(), topic, p, cl.marked, wait, got)
	}
	return got, ok
}

// countBelow counts the records of msgs at offsets below off.
func countBelow(msgs []*sarama.ConsumerMessage, off int64) int {
	n := 0
	for _, m := range msgs {
		if m.Offset < off {
			n++
		}
	}
	return n
}

// commit commits the offset after m: by marking it for the background
// auto-commit, or synchronously, retrying while the group's coordinator
// moves. It reports whether the commit is known to have succeeded (a mark
// counts).
func (cl *claimState) commit(m *sarama.ConsumerMessage) bool {
	inc := cl.h.inc
	if inc.life.isDead() {
		return false
	}
	if inc.c.r.set.AutoCommit {
		cl.sess.MarkMessage(m, "")
		cl.marked = m.Offset + 1
		return true
	}
	var err error
	for try := 1; try <= commitAttempts; try++ {
		err = cl.send(m)
		cl.recordCommit(m, err)
		if err == nil || !coordinatorMoved(err) || inc.life.isDead() {
			break
		}
		sleepCtx(cl.sess.Context(), retryBackoff)
	}
	if err != nil {
		inc.c.r.logf("%s: commit %s/%d@%d: %v", inc.c.name(), m.Topic, m.Partition, m.Offset+1, err)
		return false
	}
	return !inc.life.isDead()
}

// coordinatorMoved reports whether a commit failed because the group's
// coordinator moved or is loading: worth another try at once.
func coordinatorMoved(err error) bool {
	switch err {
	case sarama.ErrNotCoordinatorForConsumer, sarama.ErrConsumerCoordinatorNotAvailable, sarama.ErrOffsetsLoadInProgress:
		return true
	}
	return false
}

// recordCommit records a synchronous commit of the offset after m: ok, or
// of unknown outcome when it failed (a lost answer may hide a commit).
func (cl *claimState) recordCommit(m *sarama.ConsumerMessage, err error) {
	e := history.Event{Type: history.TypeCommit, Status: history.StatusOK, Consumer: cl.h.inc.label, Topic: m.Topic, Partition: m.Partition, Offset: m.Offset + 1}
	if err != nil {
		e.Status, e.Error = history.StatusInfo, err.Error()
	}
	cl.h.inc.c.r.record(e)
}

// batchTime draws the processing time of one batch: the workload's
// ProcessTime, jittered uniformly from half to one and a half times it.
func (r *run) batchTime() time.Duration {
	pt := r.set.Workload.ProcessTime
	if pt <= 0 {
		return 0
	}
	return time.Duration(float64(pt) * (0.5 + rand.Float64()))
}

// pacer spreads a batch's processing time over its n records: record i is
// done at start + total*(i+1)/n.
type pacer struct {
	start time.Time
	total time.Duration
	n     int
	// calm is a time (since start) before which no record's end needs a
	// pause: the time last read plus minSleep. The clock only moves on,
	// so until a record is due at calm or later, reading it again could
	// not find one minSleep ahead (a clock read per record was a twentieth
	// of a consumer's CPU, BENCHMARKS.md session 7).
	calm time.Duration
}

// minSleep is the shortest pause the pacer takes before a record other
// than a batch's last: finer pauses cost more than they are worth.
const minSleep = time.Millisecond

// wait waits until record i is processed, calling pause first when it
// is about to sleep; false if dead closed first.
func (p *pacer) wait(i int, dead <-chan struct{}, pause func()) bool {
	if p.total <= 0 {
		return true
	}
	due, last := p.total*time.Duration(i+1)/time.Duration(p.n), i == p.n-1
	if due < p.calm && !last {
		return true
	}
	now := time.Since(p.start)
	p.calm = now + minSleep
	d := due - now
	if d <= 0 || (d < minSleep && !last) {
		return true
	}
	pause()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-dead:
		return false
	}
}
