package broker

import (
	"slices"
	"testing"
	"time"
)

func TestReplicationHighWatermarkTrailsLeader(t *testing.T) {
	r, tp, t0 := oneTopic(100 * time.Millisecond)
	if at := r.appended(tp, 0, 5, t0); !at.Equal(t0.Add(100 * time.Millisecond)) {
		t.Fatalf("replicated at %v, want t0+lag", at)
	}
	r.appended(tp, 5, 8, t0.Add(50*time.Millisecond))
	if hw := r.highWatermark(tp, t0.Add(10*time.Millisecond)); hw != 0 {
		t.Fatalf("hw before the lag = %d, want 0", hw)
	}
	if hw := r.highWatermark(tp, t0.Add(120*time.Millisecond)); hw != 5 {
		t.Fatalf("hw after the first batch's lag = %d, want 5", hw)
	}
	if hw := r.highWatermark(tp, t0.Add(time.Second)); hw != -1 {
		t.Fatalf("hw with nothing pending = %d, want -1 (broker's own)", hw)
	}
}

func TestReplicationFailoverLosesUnreplicatedTail(t *testing.T) {
	r, tp, t0 := oneTopic(time.Second)
	r.appended(tp, 0, 4, t0)
	r.appended(tp, 4, 6, t0.Add(500*time.Millisecond))
	lost := r.failover(tp, 7, t0.Add(1200*time.Millisecond)) // the first batch is replicated
	if !slices.Equal(lost, []offsetRange{{4, 7}}) {
		t.Fatalf("lost %v, want [4, 7)", lost)
	}
	if r.replicated(tp, 4, 6, t0.Add(time.Hour)) {
		t.Fatal("a lost batch counts as replicated")
	}
	if !r.replicated(tp, 0, 4, t0.Add(time.Hour)) {
		t.Fatal("a replicated batch was lost")
	}
	if got := r.hidden(tp); !slices.Equal(got, lost) {
		t.Fatalf("hidden = %v", got)
	}
	if lost := r.failover(tp, 7, t0.Add(2*time.Hour)); len(lost) != 0 {
		t.Fatalf("a second failover with nothing pending lost %v", lost)
	}
}

func TestReplicationISRShrink(t *testing.T) {
	r := newReplication(time.Second, func() int { return 3 })
	r.setTopic("strict", topicConf{replicas: 3, minISR: 2})
	r.setTopic("loose", topicConf{replicas: 3, minISR: 1})
	tp := topicPart{"loose", 0}
	t0 := time.Unix(1000, 0)
	r.appended(tp, 0, 3, t0)
	if r.refuse("strict") {
		t.Fatal("refused with a full ISR")
	}
	r.shrink(true, t0.Add(10*time.Millisecond)) // followers stop at 0
	if !r.refuse("strict") || r.refuse("loose") {
		t.Fatal("with the ISR shrunk to the leader, min.insync.replicas=2 must refuse and 1 accept")
	}
	// acks=all is answered by the leader alone now.
	if at := r.appended(tp, 3, 5, t0.Add(20*time.Millisecond)); !at.Equal(t0.Add(20 * time.Millisecond)) {
		t.Fatalf("replicated at %v, want at once", at)
	}
	if hw := r.highWatermark(tp, t0.Add(30*time.Millisecond)); hw != -1 {
		t.Fatalf("hw with the ISR shrunk = %d, want the leader's own", hw)
	}
	if lost := r.failover(tp, 5, t0.Add(40*time.Millisecond)); !slices.Equal(lost, []offsetRange{{0, 5}}) {
		t.Fatalf("failover in a shrunk ISR lost %v, want [0, 5): everything after the followers' position", lost)
	}
	r.shrink(false, t0.Add(50*time.Millisecond))
	if r.refuse("strict") {
		t.Fatal("still refused after the ISR came back")
	}
}

