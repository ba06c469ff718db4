package check

import (
	"fmt"

	"github.com/kq-dev/kq/verify/history"
)

// txnSpan is what one committed transaction wrote in one partition: count
// records at first through last.
type txnSpan struct {
	first, last int64
	count       int64
	id          uint32 // index into txnState.names
}

// txnState is the committed transactions of a history, by id. A
// transaction costs its id and 24 bytes per partition it wrote.
type txnState struct {
	ids   map[string]uint32
	names []string
}

func (t *txnState) id(name string) uint32 {
	id, ok := t.ids[name]
	if !ok {
		if t.ids == nil {
			t.ids = map[string]uint32{}
		}
		id = uint32(len(t.names))
		t.ids[name] = id
		t.names = append(t.names, name)
	}
	return id
}

// txn adds a txn event that names what a transaction wrote (one with a
// consumer, naming what it read, goes to the poll checks): an aborted one
// is an abort; a committed one is judged for tearing at the end.
func (c *Checker) txn(e *history.Event) {
	if e.Consumer != "" {
		return
	}
	l := c.log(e.Topic, e.Partition)
	if e.Outcome == history.OutcomeAborted {
		l.abort(e.Offset, e.AbortEnd())
		return
	}
	n := e.Count
	if n == 0 {
		n = e.AbortEnd() - e.Offset + 1
	}
	l.txns = append(l.txns, txnSpan{first: e.Offset, last: e.AbortEnd(), count: n, id: c.txns.id(e.Txn)})
}

// torn counts the committed transactions only partly visible: some of
// their records delivered, not all (delivered offsets in their ranges,
// aborted ones aside, against the records they wrote).
func (s *scan) torn() {
	names := s.c.txns.names
	if len(names) == 0 {
		return
	}
	wrote, seen := make([]int64, len(names)), make([]int64, len(names))
	where := make([]*txnSpan, len(names))
	whereLog := make([]*partLog, len(names))
	for _, l := range s.c.logs {
		if len(l.txns) == 0 {
			continue
		}
		aborted := mergeSpans(l.abortedSpans())
		for i := range l.txns {
			t := &l.txns[i]
			wrote[t.id] += t.count
			l.eachIn(t.first, t.last, func(offset int64, slot uint32) {
				if slot&slotDelivered != 0 && !coveredBy(aborted, offset) {
					seen[t.id]++
				}
			})
			if where[t.id] == nil {
				where[t.id], whereLog[t.id] = t, l
			}
		}
	}
	for id, name := range names {
		if seen[id] == 0 || seen[id] >= wrote[id] {
			continue
		}
		s.out.TornTxns++
		t, l := where[id], whereLog[id]
		if s.visit != nil {
			s.visit(s.instance(AnomalyTornTxn, l, t.first, ordEmpty))
		}
		if s.ex.full(AnomalyTornTxn) {
			continue
		}
		s.ex.add(AnomalyTornTxn, Example{Topic: l.topic, Partition: l.partition, Offset: t.first,
			Detail: fmt.Sprintf("transaction %s committed %d records, %d of them delivered (first at %s/%d@%d..%d)", name, wrote[id], seen[id], l.topic, l.partition, t.first, t.last)})
	}
}
