package produce

import (
	"math"
	"slices"
	"testing"
)

func TestSequencesPerPartitionAndWrap(t *testing.T) {
	s := newSequences(7, 2, 2)
	if got := s.assign(0, 10); got != (producerSeq{7, 2, 0}) {
		t.Errorf("first batch of partition 0: %+v", got)
	}
	if got := s.assign(0, 5); got.seq != 10 {
		t.Errorf("second batch of partition 0 starts at %d, want 10", got.seq)
	}
	if got := s.assign(1, 3); got.seq != 0 {
		t.Errorf("first batch of partition 1 starts at %d, want 0", got.seq)
	}
	s.owner[1].seq = math.MaxInt32 - 1
	s.assign(1, 4)
	if s.owner[1].seq != 2 {
		t.Errorf("after wrapping, the next sequence is %d, want 2", s.owner[1].seq)
	}
	s.rewind(1, 4) // the batch that wrapped failed unwritten
	if s.owner[1].seq != math.MaxInt32-1 {
		t.Errorf("rewound over the wrap to %d, want %d", s.owner[1].seq, math.MaxInt32-1)
	}
	s.rewind(0, 5)
	if s.owner[0].seq != 10 {
		t.Errorf("rewound to %d, want 10", s.owner[0].seq)
	}
	var none *sequences
	if got := none.assign(0, 1); got != noProducer {
		t.Errorf("no idempotence: %+v", got)
	}
}

// mayGoAll reports mayGo for each of bs.
func mayGoAll(g *window, bs []*batch) []bool {
	var out []bool
	for _, b := range bs {
		out = append(out, g.mayGo(b))
	}
	return out
}

// sealedBatches records n batches of partition p, seal orders from first.
func sealedBatches(g *window, p int32, first uint64, n int) []*batch {
	var bs []*batch
	for i := range uint64(n) {
		b := &batch{partition: p, seq: first + i}
		g.sealed(b)
		bs = append(bs, b)
	}
	return bs
}

func TestWindowOfOneLetsTheOldestBatchOfAPartitionGo(t *testing.T) {
	woken := 0
	g := newWindow(1, func() { woken++ })
	p0 := sealedBatches(g, 0, 1, 4)
	p1 := sealedBatches(g, 1, 9, 1)[0]
	if got := mayGoAll(g, p0); !slices.Equal(got, []bool{true, false, false, false}) || !g.mayGo(p1) {
		t.Fatalf("mayGo %v (partition 1: %t), want the oldest of each partition only", got, g.mayGo(p1))
	}
	g.settled(p0[3]) // failed for good while waiting (the flush timeout): nothing moves
	if got := mayGoAll(g, p0); woken != 0 || got[1] {
		t.Errorf("settling a later batch woke %d, mayGo %v", woken, got)
	}
	g.settled(p0[0])
	if got := mayGoAll(g, p0); woken != 1 || !got[1] || got[2] {
		t.Errorf("after the oldest settled: woken %d, mayGo %v, want batch 2 only", woken, got)
	}
	var none *window
	if !none.mayGo(p0[3]) {
		t.Error("without idempotence every batch may go")
	}
}

// TestWindowCountsFromTheOldestUnsettledBatch: with two out per
// partition, later batches settling do not let more go while the oldest
// is unsettled (it may be waiting to be sent again, and the broker
// recognises a batch sent again only among the last five it appended).
func TestWindowCountsFromTheOldestUnsettledBatch(t *testing.T) {
	woken := 0
	g := newWindow(2, func() { woken++ })
	g.known[0] = true // a batch of the producer id was acked before
	p0 := sealedBatches(g, 0, 1, 5)
	if got := mayGoAll(g, p0); !slices.Equal(got, []bool{true, true, false, false, false}) {
		t.Fatalf("mayGo %v, want the two oldest", got)
	}
	g.settled(p0[1]) // acked while the oldest waits out a retry
	if got := mayGoAll(g, p0); woken != 0 || !slices.Equal(got[2:], []bool{false, false, false}) {
		t.Errorf("after the second settled before the oldest: woken %d, mayGo %v, want no more", woken, got)
	}
	g.settled(p0[0])
	if got := mayGoAll(g, p0[2:]); woken != 1 || !slices.Equal(got, []bool{true, true, false}) {
		t.Errorf("after the oldest settled: woken %d, mayGo %v of batches 3-5, want 3 and 4", woken, got)
	}
	for _, b := range p0[2:] {
		g.settled(b)
	}
	if len(g.queue) != 0 {
		t.Errorf("every batch settled, the window holds %v", g.queue)
	}
}

