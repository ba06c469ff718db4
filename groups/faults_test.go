package groups

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/internal/offsets"
)

func TestWatermarksRetryMovedLeader(t *testing.T) {
	c, f, b := setup(t, map[string]int32{"t": 1})
	produce(t, f, "t", 0, 4, nil)
	if err := b.FailRequests(int16(kmsg.ListOffsets), 2, int16(sarama.ErrNotLeaderForPartition)); err != nil {
		t.Fatal(err)
	}
	w, err := c.offsets.Watermarks([]offsets.TopicPartition{tp0})
	if err != nil || w[tp0] != wm(0, 4, 4) {
		t.Fatalf("watermarks after two failed lookups = %+v, %v; want retried to 0/4/4", w, err)
	}
	if err := b.FailRequests(int16(kmsg.ListOffsets), 10, int16(sarama.ErrNotLeaderForPartition)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.offsets.Watermarks([]offsets.TopicPartition{tp0}); !errors.Is(err, sarama.ErrNotLeaderForPartition) || !strings.Contains(err.Error(), "t/0") {
		t.Errorf("watermarks while lookups keep failing: %v", err)
	}
}

func TestApplyResetReportsCommitErrors(t *testing.T) {
	c, f, b := setup(t, map[string]int32{"t": 1})
	produce(t, f, "t", 0, 4, nil)
	p, err := c.PlanReset(context.Background(), "g", ResetSpec{Mode: ToLatest, Topics: []TopicScope{{Topic: "t"}}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := b.FailRequests(int16(kmsg.OffsetCommit), 1, int16(sarama.ErrOffsetMetadataTooLarge)); err != nil {
		t.Fatal(err)
	}
	err = c.ApplyReset(context.Background(), &p)
	if !errors.Is(err, sarama.ErrOffsetMetadataTooLarge) || p.Executed {
		t.Errorf("apply with a failing commit = %v (executed %v)", err, p.Executed)
	}
}
