package groups

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kq-dev/kq/internal/offsets"
)

// partition returns d's row for tp, failing the test when absent.
func partition(t *testing.T, d Description, tp offsets.TopicPartition) PartitionLag {
	t.Helper()
	for _, p := range d.Partitions {
		if p.TopicPartition == tp {
			return p
		}
	}
	t.Fatalf("no row for %v in %+v", tp, d.Partitions)
	return PartitionLag{}
}

func describeOne(t *testing.T, c *Client, group string, opts DescribeOptions) Description {
	t.Helper()
	ds, err := c.Describe(context.Background(), []string{group}, opts)
	if err != nil || len(ds) != 1 {
		t.Fatalf("describe %s: %v, %d descriptions", group, err, len(ds))
	}
	return ds[0]
}

func TestDescribeCommittedOnly(t *testing.T) {
	c, f, _ := setup(t, map[string]int32{"t": 3})
	produce(t, f, "t", 0, 10, nil)
	produce(t, f, "t", 1, 5, nil)
	produce(t, f, "t", 2, 3, nil)
	seedCommits(t, f, "g", map[offsets.TopicPartition]int64{tp0: 4, tp1: 5})

	d := describeOne(t, c, "g", DescribeOptions{})
	if d.State != StateEmpty || len(d.Members) != 0 {
		t.Errorf("state %q with %d members, want Empty with none", d.State, len(d.Members))
	}
	if len(d.Partitions) != 3 {
		t.Fatalf("partitions = %+v, want t/0, t/1 and the never committed t/2", d.Partitions)
	}
	if p2 := partition(t, d, tp2); !p2.Uncommitted() || p2.Committed.Known() || p2.Lag != 3 {
		t.Errorf("t/2 = %+v, want no commit, lag 3 from the log start", p2)
	}
	if u := d.Uncommitted(); len(u) != 1 || u[0] != tp2 {
		t.Errorf("uncommitted %v, want t/2", u)
	}
	if over := d.OverLag(2, false); len(over) != 1 || over[0].TopicPartition != tp0 {
		t.Errorf("over 2, uncommitted not judged: %+v, want t/0", over)
	}
	if over := d.OverLag(2, true); len(over) != 2 || over[1].TopicPartition != tp2 {
		t.Errorf("over 2, uncommitted judged: %+v, want t/0 and t/2", over)
	}
	p0 := partition(t, d, tp0)
	if p0.Committed != 4 || p0.LogStart != 0 || p0.LogEnd != 10 || p0.LastStable != 10 || p0.Lag != 6 || p0.Metadata != "meta-t" {
		t.Errorf("t/0 = %+v", p0)
	}
	if p1 := partition(t, d, tp1); p1.Lag != 0 || p1.LogEnd != 5 {
		t.Errorf("t/1 = %+v", p1)
	}
	if d.TotalLag != 9 {
		t.Errorf("total lag %v, want 9", d.TotalLag)
	}
}

func TestDescribeAfterDeleteRecords(t *testing.T) {
	c, f, b := setup(t, map[string]int32{"t": 1})
	produce(t, f, "t", 0, 10, nil)
	seedCommits(t, f, "g", map[offsets.TopicPartition]int64{tp0: 4})
	a, err := f.Admin()
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.DeleteRecords("t", map[int32]int64{0: 7}); err != nil {
		t.Fatalf("delete records: %v", err)
	}
	p0 := partition(t, describeOne(t, c, "g", DescribeOptions{}), tp0)
	start, end, _, _ := b.PartitionOffsets("t", 0)
	if p0.LogStart != 7 || int64(p0.LogStart) != start || int64(p0.LogEnd) != end {
		t.Errorf("watermarks %+v, broker says start %d end %d", p0.Watermarks, start, end)
	}
	if p0.Lag != 3 || p0.Committed != 4 {
		t.Errorf("lag %v (committed %v), want 3: the deleted offsets 4..6 do not count", p0.Lag, p0.Committed)
	}
}

func TestDescribeTransactions(t *testing.T) {
	c, f, b := setup(t, map[string]int32{"t": 1})
	tx := newTxnProducer(t, f, "tx-1")
	tx.txn("t", 0, 3, true, false)  // 0..2 and a commit marker at 3
	tx.txn("t", 0, 2, false, false) // 4..5 and an abort marker at 6
	tx.txn("t", 0, 2, false, true)  // 7..8, still open
	seedCommits(t, f, "g", map[offsets.TopicPartition]int64{tp0: 1})

	p0 := partition(t, describeOne(t, c, "g", DescribeOptions{}), tp0)
	_, end, stable, _ := b.PartitionOffsets("t", 0)
	if p0.LogEnd != 9 || p0.LastStable != 7 || int64(p0.LogEnd) != end || int64(p0.LastStable) != stable {
		t.Fatalf("watermarks %+v; broker says end %d, stable %d; want end 9, stable 7", p0.Watermarks, end, stable)
	}
	if p0.Lag != 6 {
		t.Errorf("lag %v, want 6 (last stable offset 7 minus committed 1)", p0.Lag)
	}
}

