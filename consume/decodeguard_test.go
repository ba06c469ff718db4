package consume

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/offsets"
)

func TestUndecodableFetchEndsRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var reported []error
	e := newEngine(Options{OnError: func(err error) { reported = append(reported, err) }}, &collect{}, cancel)
	tp := offsets.TopicPartition{Topic: "t", Partition: 2}
	e.assign([]offsets.TopicPartition{tp}, map[offsets.TopicPartition]stop{tp: {offset: noBound, at: noBound}})
	e.start(tp, 7, nil, nil)

	e.onError(&sarama.ConsumerError{Topic: "t", Partition: 2, Err: sarama.ErrOutOfBrokers})
	if e.stopped || len(reported) != 1 {
		t.Fatalf("a retriable error stopped the run (stopped %v, reported %d)", e.stopped, len(reported))
	}
	e.onError(&sarama.ConsumerError{Topic: "t", Partition: 2, Err: sarama.ErrInsufficientData})
	stats, err := e.finish(0)
	if !e.stopped || ctx.Err() == nil || stats.Stopped != StopError || !errors.Is(err, sarama.ErrInsufficientData) ||
		!strings.Contains(err.Error(), "partition t/2: cannot decode the records after offset 6") {
		t.Errorf("after a decode error: stopped %v, ctx %v, stats %+v, err %v", e.stopped, ctx.Err(), stats, err)
	}
	if len(reported) != 2 {
		t.Errorf("OnError saw %d errors, want 2", len(reported))
	}
}
