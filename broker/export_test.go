package broker

import (
	"sync/atomic"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// Test seams for the external tests of this package.
var (
	CheckBatch   = checkBatch
	BatchRecords = batchRecords
	EncodeBatch  = encodeBatch
	AppendRecord = appendRecord
	FixBatches   = fixBatches
	ErrCorrupt   = errCorrupt
)

// ReadDecisions exposes the transaction decision log reader.
var ReadDecisions = readDecisions

// CountFetches counts, from now on, the Fetch requests kfake handles.
func (b *Broker) CountFetches() *atomic.Int64 {
	var n atomic.Int64
	c := b.cluster()
	c.ControlKey(int16(kmsg.Fetch), func(kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		n.Add(1)
		return nil, nil, false
	})
	return &n
}

// PendingBatches returns how many batches of topic/partition the
// replication model holds as appended and not yet on the followers.
func (b *Broker) PendingBatches(topic string, partition int32) int {
	b.repl.mu.Lock()
	defer b.repl.mu.Unlock()
	p := b.repl.parts[topicPart{topic, partition}]
	if p == nil {
		return 0
	}
	return len(p.pending)
}