func TestDescribeDeletedTopic(t *testing.T) {
	c, f, _ := setup(t, map[string]int32{"t": 1, "gone": 2})
	produce(t, f, "t", 0, 3, nil)
	gone := offsets.TopicPartition{Topic: "gone", Partition: 1}
	seedCommits(t, f, "g", map[offsets.TopicPartition]int64{tp0: 1, gone: 8})
	a, err := f.Admin()
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.DeleteTopic("gone"); err != nil {
		t.Fatalf("delete topic: %v", err)
	}
	d := describeOne(t, c, "g", DescribeOptions{})
	pg := partition(t, d, gone)
	if !pg.TopicDeleted || pg.Committed != 8 || pg.Lag.Known() || pg.LogEnd.Known() {
		t.Errorf("deleted topic row = %+v", pg)
	}
	if d.TotalLag != 2 {
		t.Errorf("total lag %v, want 2 (the deleted topic's unknown lag left out)", d.TotalLag)
	}
}

func TestDescribeUnknownGroup(t *testing.T) {
	c, f, _ := setup(t, map[string]int32{"t": 1})
	seedCommits(t, f, "g", map[offsets.TopicPartition]int64{tp0: 0})
	ds, err := c.Describe(context.Background(), []string{"nope", "g"}, DescribeOptions{})
	if !errors.Is(err, ErrGroupNotFound) || err.Error() != "group nope does not exist" {
		t.Errorf("error = %v, want group nope does not exist", err)
	}
	if len(ds) != 1 || ds[0].Group != "g" {
		t.Errorf("descriptions = %+v, want g only", ds)
	}
}

func TestDescribeActiveMember(t *testing.T) {
	c, f, _ := setup(t, map[string]int32{"t": 3})
	produce(t, f, "t", 2, 4, nil)
	joinGroup(t, f, c, "live", "t")
	d := describeOne(t, c, "live", DescribeOptions{})
	if d.State != StateStable || len(d.Members) != 1 || d.ProtocolType != "consumer" {
		t.Fatalf("group = %+v", d)
	}
	m := d.Members[0]
	if m.ClientID == "" || m.Host == "" || len(m.Assignment) != 1 || len(m.Assignment[0].Partitions) != 3 {
		t.Errorf("member = %+v, want all 3 partitions of t", m)
	}
	p2 := partition(t, d, tp2)
	if p2.Committed.Known() || p2.Lag != 4 || p2.MemberID != m.MemberID {
		t.Errorf("t/2 = %+v, want no commit, lag 4 from log start, owned by %s", p2, m.MemberID)
	}
}

func TestDescribeTimeLag(t *testing.T) {
	c, f, _ := setup(t, map[string]int32{"t": 2})
	base := time.Now().Add(-2 * time.Hour).Truncate(time.Millisecond)
	produce(t, f, "t", 0, 5, func(i int) time.Time { return base.Add(time.Duration(i) * time.Minute) })
	produce(t, f, "t", 1, 2, nil)
	seedCommits(t, f, "g", map[offsets.TopicPartition]int64{tp0: 2, tp1: 2})
	now := base.Add(time.Hour)
	d := describeOne(t, c, "g", DescribeOptions{TimeLag: true, Now: now})
	age, ok := partition(t, d, tp0).TimeLag()
	if want := time.Hour - 2*time.Minute; !ok || age != want {
		t.Errorf("t/0 time lag = %v (known %v), want %v: the record at offset 2", age, ok, want)
	}
	if age, ok := partition(t, d, tp1).TimeLag(); !ok || age != 0 {
		t.Errorf("t/1 without lag: time lag %v (known %v), want 0", age, ok)
	}
}

func TestDescribeTimeLagSkipsAborted(t *testing.T) {
	c, f, _ := setup(t, map[string]int32{"t": 1})
	tx := newTxnProducer(t, f, "tx-2")
	tx.txn("t", 0, 2, false, false) // 0..1 aborted, marker at 2
	produce(t, f, "t", 0, 1, func(int) time.Time { return time.UnixMilli(1_700_000_000_000) })
	seedCommits(t, f, "g", map[offsets.TopicPartition]int64{tp0: 0})
	now := time.UnixMilli(1_700_000_060_000)
	d := describeOne(t, c, "g", DescribeOptions{TimeLag: true, Now: now})
	if age, ok := partition(t, d, tp0).TimeLag(); !ok || age != time.Minute {
		t.Errorf("time lag %v (known %v), want 1m from the first committed record at offset 3", age, ok)
	}
}
