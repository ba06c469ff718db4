package consume

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/offsets"
	"github.com/kq-dev/kq/internal/testutil"
)

func TestUnreachableWarnsAtMostEveryInterval(t *testing.T) {
	var warned []error
	e := newEngine(Options{OnUnreachable: func(err error) { warned = append(warned, err) }}, &collect{}, func() {})
	lost := &sarama.ConsumerError{Topic: "t", Partition: 0, Err: sarama.ErrOutOfBrokers}
	for range 5 {
		e.onError(lost)
	}
	e.onError(&sarama.ConsumerError{Topic: "t", Partition: 0, Err: sarama.ErrNotLeaderForPartition})
	if len(warned) != 1 || e.stopped {
		t.Fatalf("%d warnings (stopped %v), want 1 and going on", len(warned), e.stopped)
	}
	e.lastWarn = time.Now().Add(-UnreachableWarnInterval)
	e.onError(lost)
	if len(warned) != 2 {
		t.Fatalf("%d warnings after the interval, want 2", len(warned))
	}
}

func TestUnreachableExitOnErrorStops(t *testing.T) {
	sink := &collect{}
	e := newEngine(Options{ExitOnError: true, OnUnreachable: func(error) { t.Error("warned instead of stopping") }}, sink, func() {})
	tp := offsets.TopicPartition{Topic: "t", Partition: 0}
	e.assign([]offsets.TopicPartition{tp}, map[offsets.TopicPartition]stop{tp: {offset: noBound, at: noBound}})
	st, _ := e.start(tp, 0, nil, nil)
	e.deliver(st, []*sarama.ConsumerMessage{{Topic: "t", Offset: 0, Value: []byte("v")}}, true)
	e.onError(&sarama.ConsumerError{Topic: "t", Partition: 0, Err: sarama.ErrOutOfBrokers})
	stats, err := e.finish(0)
	if !errors.Is(err, kqerr.ErrUnreachable) || stats.Stopped != StopError {
		t.Fatalf("stopped %q, err %v; want unreachable", stats.Stopped, err)
	}
	if sink.flushed != 1 {
		t.Errorf("%d records flushed, want the one written before", sink.flushed)
	}
}

// A follow consumer, alone or in a group, whose cluster goes away: it
// warns and keeps waiting, or with ExitOnError stops with ErrUnreachable.
// Waits are bounded; a hang fails the test.
func TestClusterGoneWhileFollowing(t *testing.T) {
	for _, group := range []string{"", "G"} {
		for _, exit := range []bool{false, true} {
			t.Run(fmt.Sprintf("group=%s,exit-on-error=%v", group, exit), func(t *testing.T) {
				b, f := startBroker(t, map[string]int32{"t": 1})
				produceN(t, f, "t", 1, 0)
				var mu sync.Mutex
				var warnings int
				opts := Options{Topics: []string{"t"}, Group: group, ExitOnError: exit, OnUnreachable: func(error) {
					mu.Lock()
					warnings++
					mu.Unlock()
				}}
				ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
				defer cancel()
				sink := &collect{}
				done := make(chan error, 1)
				go func() { _, err := Run(ctx, f, opts, sink); done <- err }()
				testutil.Eventually(t, 10*time.Second, "the first record", func() bool { return sink.len() == 1 })
				b.Close()
				if exit {
					select {
					case err := <-done:
						if !errors.Is(err, kqerr.ErrUnreachable) {
							t.Fatalf("err %v, want unreachable", err)
						}
					case <-time.After(20 * time.Second):
						t.Fatal("still running 20s after the cluster went away")
					}
					return
				}
				testutil.Eventually(t, 20*time.Second, "a warning", func() bool { mu.Lock(); defer mu.Unlock(); return warnings > 0 })
				select {
				case err := <-done:
					t.Fatalf("the run ended (%v) instead of waiting for the cluster", err)
				default:
				}
				cancel()
				<-done
			})
		}
	}
}
