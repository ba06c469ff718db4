package verify

import (
	"testing"
	"time"

	"github.com/IBM/sarama"
)

// TestCrashPoint: committing before, a crash leaves at least one record
// committed but unprocessed; committing after, at least one processed but
// uncommitted.
func TestCrashPoint(t *testing.T) {
	cases := []struct {
		share  float64
		n      int
		before bool
		want   int
	}{
		{0, 1, true, 0}, {0.99, 1, true, 0}, {0.99, 10, true, 9}, {0.5, 10, true, 5},
		{0, 1, false, 1}, {0, 10, false, 1}, {0.5, 10, false, 5}, {0.99, 10, false, 9},
	}
	for _, c := range cases {
		if got := crashPoint(c.share, c.n, c.before); got != c.want {
			t.Errorf("crashPoint(%v, %d, before=%t) = %d, want %d", c.share, c.n, c.before, got, c.want)
		}
	}
}

// TestCountBelow counts the unprocessed records a commit took.
func TestCountBelow(t *testing.T) {
	msgs := []*sarama.ConsumerMessage{{Offset: 10}, {Offset: 11}, {Offset: 13}}
	for off, want := range map[int64]int{9: 0, 10: 0, 11: 1, 13: 2, 14: 3} {
		if got := countBelow(msgs, off); got != want {
			t.Errorf("countBelow(%d) = %d, want %d", off, got, want)
		}
	}
}

// TestPacerSpendsTheBatchTime: a batch takes its processing time however
// many records it holds, and a dead consumer stops waiting at once.
func TestPacerSpendsTheBatchTime(t *testing.T) {
	const total = 30 * time.Millisecond
	for _, n := range []int{1, 7, 4096} {
		p := pacer{start: time.Now(), total: total, n: n}
		for i := range n {
			if !p.wait(i, nil, func() {}) {
				t.Fatalf("n=%d: wait %d gave up", n, i)
			}
			// No record is done more than minSleep before it is due
			// (a lower bound: a loaded machine only makes it later).
			due := total * time.Duration(i+1) / time.Duration(n)
			if took := time.Since(p.start); took < due-minSleep {
				t.Fatalf("n=%d: record %d done at %v, due at %v", n, i, took, due)
			}
		}
		if took := time.Since(p.start); took < total {
			t.Errorf("n=%d: the batch took %v, want at least %v", n, took, total)
		}
	}
	dead := make(chan struct{})
	close(dead)
	p := pacer{start: time.Now(), total: time.Hour, n: 2}
	if p.wait(1, dead, func() {}) {
		t.Error("a dead consumer's wait went on")
	}
	if !(&pacer{n: 3}).wait(0, dead, func() {}) {
		t.Error("no processing time must not wait")
	}
}