func TestReplicationNodesDownShrinkISR(t *testing.T) {
	live := 3
	r := newReplication(time.Second, func() int { return live })
	r.setTopic("t", topicConf{replicas: 3, minISR: 3})
	if r.refuse("t") {
		t.Fatal("refused with every node up")
	}
	live = 2
	if !r.refuse("t") {
		t.Fatal("min.insync.replicas=3 with two live nodes must refuse")
	}
}

// TestReplicationDiscoversUnrecordedTail: a batch kfake served before its
// Produce answer reached the model (or one it never answers: markers,
// acks=0) is pending from when an answer first shows the log end, and
// what a client was shown is never lost.
func TestReplicationDiscoversUnrecordedTail(t *testing.T) {
	r, tp, t0 := oneTopic(100 * time.Millisecond)
	r.discover(tp, 4, true, t0) // first met: replicated up to 4
	if hw := r.highWatermark(tp, t0); hw != -1 {
		t.Fatalf("hw of a partition first met = %d, want -1 (all replicated)", hw)
	}
	r.discover(tp, 9, true, t0.Add(10*time.Millisecond)) // [4, 9) appended, not yet recorded
	if got := r.visibleEnd(tp, 9, t0.Add(20*time.Millisecond)); got != 4 {
		t.Fatalf("visible end with an unrecorded tail = %d, want 4", got)
	}
	// The Produce answer of [4, 9) comes later: it waits no longer than
	// the discovered range.
	if at := r.appended(tp, 4, 9, t0.Add(30*time.Millisecond)); !at.Equal(t0.Add(130 * time.Millisecond)) {
		t.Fatalf("recorded batch replicated at %v", at)
	}
	if got := r.visibleEnd(tp, 9, t0.Add(200*time.Millisecond)); got != 9 {
		t.Fatalf("visible end after the lag = %d, want 9", got)
	}
	// A batch recorded late, after clients were shown past it, is
	// replicated already: a failover cannot take it away.
	if at := r.appended(tp, 7, 9, t0.Add(210*time.Millisecond)); !at.Equal(t0.Add(210 * time.Millisecond)) {
		t.Fatalf("a batch clients saw is pending until %v", at)
	}
	r.discover(tp, 12, true, t0.Add(220*time.Millisecond))
	if lost := r.failover(tp, 12, t0.Add(230*time.Millisecond)); !slices.Equal(lost, []offsetRange{{9, 12}}) {
		t.Fatalf("failover lost %v, want only the unshown tail [9, 12)", lost)
	}
	// A tail of transaction markers alone is replicated at once.
	r.discoverData(tp, 13, true, func(int64) bool { return false }, t0.Add(240*time.Millisecond))
	if got := r.visibleEnd(tp, 13, t0.Add(240*time.Millisecond)); got != 13 {
		t.Fatalf("visible end after a marker = %d, want 13", got)
	}
	r.discover(topicPart{"t", 1}, 5, false, t0)
	if got := r.partitions(); len(got) != 1 {
		t.Fatalf("a ListOffsets answer met a partition: %v", got)
	}
}

// TestReplicationInOrder: a batch is replicated only with every batch
// before it, even one the model learns of later (its Produce answer was
// handled after the later batch's, on another connection).
func TestReplicationInOrder(t *testing.T) {
	r, tp, t0 := oneTopic(100 * time.Millisecond)
	later := r.appended(tp, 5, 8, t0)
	if at := r.replicatedBy(tp, 8); !at.Equal(later) {
		t.Fatalf("[5, 8) replicated by %v, want %v", at, later)
	}
	earlier := r.appended(tp, 0, 5, t0.Add(30*time.Millisecond))
	if at := r.replicatedBy(tp, 8); !at.Equal(earlier) {
		t.Errorf("[5, 8) replicated by %v, want %v (when [0, 5) is)", at, earlier)
	}
	if at := r.replicatedBy(tp, 5); !at.Equal(earlier) {
		t.Errorf("[0, 5) replicated by %v, want %v", at, earlier)
	}
	if r.replicated(tp, 5, 8, later) {
		t.Error("[5, 8) replicated before [0, 5)")
	}
	if !r.replicated(tp, 5, 8, earlier) {
		t.Error("[5, 8) not replicated once [0, 5) is")
	}
	if at := r.replicatedBy(topicPart{"t", 1}, 8); !at.IsZero() {
		t.Errorf("an unknown partition replicated by %v, want the zero time", at)
	}
}

