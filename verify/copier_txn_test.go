package verify

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/setting"
)

func TestCopierTransactionGrowsOnlyWhileInputWaits(t *testing.T) {
	c := &copier{r: &run{}}
	c.r.set.Workload.TxnSize = 10
	inc := &copyIncarnation{in: &copyInput{msgs: make(chan *sarama.ConsumerMessage, 4)}}
	for _, tc := range []struct {
		n, waiting int
		full       bool
	}{
		{9, 0, false},
		{10, 0, true},  // caught up: TxnSize, as set
		{10, 1, false}, // behind: take what waits
		{99, 3, false}, // still behind
		{100, 3, true}, // txnGrowth times TxnSize at most
		{150, 0, true},
	} {
		for len(inc.in.msgs) > 0 {
			<-inc.in.msgs
		}
		for range tc.waiting {
			inc.in.msgs <- &sarama.ConsumerMessage{}
		}
		if got := c.full(inc, tc.n); got != tc.full {
			t.Errorf("%d records, %d waiting: full %v, want %v", tc.n, tc.waiting, got, tc.full)
		}
	}
}

// TestCopierWaitSettled: the wait for a transaction's answers ends when
// the last one arrives, not at a poll, counts only the open
// transaction's answers, and gives up at its timeout.
func TestCopierWaitSettled(t *testing.T) {
	inc := &copyIncarnation{}
	inc.beginTxn()
	if !inc.waitSettled(time.Nanosecond) {
		t.Fatal("nothing sent: not settled")
	}
	inc.sent = 3
	if inc.waitSettled(10 * time.Millisecond) {
		t.Fatal("settled with no answer")
	}
	old := &sarama.ProducerMessage{Metadata: inc.txn - 1}
	cur := &sarama.ProducerMessage{Metadata: inc.txn}
	done := make(chan bool)
	go func() { done <- inc.waitSettled(time.Hour) }()
	// The answers come while the copier waits (or before: then it
	// does not wait at all); an earlier transaction's do not count.
	inc.resolve(cur, true)
	inc.resolve(old, true)
	inc.resolve(cur, false)
	select {
	case <-done:
		t.Fatal("settled with 2 of 3 answers")
	case <-time.After(20 * time.Millisecond):
	}
	inc.resolve(cur, true)
	select {
	case ok := <-done:
		if !ok {
			t.Fatal("not settled with every answer")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the last answer did not end the wait")
	}
	if got := inc.acked[0]; len(got) != 2 {
		t.Errorf("acked %v, want the 2 successful answers", got)
	}
}

// TestReaderPhaseEndsAtTheLastCommit: a drained copy phase ends at the
// copiers' last commit, a drained consume phase at the consumers' last
// finished batch; a failed drain, nothing finished in the phase or
// consumers committing in the background end it when the drain did.
func TestReaderPhaseEndsAtTheLastCommit(t *testing.T) {
	start := time.Unix(100, 0)
	now := start.Add(2 * time.Second)
	last := start.Add(1500 * time.Millisecond)
	for _, tc := range []struct {
		name       string
		pipeline   bool
		autoCommit bool
		last       time.Time
		drained    bool
		want       time.Time
	}{
		{"copy, drained", true, false, last, true, last},
		{"copy, not drained", true, false, last, false, now},
		{"copy, no commit", true, false, time.Time{}, true, now},
		{"copy, commit before the phase", true, false, start.Add(-time.Second), true, now},
		{"consume, drained", false, false, last, true, last},
		{"consume, not drained", false, false, last, false, now},
		{"consume, nothing finished", false, false, time.Time{}, true, now},
		{"consume, auto-commit", false, true, last, true, now},
	} {
		r := &run{}
		r.set.AutoCommit = tc.autoCommit
		if tc.pipeline {
			r.set.Commit = setting.CommitTxn
		}
		if !tc.last.IsZero() {
			counter := &r.stats.lastRead
			if tc.pipeline {
				counter = &r.stats.lastCopy
			}
			storeMax(counter, tc.last.UnixNano())
		}
		if got := r.readersDone(start, now, tc.drained); !got.Equal(tc.want) {
			t.Errorf("%s: ends at %v, want %v", tc.name, got.Sub(start), tc.want.Sub(start))
		}
	}
}

func TestStoreMax(t *testing.T) {
	var v atomic.Int64
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() { defer wg.Done(); storeMax(&v, int64(i)) }()
	}
	wg.Wait()
	storeMax(&v, 7)
	if got := v.Load(); got != 49 {
		t.Errorf("max = %d, want 49", got)
	}
}
