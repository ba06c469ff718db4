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
