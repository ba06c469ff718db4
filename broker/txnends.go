package broker

import (
	"encoding/binary"
	"sync"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/internal/wire"
)

// A WriteTxnMarkers request (kq transactions abort, kadm, kafka-
// transactions.sh) ends a producer's transaction on the partitions it
// names. In Kafka that partition's producer state then has no current
// transaction, and DescribeProducers answers CurrentTxnStartOffset -1 for
// the producer there. The pinned kfake keeps the partition in the
// producer's transaction and goes on reporting the old start offset, so
// `kq producers` showed an aborted transaction as open. txnEnds remembers
// the partitions whose transaction a marker ended, until the producer
// writes to the partition again or ends its transaction, and the listener
// corrects DescribeProducers answers with it (markers.go).
type txnEnds struct {
	mu    sync.Mutex
	ended map[pidPart]struct{}
}

// pidPart is one producer on one partition.
type pidPart struct {
	topic string
	part  int32
	pid   int64
}

// maxEnded bounds the remembered ends; past it the oldest answers are
// kfake's own again (a leak guard, not a limit any real use reaches).
const maxEnded = 1 << 16

// install registers the observers on a freshly opened cluster.
func (e *txnEnds) install(c *kfake.Cluster) {
	e.mu.Lock()
	e.ended = map[pidPart]struct{}{}
	e.mu.Unlock()
	observe := func(key kmsg.Key, fn func(kmsg.Request)) { observeKey(c, key, fn) }
	observe(kmsg.WriteTxnMarkers, func(req kmsg.Request) {
		e.markers(req.(*kmsg.WriteTxnMarkersRequest))
	})
	observe(kmsg.Produce, func(req kmsg.Request) {
		e.produce(c, req.(*kmsg.ProduceRequest))
	})
	observe(kmsg.EndTxn, func(req kmsg.Request) {
		e.forget(req.(*kmsg.EndTxnRequest).ProducerID)
	})
	observe(kmsg.InitProducerID, func(req kmsg.Request) {
		e.forget(req.(*kmsg.InitProducerIDRequest).ProducerID)
	})
}

// observeKey runs fn on every request of one API before kfake handles it
// (a control function that never handles the request).
func observeKey(c *kfake.Cluster, key kmsg.Key, fn func(kmsg.Request)) {
	c.ControlKey(int16(key), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		fn(req)
		return nil, nil, false
	})
}

func (e *txnEnds) markers(req *kmsg.WriteTxnMarkersRequest) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, m := range req.Markers {
		for _, t := range m.Topics {
			for _, p := range t.Partitions {
				if len(e.ended) >= maxEnded {
					clear(e.ended)
				}
				e.ended[pidPart{t.Topic, p, m.ProducerID}] = struct{}{}
			}
		}
	}
}

// produce forgets the end of every partition a producer writes a
// transactional batch to: a new transaction starts there.
func (e *txnEnds) produce(c *kfake.Cluster, req *kmsg.ProduceRequest) {
	e.mu.Lock()
	none := len(e.ended) == 0
	e.mu.Unlock()
	if none || req.TransactionID == nil {
		return
	}
	var writes []pidPart
	for _, t := range req.Topics {
		name := t.Topic
		if name == "" { // Produce v13+ names topics by id
			if info := c.TopicIDInfo(t.TopicID); info != nil {
				name = info.Topic
			}
		}
		for _, p := range t.Partitions {
			if b := p.Records; len(b) >= wire.BatchHeaderLen && b[wire.BatchMagic] == 2 {
				writes = append(writes, pidPart{name, p.Partition, int64(binary.BigEndian.Uint64(b[wire.BatchProducerID:]))})
			}
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, w := range writes {
		delete(e.ended, w)
	}
}

// forget drops every end of a producer whose transaction is over.
func (e *txnEnds) forget(pid int64) {
	if pid < 0 {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for k := range e.ended {
		if k.pid == pid {
			delete(e.ended, k)
		}
	}
}

// fixProducers sets CurrentTxnStartOffset to -1 for every producer whose
// transaction a marker ended on the partition, and reports whether it
// changed anything.
func (e *txnEnds) fixProducers(resp *kmsg.DescribeProducersResponse) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.ended) == 0 {
		return false
	}
	changed := false
	for i := range resp.Topics {
		t := &resp.Topics[i]
		for j := range t.Partitions {
			p := &t.Partitions[j]
			for k := range p.ActiveProducers {
				ap := &p.ActiveProducers[k]
				if _, ok := e.ended[pidPart{t.Topic, p.Partition, ap.ProducerID}]; ok && ap.CurrentTxnStartOffset >= 0 {
					ap.CurrentTxnStartOffset, changed = -1, true
				}
			}
		}
	}
	return changed
}
