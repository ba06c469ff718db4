package consume

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/testutil"
)

func TestExitReadsEveryPartitionInOrder(t *testing.T) {
	_, f := startBroker(t, map[string]int32{"t": 3})
	produceN(t, f, "t", 10, 0, 1, 2)
	stats, sink, err := run(t, f, Options{Topics: []string{"t"}, Exit: true})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Records != 30 || stats.Stopped != StopEnd || stats.Bytes != 30*2 {
		t.Errorf("stats = %+v, want 30 records of 2 bytes, stopped at end", stats)
	}
	for p, got := range byPartition(sink) {
		var want []string
		for i := range 10 {
			want = append(want, fmt.Sprintf("%d:v%d", i, i))
		}
		if !slices.Equal(got, want) {
			t.Errorf("partition %d: %v", p, got)
		}
	}
	if len(byPartition(sink)) != 3 {
		t.Errorf("read partitions %v", byPartition(sink))
	}
}

func TestStartAndStopSpecs(t *testing.T) {
	_, f := startBroker(t, map[string]int32{"t": 2})
	produceN(t, f, "t", 10, 0)
	offsets := func(lo, hi int) []string { // partition 0, offsets lo..hi-1
		var out []string
		for i := lo; i < hi; i++ {
			out = append(out, fmt.Sprintf("0:%d:v%d", i, i))
		}
		return out
	}
	exact := func(n int64) *OffsetSpec { return &OffsetSpec{Kind: Exact, N: n} }
	for _, tc := range []struct {
		name   string
		opts   Options
		want   []string
		reason StopReason
	}{
		{"earliest", Options{}, offsets(0, 10), StopEnd},
		{"latest", Options{From: OffsetSpec{Kind: Latest}}, nil, StopEnd},
		{"exact", Options{From: OffsetSpec{Kind: Exact, N: 7}}, offsets(7, 10), StopEnd},
		{"exact past the end is clamped", Options{From: OffsetSpec{Kind: Exact, N: 99}}, nil, StopEnd},
		{"last two", Options{From: OffsetSpec{Kind: FromEnd, N: 2}}, offsets(8, 10), StopEnd},
		{"more than there are", Options{From: OffsetSpec{Kind: FromEnd, N: 50}}, offsets(0, 10), StopEnd},
		{"skip four", Options{From: OffsetSpec{Kind: FromStart, N: 4}}, offsets(4, 10), StopEnd},
		{"until", Options{Until: exact(3)}, offsets(0, 3), StopEnd},
		{"until without exit", Options{From: OffsetSpec{Kind: Exact, N: 2}, Until: exact(5)}, offsets(2, 5), StopEnd},
		{"count", Options{Count: 4}, offsets(0, 4), StopCount},
		{"count beyond the end", Options{Count: 40}, offsets(0, 10), StopEnd},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.opts
			o.Topics, o.Partitions = []string{"t"}, []int32{0}
			o.Exit = o.Until == nil || o.Count != 0
			stats, sink, err := run(t, f, o)
			if err != nil {
				t.Fatal(err)
			}
			if got := sink.values(); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			if stats.Stopped != tc.reason {
				t.Errorf("stopped: %s, want %s", stats.Stopped, tc.reason)
			}
		})
	}
}

func TestTimestamps(t *testing.T) {
	_, f := startBroker(t, map[string]int32{"t": 1})
	base := time.UnixMilli(1_700_000_000_000)
	msgs := testutil.MsgsApart("t", 0, 6, base, time.Second)
	testutil.ProduceBatch(t, f, msgs[:3]...) // one batch: the broker's time lookup must be refined
	testutil.Produce(t, f, msgs[3:]...)      // one batch each
	at := func(sec float64) OffsetSpec {
		return OffsetSpec{Kind: Timestamp, Time: base.Add(time.Duration(sec * float64(time.Second)))}
	}
	until := func(sec float64) *OffsetSpec { s := at(sec); return &s }
	for _, tc := range []struct {
		name string
		opts Options
		want string
	}{
		{"from inside a batch", Options{From: at(1.5), Exit: true}, "v2 v3 v4 v5"},
		{"from an exact time", Options{From: at(1), Exit: true}, "v1 v2 v3 v4 v5"},
		{"from between batches", Options{From: at(3.5), Exit: true}, "v4 v5"},
		{"from the future", Options{From: at(100), Exit: true}, ""},
		{"from long ago", Options{From: OffsetSpec{Kind: Timestamp, Time: time.UnixMilli(-5)}, Exit: true}, "v0 v1 v2 v3 v4 v5"},
		{"until inside a batch", Options{Until: until(1.5)}, "v0 v1"},
		{"from and until", Options{From: at(1), Until: until(4)}, "v1 v2 v3"},
		{"until past, no later record", Options{Until: until(100)}, "v0 v1 v2 v3 v4 v5"},
		{"until a second ago", Options{Until: &OffsetSpec{Kind: Timestamp, Time: time.Now().Add(-time.Second)}}, "v0 v1 v2 v3 v4 v5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.opts
			o.Topics = []string{"t"}
			_, sink, err := run(t, f, o)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, v := range sink.values() {
				got = append(got, v[strings.LastIndex(v, ":")+1:])
			}
			if strings.Join(got, " ") != tc.want {
				t.Errorf("got %q, want %q", strings.Join(got, " "), tc.want)
			}
		})
	}
}