func TestWindowSizeIsBoundedByTheBrokersFive(t *testing.T) {
	for n, want := range map[int]int{0: 1, 1: 1, 3: 3, 5: 5, 8: maxIdempotentOut} {
		if got := newWindow(n, func() {}).n; got != want {
			t.Errorf("newWindow(%d) keeps %d out, want %d", n, got, want)
		}
	}
}

// TestWindowAfterABatchInDoubt: once a batch fails in doubt, only batches
// already sent may go; when the last of them settles, quiet is called
// once and nothing goes until the partition restarted. A batch acked
// after the one in doubt ends the recovery at once.
func TestWindowAfterABatchInDoubt(t *testing.T) {
	var quiet []int32
	g := newWindow(3, func() {})
	g.quiet = func(p int32) { quiet = append(quiet, p) }
	g.known[0] = true
	p0 := sealedBatches(g, 0, 1, 7)
	if !g.take(p0[0]) || !g.take(p0[1]) {
		t.Fatal("the two oldest may not be taken")
	}
	g.inDoubt(p0[0])
	g.settled(p0[0])
	if got := mayGoAll(g, p0[1:4]); !slices.Equal(got, []bool{true, false, false}) || g.take(p0[2]) {
		t.Fatalf("in doubt: mayGo %v, want only the batch already sent", got)
	}
	if len(quiet) != 0 {
		t.Fatalf("quiet called with batch 2 still out: %v", quiet)
	}
	g.settled(p0[1])
	if !slices.Equal(quiet, []int32{0}) || g.mayGo(p0[2]) {
		t.Fatalf("after the sent batches settled: quiet %v, batch 3 may go %t; want quiet for partition 0, nothing going", quiet, g.mayGo(p0[2]))
	}
	g.settled(p0[6]) // a later batch settling (the flush timeout) calls quiet no more
	if len(quiet) != 1 {
		t.Fatalf("quiet called %d times", len(quiet))
	}
	g.restarted(0)
	if !g.take(p0[2]) || g.mayGo(p0[3]) {
		t.Fatal("after the restart, want batch 3 alone to go (the broker does not know the new producer id)")
	}
	g.acked(p0[2])
	g.settled(p0[2])
	if !g.take(p0[3]) || !g.take(p0[4]) {
		t.Fatal("after the first ack under the new id, batches 4 and 5 may not be taken")
	}
	g.inDoubt(p0[3])
	g.settled(p0[3])
	g.acked(p0[4]) // appended after the one in doubt: that one was appended
	g.settled(p0[4])
	if len(quiet) != 1 || len(g.doubt) != 0 {
		t.Errorf("a batch acked after the one in doubt: quiet %v, recovering %v; want no restart", quiet, g.doubt)
	}
}

func TestAccumulatorRestartRenumbersFromZero(t *testing.T) {
	a := &accumulator{pending: map[*batch]struct{}{}, seqs: newSequences(7, 0, 2)}
	var bs []*batch
	for i, n := range []int{3, 2, 4} {
		b := &batch{partition: 1, seq: uint64(10 + i), recs: make([]recMeta, n)}
		b.producer = a.seqs.assign(1, n)
		a.pending[b] = struct{}{}
		bs = append(bs, b)
	}
	other := &batch{partition: 0, seq: 9, recs: make([]recMeta, 1)}
	other.producer = a.seqs.assign(0, 1)
	a.pending[other] = struct{}{}
	a.restart(1, 42, 0)
	for i, want := range []int32{0, 3, 5} {
		if got := bs[i].producer; got != (producerSeq{42, 0, want}) || bs[i].firstSeq.Load() != want {
			t.Errorf("batch %d: %+v (first %d), want producer 42 from sequence %d", i, got, bs[i].firstSeq.Load(), want)
		}
	}
	if got := a.seqs.assign(1, 1); got != (producerSeq{42, 0, 9}) {
		t.Errorf("next batch of partition 1: %+v, want producer 42 sequence 9", got)
	}
	if other.producer != (producerSeq{7, 0, 0}) || a.seqs.assign(0, 1) != (producerSeq{7, 0, 1}) {
		t.Errorf("partition 0 changed: %+v", other.producer)
	}
}

