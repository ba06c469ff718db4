package consume

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/offsets"
	"github.com/kq-dev/kq/internal/setting"
	"github.com/kq-dev/kq/internal/testutil"
)

// committed returns the group's committed offset of each listed partition
// (-1 for none).
func committed(t *testing.T, f conn.Factory, group, topic string, partitions ...int32) []int64 {
	t.Helper()
	admin, err := f.Admin()
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	resp, err := admin.ListConsumerGroupOffsets(group, map[string][]int32{topic: partitions})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]int64, len(partitions))
	for i, p := range partitions {
		out[i] = resp.GetBlock(topic, p).Offset
	}
	return out
}

// checkUnion fails unless the sinks together hold every want value once.
func checkUnion(t *testing.T, want []string, sinks ...*collect) {
	t.Helper()
	seen := map[string]int{}
	for _, s := range sinks {
		for _, v := range s.values() {
			seen[v]++
		}
	}
	for _, v := range want {
		if seen[v] != 1 {
			t.Errorf("%s printed %d times", v, seen[v])
		}
		delete(seen, v)
	}
	for v := range seen {
		t.Errorf("unexpected record %s", v)
	}
}

func TestGroupTwoMembersWithExit(t *testing.T) {
	_, f := startBroker(t, map[string]int32{"g": 4})
	produceN(t, f, "g", 100, 0, 1, 2, 3)
	var want []string
	for p := range 4 {
		for i := range 100 {
			want = append(want, fmt.Sprintf("%d:%d:v%d", p, i, i))
		}
	}
	sinks := []*collect{{}, {}}
	var wg sync.WaitGroup
	for _, s := range sinks {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
			defer cancel()
			if _, err := Run(ctx, f, Options{Topics: []string{"g"}, Group: "G", Exit: true}, s); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	checkUnion(t, want, sinks...)
	if got := committed(t, f, "G", "g", 0, 1, 2, 3); !slices.Equal(got, []int64{100, 100, 100, 100}) {
		t.Errorf("committed %v", got)
	}
}

func TestGroupTwoMembersWhileProducing(t *testing.T) {
	_, f := startBroker(t, map[string]int32{"g": 4})
	var want []string
	var mu sync.Mutex
	produced := make(chan struct{})
	go func() {
		defer close(produced)
		for i := range 60 {
			var msgs []*sarama.ProducerMessage
			for p := range int32(4) {
				msgs = append(msgs, testutil.Msg("g", p, "", fmt.Sprintf("r%d", i)))
			}
			testutil.ProduceBatch(t, f, msgs...)
			mu.Lock()
			for p := range 4 {
				want = append(want, fmt.Sprintf("%d:%d:r%d", p, i, i))
			}
			mu.Unlock()
			time.Sleep(50 * time.Millisecond) // pace the producer over 3s so both members overlap with it and a rebalance
		}
	}()
	sinks := []*collect{{}, {}}
	var wg sync.WaitGroup
	for i, s := range sinks {
		if i == 1 { // the second member joins once the first has read something
			testutil.Eventually(t, 10*time.Second, "first member's records", func() bool { return sinks[0].len() > 0 })
		}
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
			defer cancel()
			if _, err := Run(ctx, f, Options{Topics: []string{"g"}, Group: "G", IdleTimeout: 3 * time.Second}, s); err != nil {
				t.Error(err)
			}
		})
	}
	<-produced
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	checkUnion(t, want, sinks...)
	for i, s := range sinks {
		if s.len() == 0 {
			t.Errorf("member %d printed nothing: the members did not share the partitions", i)
		}
	}
}

func TestGroupCountCommitsOnlyWhatWasPrinted(t *testing.T) {
	_, f := startBroker(t, map[string]int32{"t": 1})
	produceN(t, f, "t", 10, 0)
	for _, tc := range []struct {
		opts      Options
		want      []string
		committed int64
	}{
		{Options{Count: 4}, []string{"0:0:v0", "0:1:v1", "0:2:v2", "0:3:v3"}, 4},
		{Options{Count: 2, Commit: setting.CommitBefore}, []string{"0:4:v4", "0:5:v5"}, 6},
		{Options{Count: 1, Commit: setting.CommitNone}, []string{"0:6:v6"}, 6},
		{Options{Exit: true}, []string{"0:6:v6", "0:7:v7", "0:8:v8", "0:9:v9"}, 10},
		{Options{Exit: true}, nil, 10},
	} {
		o := tc.opts
		o.Topics, o.Group = []string{"t"}, "G"
		_, sink, err := run(t, f, o)
		if err != nil {
			t.Fatal(err)
		}
		if got := sink.values(); !slices.Equal(got, tc.want) {
			t.Errorf("%+v: got %v, want %v", tc.opts, got, tc.want)
		}
		if got := committed(t, f, "G", "t", 0); got[0] != tc.committed {
			t.Errorf("%+v: committed %d, want %d", tc.opts, got[0], tc.committed)
		}
	}
}

