package verify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/seqmsg"
	"github.com/kq-dev/kq/verify/check"
	"github.com/kq-dev/kq/verify/history"
)

// deliveries is a history sink that remembers the offsets delivered, the
// crashes' records at risk and the offsets committed.
type deliveries struct {
	mu        sync.Mutex
	done      map[int64]bool
	atRisk    []int64
	committed []int64
}

func (d *deliveries) Feed(e *history.Event) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	switch {
	case e.Type == history.TypeDeliver:
		d.done[e.Offset] = true
	case e.Type == history.TypeFault:
		d.atRisk = append(d.atRisk, e.AtRisk)
	case e.Type == history.TypeCommit && e.Status == history.StatusOK:
		d.committed = append(d.committed, e.Offset)
	}
	return nil
}

func (d *deliveries) has(off int64) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.done[off]
}

// fakeSession is the group session of a claim under test: only its
// context is used.
type fakeSession struct {
	sarama.ConsumerGroupSession
	ctx context.Context
}

func (s fakeSession) Context() context.Context { return s.ctx }

// sentCommit is one commit a claim under test sent.
type sentCommit struct {
	offset int64 // the offset committed: the next one to read
	// unprocessed lists the offsets below it not yet delivered when the
	// commit was sent.
	unprocessed []int64
	overlapped  bool // another commit was in flight
}

// claimUnderTest is a claim of a run of the given semantics whose commits
// are answered by answer (after wait) instead of a broker.
type claimUnderTest struct {
	cl   *claimState
	dels *deliveries

	mu       sync.Mutex
	sent     []sentCommit
	inFlight atomic.Int32
}

func newClaimUnderTest(t *testing.T, sem check.Semantics, processTime time.Duration, wait time.Duration, answer func(n int) error, mods ...func(*RunSettings)) *claimUnderTest {
	t.Helper()
	rs := RunSettings{Semantics: sem, Workload: Workload{ProcessTime: processTime}}
	for _, mod := range mods {
		mod(&rs)
	}
	set, err := Resolve(Options{RunSettings: rs})
	if err != nil {
		t.Fatal(err)
	}
	ct := &claimUnderTest{dels: &deliveries{done: map[int64]bool{}}}
	r := &run{set: set, rec: history.NewRecorder(nil, ct.dels)}
	inc := &consIncarnation{c: &consumer{r: r}, label: "c0/0", life: newLife(nil, time.Second)}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ct.cl = &claimState{h: &groupHandler{inc: inc, restart: cancel}, sess: fakeSession{ctx: ctx}, marked: -1}
	ct.cl.send = func(m *sarama.ConsumerMessage) error {
		overlapped := ct.inFlight.Add(1) > 1
		defer ct.inFlight.Add(-1)
		c := sentCommit{offset: m.Offset + 1, overlapped: overlapped}
		for off := int64(0); off <= m.Offset; off++ {
			if !ct.dels.has(off) {
				c.unprocessed = append(c.unprocessed, off)
			}
		}
		ct.mu.Lock()
		ct.sent = append(ct.sent, c)
		n := len(ct.sent)
		ct.mu.Unlock()
		time.Sleep(wait)
		return answer(n)
	}
	return ct
}

func (ct *claimUnderTest) commits() []sentCommit {
	ct.mu.Lock()
	defer ct.mu.Unlock()
	return append([]sentCommit(nil), ct.sent...)
}

// batches returns n batches of size records of partition 0 from offset 0,
// each holding a kq value.
func batches(n, size int) [][]*sarama.ConsumerMessage {
	var bs [][]*sarama.ConsumerMessage
	off := int64(0)
	for range n {
		var b []*sarama.ConsumerMessage
		for range size {
			b = append(b, &sarama.ConsumerMessage{Topic: "in", Partition: 0, Offset: off, Value: seqmsg.Encode(nil, seqmsg.Value{Producer: 1, Seq: uint64(off)}, 64)})
			off++
		}
		bs = append(bs, b)
	}
	return bs
}

// TestCommitAfterProcessingIsPipelined: committing after (at-least-once),
// each batch's offset is committed only once every record below it was
// processed, one commit at a time, in offset order, while the next batch
// is processed; the claim's end waits for the last one.
func TestCommitAfterProcessingIsPipelined(t *testing.T) {
	ct := newClaimUnderTest(t, check.AtLeastOnce, 10*time.Millisecond, 15*time.Millisecond, func(int) error { return nil })
	bs := batches(5, 20)
	for i, b := range bs {
		if !ct.cl.process(b) {
			t.Fatalf("batch %d: process gave up", i)
		}
	}
	if !ct.cl.pipe.wait() {
		t.Fatal("the last commit failed")
	}
	got := ct.commits()
	if len(got) != len(bs) {
		t.Fatalf("%d commits, want one per batch (%d): %+v", len(got), len(bs), got)
	}
	for i, c := range got {
		want := bs[i][len(bs[i])-1].Offset + 1
		switch {
		case c.offset != want:
			t.Errorf("commit %d: offset %d, want %d (in order, after its batch)", i, c.offset, want)
		case len(c.unprocessed) > 0:
			t.Errorf("commit %d of offset %d was sent before offsets %v were processed", i, c.offset, c.unprocessed)
		case c.overlapped:
			t.Errorf("commit %d was sent while another was in flight", i)
		}
	}
	if r := ct.cl.h.inc.risk.Load(); r != 0 {
		t.Errorf("%d records still count at risk after every commit took", r)
	}
}

