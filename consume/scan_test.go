package consume

import (
	"testing"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/setting"
)

// batch builds a record batch of n records from offset first.
func batch(first int64, n int, pid int64, txn bool) *sarama.Records {
	b := &sarama.RecordBatch{FirstOffset: first, LastOffsetDelta: int32(n - 1), ProducerID: pid, IsTransactional: txn}
	for i := range n {
		b.Records = append(b.Records, &sarama.Record{OffsetDelta: int64(i), Value: []byte("v")})
	}
	return &sarama.Records{RecordBatch: b}
}

// marker builds a control batch at offset off; abort or commit.
func marker(off, pid int64, abort bool) *sarama.Records {
	typ := byte(1)
	if abort {
		typ = 0
	}
	b := &sarama.RecordBatch{FirstOffset: off, ProducerID: pid, IsTransactional: true, Control: true,
		Records: []*sarama.Record{{Key: []byte{0, 0, 0, typ}, Value: []byte{0, 0, 0, 0, 0, 0}}}}
	return &sarama.Records{RecordBatch: b}
}

func TestScanBlock(t *testing.T) {
	// 0-1 plain, 2-3 txn of producer 7 aborted by the marker at 4,
	// 5 txn of producer 7 committed by the marker at 6, 7-8 txn of
	// producer 9 aborted at 9.
	blk := &sarama.FetchResponseBlock{
		AbortedTransactions: []*sarama.AbortedTransaction{{ProducerID: 9, FirstOffset: 7}, {ProducerID: 7, FirstOffset: 2}},
		RecordsSet: []*sarama.Records{
			batch(0, 2, -1, false), batch(2, 2, 7, true), marker(4, 7, true),
			batch(5, 1, 7, true), marker(6, 7, false), batch(7, 2, 9, true), marker(9, 9, true),
		},
	}
	for _, tc := range []struct {
		name        string
		from, to    int64
		iso         setting.Isolation
		wantVisible bool
		wantScanned int64
	}{
		{"plain records", 0, 10, setting.ReadCommitted, true, 0},
		{"aborted then committed", 2, 10, setting.ReadCommitted, true, 2},
		{"only aborted and markers", 2, 5, setting.ReadCommitted, false, 5},
		{"committed marker and aborted tail", 6, 10, setting.ReadCommitted, false, 10},
		{"aborted tail alone", 7, 10, setting.ReadCommitted, false, 10},
		{"uncommitted sees aborted", 7, 10, setting.ReadUncommitted, true, 7},
		{"uncommitted skips markers", 9, 10, setting.ReadUncommitted, false, 10},
		{"range ends before the committed record", 2, 5, setting.ReadUncommitted, true, 2},
	} {
		vis, scanned := scanBlock(blk, tc.from, tc.to, tc.iso)
		if vis != tc.wantVisible || (!vis && scanned != tc.wantScanned) {
			t.Errorf("%s: scanBlock(%d, %d) = %v, %d; want %v, %d", tc.name, tc.from, tc.to, vis, scanned, tc.wantVisible, tc.wantScanned)
		}
	}
}

func TestScanBlockStopsAtPartialBatch(t *testing.T) {
	partial := batch(3, 1, -1, false)
	partial.RecordBatch.PartialTrailingRecord = true
	blk := &sarama.FetchResponseBlock{RecordsSet: []*sarama.Records{marker(2, 5, false), partial}}
	vis, scanned := scanBlock(blk, 2, 10, setting.ReadCommitted)
	if vis || scanned != 3 {
		t.Errorf("got %v, %d; want false, 3 (the partial batch proves nothing)", vis, scanned)
	}
	if vis, scanned := scanBlock(&sarama.FetchResponseBlock{}, 4, 10, setting.ReadCommitted); vis || scanned != 4 {
		t.Errorf("empty block: %v, %d; want false, 4", vis, scanned)
	}
}