func TestReplicationFetchWait(t *testing.T) {
	r, tp, t0 := oneTopic(100 * time.Millisecond)
	if w := r.fetchWait(topicPart{"other", 0}, 0, t0); !w.ready {
		t.Fatalf("a partition the model does not track: %+v, want ready", w)
	}
	r.appended(tp, 0, 5, t0)
	r.appended(tp, 5, 8, t0.Add(50*time.Millisecond))
	for _, c := range []struct {
		name   string
		offset int64
		now    time.Time
		want   fetchWait
	}{
		{"first batch pending", 0, t0.Add(10 * time.Millisecond), fetchWait{at: t0.Add(100 * time.Millisecond)}},
		{"inside the second batch", 6, t0.Add(10 * time.Millisecond), fetchWait{at: t0.Add(150 * time.Millisecond)}},
		{"at the log end", 8, t0.Add(10 * time.Millisecond), fetchWait{}},
		{"below the high watermark", 3, t0.Add(120 * time.Millisecond), fetchWait{ready: true}},
		{"at the high watermark", 5, t0.Add(120 * time.Millisecond), fetchWait{at: t0.Add(150 * time.Millisecond)}},
		{"all replicated", 7, t0.Add(time.Second), fetchWait{ready: true}},
		{"caught up, nothing pending", 8, t0.Add(time.Second), fetchWait{}},
	} {
		if got := r.fetchWait(tp, c.offset, c.now); got != c.want {
			t.Errorf("%s: fetchWait(%d) = %+v, want %+v", c.name, c.offset, got, c.want)
		}
	}
}

// A failover keeps an idempotent producer's pending acks=all batches and
// loses the rest of the unreplicated tail around them; with the ISR
// shrunk to the leader it keeps nothing.
func TestReplicationFailoverKeepsIdempotentBatches(t *testing.T) {
	r, tp, t0 := oneTopic(time.Second)
	r.appended(tp, 0, 4, t0)
	r.appendedBatch(tp, 4, 6, true, t0)
	r.appended(tp, 6, 8, t0)
	lost := r.failover(tp, 9, t0.Add(100*time.Millisecond))
	if want := []offsetRange{{0, 4}, {6, 9}}; !slices.Equal(lost, want) {
		t.Fatalf("lost %v, want %v", lost, want)
	}
	if !r.replicated(tp, 4, 6, t0.Add(200*time.Millisecond)) {
		t.Fatal("the kept batch is not replicated after the failover")
	}
	if r.replicated(tp, 0, 4, t0.Add(time.Hour)) || r.replicated(tp, 6, 8, t0.Add(time.Hour)) {
		t.Fatal("a batch around the kept one survived")
	}

	s := topicPart{"t", 1}
	r.appendedBatch(s, 0, 2, true, t0)
	r.shrink(true, t0.Add(10*time.Millisecond))
	if lost := r.failover(s, 2, t0.Add(20*time.Millisecond)); !slices.Equal(lost, []offsetRange{{0, 2}}) {
		t.Fatalf("a failover with the ISR shrunk lost %v, want everything past the followers, [0, 2)", lost)
	}
}

// oneTopic is a model of 3 live nodes with the given replica lag and one
// topic "t" (3 replicas, min.insync.replicas 1), its partition 0 and a
// start time.
func oneTopic(lag time.Duration) (*replication, topicPart, time.Time) {
	r := newReplication(lag, func() int { return 3 })
	r.setTopic("t", topicConf{replicas: 3, minISR: 1})
	return r, topicPart{"t", 0}, time.Unix(1000, 0)
}