// TestFailedPipelinedCommitRestarts: when a batch's commit fails, the
// claim does not commit the batch processed meanwhile; it gives up (the
// session restarts and the records come again), whether the failure shows
// at the next batch or while the claim waits for one.
func TestFailedPipelinedCommitRestarts(t *testing.T) {
	fail := func(int) error { return errors.New("commit refused") }
	t.Run("at the next batch", func(t *testing.T) {
		ct := newClaimUnderTest(t, check.AtLeastOnce, 0, 10*time.Millisecond, fail)
		bs := batches(2, 10)
		if !ct.cl.process(bs[0]) {
			t.Fatal("the first batch gave up before its commit ended")
		}
		if ct.cl.process(bs[1]) {
			t.Fatal("the batch after a failed commit went on")
		}
		ct.cl.pipe.wait()
		for _, c := range ct.commits() {
			if c.offset != 10 {
				t.Fatalf("commits %+v, want only the first batch's (offset 10)", ct.commits())
			}
		}
	})
	t.Run("while idle", func(t *testing.T) {
		ct := newClaimUnderTest(t, check.AtLeastOnce, 0, 10*time.Millisecond, fail)
		if !ct.cl.process(batches(1, 10)[0]) {
			t.Fatal("the batch gave up before its commit ended")
		}
		done := make(chan bool)
		go func() {
			_, ok := ct.cl.next(make(chan *sarama.ConsumerMessage)) // no more records
			done <- ok
		}()
		select {
		case ok := <-done:
			if ok {
				t.Fatal("an idle claim whose commit failed went on waiting for records")
			}
		case <-time.After(10 * time.Second):
			t.Fatal("an idle claim whose commit failed never noticed")
		}
	})
}

// TestRetriedCommitIsInFlightOnce: a commit whose coordinator moved is
// retried inside the same pipelined commit; the next batch's commit waits
// for it.
func TestRetriedCommitIsInFlightOnce(t *testing.T) {
	ct := newClaimUnderTest(t, check.AtLeastOnce, 0, 5*time.Millisecond, func(n int) error {
		if n == 1 {
			return sarama.ErrNotCoordinatorForConsumer
		}
		return nil
	})
	bs := batches(3, 10)
	for i, b := range bs {
		if !ct.cl.process(b) {
			t.Fatalf("batch %d gave up", i)
		}
	}
	ct.cl.pipe.wait()
	got := ct.commits()
	want := []int64{10, 10, 20, 30}
	if len(got) != len(want) {
		t.Fatalf("commits %+v, want offsets %v", got, want)
	}
	for i, c := range got {
		if c.offset != want[i] || c.overlapped || len(c.unprocessed) > 0 {
			t.Errorf("commit %d: %+v, want offset %d, alone, after processing", i, c, want[i])
		}
	}
}

// TestCommitBeforeProcessing: committing before (at-most-once), a batch's
// offset is committed synchronously before any of its records is
// processed, and a failed commit leaves the batch unprocessed.
func TestCommitBeforeProcessing(t *testing.T) {
	ct := newClaimUnderTest(t, check.AtMostOnce, 0, 0, func(n int) error {
		if n == 3 {
			return errors.New("commit refused")
		}
		return nil
	})
	bs := batches(3, 10)
	for i, b := range bs[:2] {
		if !ct.cl.process(b) {
			t.Fatalf("batch %d gave up", i)
		}
		if ct.cl.pipe.res != nil {
			t.Fatal("a commit before processing ran in the background")
		}
	}
	for i, c := range ct.commits() {
		first := bs[i][0].Offset
		if len(c.unprocessed) != int(c.offset-first) {
			t.Errorf("commit %d of offset %d was sent with %v unprocessed, want every offset from %d (none of its batch processed)", i, c.offset, c.unprocessed, first)
		}
	}
	if ct.cl.process(bs[2]) {
		t.Fatal("a batch whose commit before failed went on")
	}
	for _, m := range bs[2] {
		if ct.dels.has(m.Offset) {
			t.Fatalf("offset %d was processed though its commit before failed", m.Offset)
		}
	}
	if got := fmt.Sprint(len(ct.commits())); got != "3" {
		t.Fatalf("%s commits, want 3", got)
	}
}

