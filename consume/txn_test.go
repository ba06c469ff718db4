package consume

import (
	"slices"
	"testing"

	"github.com/kq-dev/kq/internal/setting"
	"github.com/kq-dev/kq/internal/testutil"
)

// TestExitPastAbortedTail: a log that ends in an aborted transaction and
// its marker must not make -e wait for records that never come.
func TestExitPastAbortedTail(t *testing.T) {
	b, f := startBroker(t, map[string]int32{"t": 1})
	produceN(t, f, "t", 3, 0)
	testutil.ProduceTxn(t, f, "tx-1", false, testutil.Msg("t", 0, "", "aborted-1"), testutil.Msg("t", 0, "", "aborted-2"))
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
	_, sink, err = run(t, f, Options{Topics: []string{"t"}, Exit: true, Isolation: setting.ReadUncommitted})
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
	_, f := startBroker(t, map[string]int32{"t": 1})
	testutil.Produce(t, f, testutil.Msg("t", 0, "", "plain-0"))                                                      // 0
	testutil.ProduceTxn(t, f, "tx", false, testutil.Msg("t", 0, "", "abort-a"), testutil.Msg("t", 0, "", "abort-b")) // 1, 2, marker 3
	testutil.ProduceTxn(t, f, "tx", true, testutil.Msg("t", 0, "", "commit-c"))                                      // 4, marker 5
	testutil.Produce(t, f, testutil.Msg("t", 0, "", "plain-1"))                                                      // 6
	testutil.ProduceTxn(t, f, "tx", false, testutil.Msg("t", 0, "", "abort-d"))                                      // 7, marker 8
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
	_, f := startBroker(t, map[string]int32{"t": 1})
	produceN(t, f, "t", 2, 0)
	testutil.OpenTxn(t, f, "open", testutil.Msg("t", 0, "", "pending"))
	_, sink, err := run(t, f, Options{Topics: []string{"t"}, Exit: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := sink.values(); !slices.Equal(got, []string{"0:0:v0", "0:1:v1"}) {
		t.Errorf("got %v", got)
	}
}