func TestGroupStartsWhereFromSaysWithoutCommits(t *testing.T) {
	_, f := startBroker(t, map[string]int32{"t": 1})
	produceN(t, f, "t", 3, 0)
	_, sink, err := run(t, f, Options{Topics: []string{"t"}, Group: "fresh", From: OffsetSpec{Kind: Latest}, Exit: true})
	if err != nil || sink.len() != 0 {
		t.Errorf("latest: %v, %v", sink.values(), err)
	}
	_, sink, err = run(t, f, Options{Topics: []string{"t"}, Group: "other", Exit: true, Balance: BalanceSticky})
	if err != nil || sink.len() != 3 {
		t.Errorf("earliest: %v, %v", sink.values(), err)
	}
}

func TestGroupExitPastAbortedTail(t *testing.T) {
	_, f := startBroker(t, map[string]int32{"t": 2})
	produceN(t, f, "t", 2, 0, 1)
	testutil.ProduceTxn(t, f, "tx", false, testutil.Msg("t", 0, "", "gone"), testutil.Msg("t", 1, "", "gone"))
	_, sink, err := run(t, f, Options{Topics: []string{"t"}, Group: "G", Exit: true, Balance: BalanceRoundRobin})
	if err != nil {
		t.Fatal(err)
	}
	checkUnion(t, []string{"0:0:v0", "0:1:v1", "1:0:v0", "1:1:v1"}, sink)
	// Past the aborted records and their markers: nothing left to read.
	if got := committed(t, f, "G", "t", 0, 1); !slices.Equal(got, []int64{4, 4}) {
		t.Errorf("committed %v, want [4 4]", got)
	}
}

// pipeSink is an output whose reader goes away (kq consume -g G | head):
// records after the first closed ones fail with EPIPE, like a bufio.Writer
// writing through to a closed pipe.
type pipeSink struct {
	mu           sync.Mutex
	writes, upTo int
	flushedUpTo  int
}

func (s *pipeSink) Write(*sarama.ConsumerMessage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.writes >= s.upTo {
		return &os.PathError{Op: "write", Path: "|1", Err: syscall.EPIPE}
	}
	s.writes++
	return nil
}

func (s *pipeSink) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flushedUpTo = s.writes
	return nil
}

// A group member whose output closes mid-stream commits what reached the
// output before, not nothing and not more: a busy partition (more records
// waiting after every batch) is flushed and marked batch by batch, not
// only when it goes idle.
func TestGroupMarksWhatReachedAClosedOutput(t *testing.T) {
	sink := &pipeSink{upTo: 600}
	e := newEngine(Options{Group: "G", Commit: setting.CommitAfter}, sink, func() {})
	tp := offsets.TopicPartition{Topic: "t", Partition: 0}
	e.assign([]offsets.TopicPartition{tp}, map[offsets.TopicPartition]stop{tp: {offset: noBound, at: noBound}})
	var marked int64 = -1
	st, _ := e.start(tp, 0, func(o int64) { marked = o }, func() {})
	batch := func(from int64) []*sarama.ConsumerMessage {
		out := make([]*sarama.ConsumerMessage, maxBatch)
		for i := range out {
			out[i] = &sarama.ConsumerMessage{Topic: "t", Offset: from + int64(i), Value: []byte("v")}
		}
		return out
	}
	if e.deliver(st, batch(0), true) {
		t.Fatal("run ended after the first batch")
	}
	if !e.deliver(st, batch(maxBatch), true) {
		t.Fatal("run went on after the output closed")
	}
	_, err := e.finish(0)
	if !errors.Is(err, syscall.EPIPE) {
		t.Fatalf("err %v, want EPIPE", err)
	}
	if marked != maxBatch || sink.flushedUpTo != maxBatch {
		t.Fatalf("marked %d (flushed %d), want the first batch: %d", marked, sink.flushedUpTo, maxBatch)
	}
}