func TestUntilFutureTimeStopsAtFirstLaterRecord(t *testing.T) {
	_, f := startBroker(t, map[string]int32{"t": 1})
	produceN(t, f, "t", 2, 0)
	cut := time.Now().Add(time.Hour)
	done := make(chan error, 1)
	sink := &collect{}
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	go func() {
		_, err := Run(ctx, f, Options{Topics: []string{"t"}, Until: &OffsetSpec{Kind: Timestamp, Time: cut}}, sink)
		done <- err
	}()
	testutil.Eventually(t, 10*time.Second, "the first two records", func() bool { return sink.len() == 2 })
	early, late := testutil.Msg("t", 0, "", "early"), testutil.Msg("t", 0, "", "late")
	early.Timestamp, late.Timestamp = cut.Add(-time.Minute), cut
	testutil.Produce(t, f, early, late, testutil.Msg("t", 0, "", "after"))
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := sink.values(); !slices.Equal(got, []string{"0:0:v0", "0:1:v1", "0:2:early"}) {
		t.Errorf("got %v", got)
	}
}

// An --until time that passes during the run with no record at or after
// it: the run ends at the partitions' ends as of that time, empty ones
// included, in partition and group mode.
func TestUntilTimePassingWithoutRecords(t *testing.T) {
	_, f := startBroker(t, map[string]int32{"t": 3})
	produceN(t, f, "t", 2, 0)
	for _, group := range []string{"", "G"} {
		t.Run("group="+group, func(t *testing.T) {
			cut := time.Now().Add(500 * time.Millisecond)
			stats, sink, err := run(t, f, Options{Topics: []string{"t"}, Group: group, Until: &OffsetSpec{Kind: Timestamp, Time: cut}})
			if err != nil || stats.Stopped != StopEnd {
				t.Fatalf("stopped %q, %v", stats.Stopped, err)
			}
			if got := sink.values(); !slices.Equal(got, []string{"0:0:v0", "0:1:v1"}) {
				t.Errorf("got %v", got)
			}
		})
	}
}

func TestIdleTimeout(t *testing.T) {
	_, f := startBroker(t, map[string]int32{"t": 3})
	produceN(t, f, "t", 5, 0, 2)
	stats, sink, err := run(t, f, Options{Topics: []string{"t"}, IdleTimeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if stats.Stopped != StopIdle || sink.len() != 10 {
		t.Errorf("stats %+v with %d records; want idle after 10", stats, sink.len())
	}
}

func TestInterruptFlushesAndReportsInterrupted(t *testing.T) {
	_, f := startBroker(t, map[string]int32{"t": 1})
	produceN(t, f, "t", 3, 0)
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	sink := &collect{}
	runCtx, interrupt := context.WithCancel(ctx)
	done := make(chan error, 1)
	var stats Stats
	go func() {
		var err error
		stats, err = Run(runCtx, f, Options{Topics: []string{"t"}}, sink)
		done <- err
	}()
	testutil.Eventually(t, 10*time.Second, "three records", func() bool { return sink.len() == 3 })
	interrupt()
	err := <-done
	if !errors.Is(err, kqerr.ErrInterrupted) || stats.Stopped != StopInterrupted || stats.Records != 3 {
		t.Errorf("err = %v, stats = %+v; want interrupted after 3", err, stats)
	}
	if sink.flushed != 3 {
		t.Errorf("flushed %d of 3", sink.flushed)
	}
}

func TestMissingTopicOrPartition(t *testing.T) {
	_, f := startBroker(t, map[string]int32{"t": 2})
	_, _, err := run(t, f, Options{Topics: []string{"t", "nope"}, Exit: true})
	if err == nil || err.Error() != "topic nope does not exist" || kqerr.Code(err) != kqerr.CodeError {
		t.Errorf("missing topic: %v (code %d)", err, kqerr.Code(err))
	}
	_, _, err = run(t, f, Options{Topics: []string{"t"}, Partitions: []int32{1, 5}, Exit: true})
	if err == nil || !strings.Contains(err.Error(), "topic t has no partition 5 (it has 2 partitions)") {
		t.Errorf("missing partition: %v", err)
	}
}

func TestUnreachable(t *testing.T) {
	f := conn.Factory{Profile: conn.Profile{Brokers: []string{"127.0.0.1:1"}, Timeout: time.Second}}
	_, _, err := run(t, f, Options{Topics: []string{"t"}, Exit: true})
	if !errors.Is(err, kqerr.ErrUnreachable) {
		t.Errorf("err = %v, want unreachable", err)
	}
}

func TestInvalidOptionsAreUsageErrors(t *testing.T) {
	_, f := startBroker(t, map[string]int32{"t": 1})
	_, _, err := run(t, f, Options{Topics: []string{"t"}, Group: "g", Partitions: []int32{0}})
	if !errors.Is(err, kqerr.ErrUsage) {
		t.Errorf("err = %v, want usage", err)
	}
}

// failingSink fails its second write.
type failingSink struct{ n int }

func (s *failingSink) Write(*sarama.ConsumerMessage) error {
	if s.n++; s.n == 2 {
		return errors.New("disk full")
	}
	return nil
}
func (s *failingSink) Flush() error { return nil }

func TestSinkErrorEndsRun(t *testing.T) {
	_, f := startBroker(t, map[string]int32{"t": 1})
	produceN(t, f, "t", 5, 0)
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	stats, err := Run(ctx, f, Options{Topics: []string{"t"}}, &failingSink{})
	if err == nil || err.Error() != "disk full" || stats.Stopped != StopError || stats.Records != 1 {
		t.Errorf("err = %v, stats = %+v; want disk full after 1 record", err, stats)
	}
}