// TestWindowUnsendsARefusedBatchAfterOneInDoubt: a batch sent after the
// one in doubt and refused as out of order stops counting as sent: the
// partition restarts without waiting for it, and it waits for the
// restart like a batch never sent. A batch sealed before the one in doubt
// keeps counting.
func TestWindowUnsendsARefusedBatchAfterOneInDoubt(t *testing.T) {
	var quiet []int32
	g := newWindow(3, func() {})
	g.quiet = func(p int32) { quiet = append(quiet, p) }
	g.known[0] = true
	p0 := sealedBatches(g, 0, 1, 3)
	for _, b := range p0 {
		if !g.take(b) {
			t.Fatalf("batch %d may not be taken", b.seq)
		}
	}
	g.inDoubt(p0[1])
	g.settled(p0[1])
	g.unsend(p0[0]) // sealed before the one in doubt: still counts
	g.unsend(p0[2])
	if len(quiet) != 0 || !g.mayGo(p0[0]) || g.mayGo(p0[2]) {
		t.Fatalf("quiet %v, mayGo %t %t; want no restart while batch 1 is out, batch 3 waiting", quiet, g.mayGo(p0[0]), g.mayGo(p0[2]))
	}
	g.settled(p0[0])
	if !slices.Equal(quiet, []int32{0}) {
		t.Fatalf("quiet %v after the last sent batch settled, want partition 0", quiet)
	}
	g.restarted(0)
	if !g.take(p0[2]) {
		t.Error("after the restart, batch 3 may not be taken")
	}
	g.unsend(p0[2]) // no batch in doubt any more: a refusal out of order is a reordering, it stays sent
	if len(quiet) != 1 || !g.queue[0][0].sent {
		t.Errorf("unsend without a batch in doubt: quiet %v, slot %+v", quiet, g.queue[0][0])
	}
}

// TestRenumberAfterKeepsARestartedPartition: a batch of the old producer
// id that fails unwritten after its partition restarted under a new one
// (it was claimed before the restart) moves no sequence of the new id.
func TestRenumberAfterKeepsARestartedPartition(t *testing.T) {
	a := &accumulator{pending: map[*batch]struct{}{}, seqs: newSequences(7, 0, 1)}
	f := &batch{partition: 0, seq: 1, recs: make([]recMeta, 2)}
	f.producer = a.seqs.assign(0, 2)
	later := &batch{partition: 0, seq: 2, recs: make([]recMeta, 3)}
	later.producer = a.seqs.assign(0, 3)
	later.firstSeq.Store(later.producer.seq)
	a.pending[later] = struct{}{} // f is claimed
	a.restart(0, 42, 0)
	a.renumberAfter(f)
	if later.producer != (producerSeq{42, 0, 0}) || later.firstSeq.Load() != 0 || a.seqs.owner[0].seq != 3 {
		t.Errorf("after the restart and f's failure: later %+v (first %d), next %d; want producer 42 from 0, next 3",
			later.producer, later.firstSeq.Load(), a.seqs.owner[0].seq)
	}
	g := &batch{partition: 0, seq: 3, recs: make([]recMeta, 1)}
	g.producer = a.seqs.assign(0, 1)
	a.renumberAfter(later) // of the new id: renumbered as before
	if a.seqs.owner[0].seq != 1 {
		t.Errorf("renumbering within the new id: next %d, want 1", a.seqs.owner[0].seq)
	}
}

// TestWindowSendsTheOldestAloneUntilAnAck: a broker takes the first batch
// of a producer id it does not know whatever its sequence, so until a
// batch of the partition was acked (at the start, after a restart under a
// new id) only the oldest may go; a failure does not end that.
func TestWindowSendsTheOldestAloneUntilAnAck(t *testing.T) {
	g := newWindow(3, func() {})
	p0 := sealedBatches(g, 0, 1, 4)
	if got := mayGoAll(g, p0); !slices.Equal(got, []bool{true, false, false, false}) {
		t.Fatalf("before any ack: mayGo %v, want the oldest alone", got)
	}
	g.settled(p0[0]) // failed, not written: the next is the broker's first
	if got := mayGoAll(g, p0[1:]); !slices.Equal(got, []bool{true, false, false}) {
		t.Fatalf("after a failure: mayGo %v, want the oldest alone", got)
	}
	g.acked(p0[1])
	g.settled(p0[1])
	if got := mayGoAll(g, p0[2:]); !slices.Equal(got, []bool{true, true}) {
		t.Errorf("after an ack: mayGo %v, want both", got)
	}
}
