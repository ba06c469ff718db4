package broker_test

import (
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/broker"
)

// FuzzCheckBatch checks that batch validation never panics and that what
// it accepts is safe for kfake's own record reader, which trusts record
// lengths and crashes or loops on a bad one.
func FuzzCheckBatch(f *testing.F) {
	f.Add(goodBatch(1))
	f.Add(goodBatch(7))
	for _, b := range corruptBatches(f) {
		if len(b) < 1<<16 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if broker.CheckBatch(raw) != nil {
			return
		}
		var b kmsg.RecordBatch
		if err := b.ReadFrom(raw); err != nil {
			t.Fatalf("accepted a batch whose header does not decode: %v", err)
		}
		recs, err := kfake.BatchRecords(b)
		if err != nil {
			t.Fatalf("accepted a batch kfake cannot read: %v", err)
		}
		if len(recs) != int(b.NumRecords) {
			t.Fatalf("accepted %d records for a count of %d", len(recs), b.NumRecords)
		}
	})
}

// FuzzFixBatches feeds arbitrary record batches to the Fetch repair of
// transaction markers: it must neither panic nor loop, and a second pass
// over its output must find nothing left to repair.
func FuzzFixBatches(f *testing.F) {
	marker := kmsg.NewRecordBatch()
	marker.Magic, marker.Attributes, marker.NumRecords = 2, 0x30, 1
	rec := kmsg.NewRecord()
	rec.Key = []byte{0, 0, 0, 1}
	marker.Records = broker.AppendRecord(nil, rec)
	good := broker.EncodeBatch(marker)
	f.Add(good)
	f.Add(append(goodBatch(2), good...))
	for _, b := range corruptBatches(f) {
		if len(b) < 1<<16 && len(b) > 22 {
			b[21], b[22] = 0, 0x30 // as a control batch
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		out, ok := broker.FixBatches(raw)
		if !ok {
			return
		}
		if again, ok := broker.FixBatches(out); ok {
			t.Fatalf("a second repair changed %d bytes into %d", len(out), len(again))
		}
	})
}
