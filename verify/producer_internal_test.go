package verify

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/kq-dev/kq/chaos"
	"github.com/kq-dev/kq/verify/history"

	"github.com/IBM/sarama"
)

func TestProduceErrorsAreIndeterminateUnlessProvablyRejected(t *testing.T) {
	cases := []struct {
		err  error
		want history.Status
	}{
		{sarama.ErrMessageSizeTooLarge, history.StatusFail},
		{fmt.Errorf("wrapped: %w", sarama.ErrTopicAuthorizationFailed), history.StatusFail},
		{sarama.ErrInvalidRecord, history.StatusFail},
		// A broker's error answer may hide a write: the chaos
		// response-error fault, or a retry after a lost response.
		{sarama.ErrRequestTimedOut, history.StatusInfo},
		{sarama.ErrNotLeaderForPartition, history.StatusInfo},
		{sarama.ErrNotEnoughReplicasAfterAppend, history.StatusInfo},
		{sarama.ErrOutOfBrokers, history.StatusInfo},
		{context.DeadlineExceeded, history.StatusInfo},
		{errors.New("read tcp: i/o timeout"), history.StatusInfo},
	}
	for _, tc := range cases {
		for _, refusals := range []bool{false, true} {
			if got := produceErrStatus(tc.err, refusals); got != tc.want {
				t.Errorf("%v (refusals definite %t): %s, want %s", tc.err, refusals, got, tc.want)
			}
		}
	}
	// NOT_ENOUGH_REPLICAS is a refusal before the append: definite only
	// when the send had one attempt and no fault fakes the answer.
	if got := produceErrStatus(fmt.Errorf("w: %w", sarama.ErrNotEnoughReplicas), true); got != history.StatusFail {
		t.Errorf("NOT_ENOUGH_REPLICAS, one attempt: %s, want fail", got)
	}
	if got := produceErrStatus(sarama.ErrNotEnoughReplicas, false); got != history.StatusInfo {
		t.Errorf("NOT_ENOUGH_REPLICAS after retries: %s, want info", got)
	}
}

func TestRefusalsDefinite(t *testing.T) {
	one, many := Settings{}, Settings{}
	many.Retries = 3
	faked := Settings{Faults: FaultPlan{Faults: []chaos.Fault{{Kind: chaos.ResponseError, ErrorCode: int16(sarama.ErrNotEnoughReplicas)}}}}
	timeout := Settings{Faults: FaultPlan{Faults: []chaos.Fault{{Kind: chaos.ResponseError, ErrorCode: int16(sarama.ErrRequestTimedOut)}}}}
	for _, tc := range []struct {
		name string
		set  Settings
		want bool
	}{{"no retries", one, true}, {"retries", many, false}, {"faked refusals", faked, false}, {"faked timeouts", timeout, true}} {
		if got := (&run{set: tc.set}).refusalsDefinite(); got != tc.want {
			t.Errorf("%s: %t, want %t", tc.name, got, tc.want)
		}
	}
}

func TestShareSplitsEvenly(t *testing.T) {
	total := int64(0)
	for i := range 3 {
		n := share(10, i, 3)
		if n != 3 && n != 4 {
			t.Errorf("producer %d writes %d of 10", i, n)
		}
		total += n
	}
	if total != 10 {
		t.Errorf("producers write %d values in all, want 10", total)
	}
}

func TestSpansMergeConsecutiveOffsets(t *testing.T) {
	got := spans([]int64{7, 3, 4, 5, 9, 8, 12, 4})
	want := []offsetRange{{3, 5}, {7, 9}, {12, 12}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("spans = %v, want %v", got, want)
	}
	if len(spans(nil)) != 0 {
		t.Error("no offsets, yet spans")
	}
}