// TestCrashMidBatchRecordsWhatWasProcessed: a crash armed for the next
// batch kills the consumer after processing its share of it: the
// deliveries processed before it are recorded (though gathered to be
// recorded together), none after, no commit is sent, and the crash counts
// as at risk what was processed and not committed (committing after) or
// committed and not processed (committing before).
func TestCrashMidBatchRecordsWhatWasProcessed(t *testing.T) {
	for _, tc := range []struct {
		sem       check.Semantics
		processed int
		commits   int
		atRisk    int64
	}{
		{check.AtLeastOnce, 5, 0, 5}, // processed, not committed
		{check.AtMostOnce, 5, 1, 5},  // committed, not processed
	} {
		t.Run(string(tc.sem), func(t *testing.T) {
			ct := newClaimUnderTest(t, tc.sem, time.Millisecond, 0, func(int) error { return nil })
			ct.cl.h.inc.crashAfter.Store(0.5)
			b := batches(1, 10)[0]
			if ct.cl.process(b) {
				t.Fatal("the batch went on past the crash")
			}
			for _, m := range b {
				if got, want := ct.dels.has(m.Offset), m.Offset < int64(tc.processed); got != want {
					t.Errorf("offset %d recorded %t, want %t", m.Offset, got, want)
				}
			}
			if got := len(ct.commits()); got != tc.commits {
				t.Errorf("%d commits sent, want %d", got, tc.commits)
			}
			if want := []int64{tc.atRisk}; !slices.Equal(ct.dels.atRisk, want) {
				t.Errorf("crashes with %v records at risk, want %v", ct.dels.atRisk, want)
			}
		})
	}
}

// TestAutoCommitCrashRecordsOnlyItsOwnCommit: a crash of an auto-committing
// consumer waits for the group's committed offset to reach what the claim
// marked, and records it as the incarnation's commit; an offset past the
// mark is another member's (a successor of a crashed incarnation, or the
// partition's next owner), never recorded as this one's, and once the
// incarnation is dead (another of its claims crashed it) nothing read
// then is recorded. Recording such an offset made the checker report a
// commit ahead of processing for a correct set-up.
func TestAutoCommitCrashRecordsOnlyItsOwnCommit(t *testing.T) {
	autoCommit := func(rs *RunSettings) {
		on := true
		rs.Overrides.AutoCommit = &on
	}
	for _, tc := range []struct {
		name   string
		killed bool
		want   []int64
	}{
		{name: "another member committed further", want: []int64{222}},
		{name: "the incarnation died meanwhile", killed: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ct := newClaimUnderTest(t, check.AtLeastOnce, 0, 0, func(int) error { return nil }, autoCommit)
			cl := ct.cl
			cl.marked = 222
			cl.groupCommitted = func(string, int32) (int64, error) {
				if tc.killed {
					cl.h.inc.life.kill() // as another claim's crash would
				}
				return 348, nil
			}
			cl.crash(batches(1, 230)[0][222:])
			if !slices.Equal(ct.dels.committed, tc.want) {
				t.Errorf("commits recorded %v, want %v", ct.dels.committed, tc.want)
			}
			if !cl.h.inc.life.isDead() {
				t.Error("the crash left the incarnation alive")
			}
		})
	}
}

// TestFinishedBatchesEndTheConsumePhase: the consume phase ends with the
// consumers' last finished batch: committed after processing
// (at-least-once), after its commit's answer; committed before
// (at-most-once), after its processing; a failed commit finishes nothing.
func TestFinishedBatchesEndTheConsumePhase(t *testing.T) {
	var answered atomic.Int64
	ok := func(int) error { answered.Store(time.Now().UnixNano()); return nil }
	after := newClaimUnderTest(t, check.AtLeastOnce, 0, 5*time.Millisecond, ok)
	for i, b := range batches(3, 10) {
		if !after.cl.process(b) {
			t.Fatalf("batch %d: process gave up", i)
		}
	}
	if !after.cl.pipe.wait() {
		t.Fatal("the last commit failed")
	}
	if got, want := after.cl.h.inc.c.r.stats.lastRead.Load(), answered.Load(); got < want {
		t.Errorf("committing after: the phase ends %v before the last commit was answered", time.Duration(want-got))
	}

	before := newClaimUnderTest(t, check.AtMostOnce, 0, 0, ok)
	start := time.Now().UnixNano()
	if !before.cl.process(batches(1, 10)[0]) {
		t.Fatal("process gave up")
	}
	if got := before.cl.h.inc.c.r.stats.lastRead.Load(); got < start {
		t.Errorf("committing before: no finished batch recorded (%d)", got)
	}

	failed := newClaimUnderTest(t, check.AtLeastOnce, 0, 0, func(int) error { return errors.New("commit refused") })
	failed.cl.process(batches(1, 10)[0])
	failed.cl.pipe.wait()
	if got := failed.cl.h.inc.c.r.stats.lastRead.Load(); got != 0 {
		t.Errorf("a batch whose commit failed ended the phase at %d", got)
	}
}
