package produce

import (
	"math"
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
	s.next[1] = math.MaxInt32 - 1
	s.assign(1, 4)
	if s.next[1] != 2 {
		t.Errorf("after wrapping, the next sequence is %d, want 2", s.next[1])
	}
	var none *sequences
	if got := none.assign(0, 1); got != noProducer {
		t.Errorf("no idempotence: %+v", got)
	}
}

func TestOneAtATimeLetsTheOldestBatchOfAPartitionGo(t *testing.T) {
	woken := 0
	g := newOneAtATime(func() { woken++ })
	var p0 []*batch
	for seq := range uint64(4) {
		p0 = append(p0, &batch{partition: 0, seq: seq + 1})
		g.sealed(p0[seq])
	}
	p1 := &batch{partition: 1, seq: 9}
	g.sealed(p1)
	mayGo := func() []bool {
		var out []bool
		for _, b := range p0 {
			out = append(out, g.mayGo(b))
		}
		return out
	}
	if got := mayGo(); !got[0] || got[1] || got[2] || got[3] || !g.mayGo(p1) {
		t.Fatalf("mayGo %v (partition 1: %t), want the oldest of each partition only", got, g.mayGo(p1))
	}
	g.settled(p0[3]) // failed for good while waiting (the flush timeout): nothing moves
	if got := mayGo(); woken != 0 || got[1] {
		t.Errorf("settling a later batch woke %d, mayGo %v", woken, got)
	}
	g.settled(p0[0])
	if got := mayGo(); woken != 1 || !got[1] || got[2] {
		t.Errorf("after the oldest settled: woken %d, mayGo %v, want batch 2 only", woken, got)
	}
	var none *oneAtATime
	if !none.mayGo(p0[3]) {
		t.Error("without idempotence every batch may go")
	}
}
