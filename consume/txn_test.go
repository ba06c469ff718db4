package consume

import (
	"slices"
	"strings"
	"testing"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/conn"
)

// startTxnBroker starts a one-node broker whose Fetch responses are read
// through markerFixDialer (see markerfix_test.go).
func startTxnBroker(t *testing.T, topics map[string]int32) (*broker.Broker, conn.Factory) {
	t.Helper()
	b, f := startBroker(t, topics)
	f.Dialer = markerFixDialer{}
	return b, f
}

// TestBuiltInBrokerMarkersLackValue pins the broker behaviour that
// markerFixDialer works around: when it fails, the built-in broker writes
// complete markers and the dialer can go.
func TestBuiltInBrokerMarkersLackValue(t *testing.T) {
	_, f := startBroker(t, map[string]int32{"t": 1})
	produceTxn(t, f, "tx", true, msg("t", 0, "", "c"))
	client, err := f.Client()
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	p := &prober{client: client, iso: ReadCommitted}
	blk, err := p.fetch("t", 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(blk.RecordsSet) != 1 || !blk.RecordsSet[0].RecordBatch.Control {
		t.Fatalf("offset 1 is not a marker: %+v", blk.RecordsSet)
	}
	if v := blk.RecordsSet[0].RecordBatch.Records[0].Value; len(v) != 0 {
		t.Fatalf("the broker now writes a %d-byte marker value: drop markerFixDialer", len(v))
	}
	// sarama fails on the marker, again and again: the run gives up with
	// an error rather than hang.
	_, sink, err := run(t, f, Options{Topics: []string{"t"}, Exit: true})
	if err == nil || !strings.Contains(err.Error(), "partition t/0: cannot decode the records after offset -1") || sink.len() != 0 {
		t.Errorf("without the dialer: %v, %v; want a decode error and nothing read", sink.values(), err)
	}
	f.Dialer = markerFixDialer{}
	_, sink, err = run(t, f, Options{Topics: []string{"t"}, Exit: true})
	if err != nil || !slices.Equal(sink.values(), []string{"0:0:c"}) {
		t.Errorf("through the dialer: %v, %v", sink.values(), err)
	}
}

// TestExitPastAbortedTail: a log that ends in an aborted transaction and
// its marker must not make -e wait for records that never come.
func TestExitPastAbortedTail(t *testing.T) {
	b, f := startTxnBroker(t, map[string]int32{"t": 1})
	produceN(t, f, "t", 3, 0)
	produceTxn(t, f, "tx-1", false, msg("t", 0, "", "aborted-1"), msg("t", 0, "", "aborted-2"))
	if _, high, stable, err := b.PartitionOffsets("t", 0); err != nil || high != 6 || stable != 6 {
		t.Fatalf("broker offsets: high %d stable %d (%v); want 6 and 6 (3 records, 2 aborted, 1 marker)", high, stable, err)
	}
	stats, sink, err := run(t, f, Options{Topics: []string{"t"}, Exit: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := sink.values(); !slices.Equal(got, []string{"0:0:v0", "0:1:v1", "0:2:v2"}) || stats.Stopped != StopEnd {
		t.Errorf("read_committed: %v (%s)", got, stats.Stopped)
	}
	_, sink, err = run(t, f, Options{Topics: []string{"t"}, Exit: true, Isolation: ReadUncommitted})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"0:0:v0", "0:1:v1", "0:2:v2", "0:3:aborted-1", "0:4:aborted-2"}
	if got := sink.values(); !slices.Equal(got, want) {
		t.Errorf("read_uncommitted: %v, want %v", got, want)
	}
}

// TestAbortInvisibleToReadCommitted interleaves committed, aborted and
// plain records and checks read_committed shows exactly the committed
// and plain ones, starting from every offset.
func TestAbortInvisibleToReadCommitted(t *testing.T) {
	_, f := startTxnBroker(t, map[string]int32{"t": 1})
	produce(t, f, msg("t", 0, "", "plain-0"))                                             // 0
	produceTxn(t, f, "tx", false, msg("t", 0, "", "abort-a"), msg("t", 0, "", "abort-b")) // 1, 2, marker 3
	produceTxn(t, f, "tx", true, msg("t", 0, "", "commit-c"))                             // 4, marker 5
	produce(t, f, msg("t", 0, "", "plain-1"))                                             // 6
	produceTxn(t, f, "tx", false, msg("t", 0, "", "abort-d"))                             // 7, marker 8
	want := []string{"0:0:plain-0", "0:4:commit-c", "0:6:plain-1"}
	for from := int64(0); from <= 9; from++ {
		_, sink, err := run(t, f, Options{Topics: []string{"t"}, Exit: true, From: OffsetSpec{Kind: Exact, N: from}})
		if err != nil {
			t.Fatal(err)
		}
		var w []string
		for _, v := range want {
			if off := v[2:3]; off[0]-'0' >= byte(from) {
				w = append(w, v)
			}
		}
		if got := sink.values(); !slices.Equal(got, w) {
			t.Errorf("from %d: %v, want %v", from, got, w)
		}
	}
}

// TestExitWithOpenTransaction: -e under read_committed ends at the last
// stable offset, before a transaction still open at start.
func TestExitWithOpenTransaction(t *testing.T) {
	_, f := startTxnBroker(t, map[string]int32{"t": 1})
	produceN(t, f, "t", 2, 0)
	p, err := f.SyncProducer(manualPartitioner, txnConfig("open"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.BeginTxn(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.SendMessage(msg("t", 0, "", "pending")); err != nil {
		t.Fatal(err)
	}
	_, sink, err := run(t, f, Options{Topics: []string{"t"}, Exit: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := sink.values(); !slices.Equal(got, []string{"0:0:v0", "0:1:v1"}) {
		t.Errorf("got %v", got)
	}
	if err := p.AbortTxn(); err != nil {
		t.Fatal(err)
	}
}
