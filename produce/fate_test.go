package produce_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/kq-dev/kq/produce"
)

// TestRefusedBeforeAppendFails: acks=all writes the broker refuses with
// NOT_ENOUGH_REPLICAS at every attempt were never written: once the flush
// timeout ends the retries they are failed, with the broker's error, not
// in doubt.
func TestRefusedBeforeAppendFails(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1)
	e.opts.FlushTimeout = time.Second
	if err := e.b.FailRequests(0, 1_000_000, kerr.NotEnoughReplicas.Code); err != nil {
		t.Fatal(err)
	}
	res, rec, err := e.run(t, lines("a\nb\n"))
	if !errors.Is(err, produce.ErrNotDelivered) || res.Failed != 2 || res.InDoubt != 0 {
		t.Fatalf("%+v %v, want 2 failed, none in doubt", res, err)
	}
	for _, f := range rec.failures {
		if !errors.Is(f.Err, sarama.ErrNotEnoughReplicas) || errors.Is(f.Err, produce.ErrInDoubt) {
			t.Errorf("failure %v: want the broker's NOT_ENOUGH_REPLICAS, not in doubt", f.Err)
		}
	}
}

// TestRefusedAfterAppendInDoubt: NOT_ENOUGH_REPLICAS_AFTER_APPEND means
// the leader appended the write: in doubt at the flush timeout, even when
// later attempts are refused before the append.
func TestRefusedAfterAppendInDoubt(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1)
	e.opts.FlushTimeout = time.Second
	if err := e.b.FailRequests(0, 1, kerr.NotEnoughReplicasAfterAppend.Code); err != nil {
		t.Fatal(err)
	}
	if err := e.b.FailRequests(0, 1_000_000, kerr.NotEnoughReplicas.Code); err != nil {
		t.Fatal(err)
	}
	res, rec, _ := e.run(t, lines("a\n"))
	if res.InDoubt != 1 || res.Failed != 0 {
		t.Fatalf("%+v, want 1 in doubt", res)
	}
	if f := rec.failures[0]; !errors.Is(f.Err, produce.ErrInDoubt) || !strings.Contains(f.Err.Error(), "flush timeout") {
		t.Errorf("failure %v: want in doubt at the flush timeout", f.Err)
	}
}

// TestGiveUpAfterTimeoutInDoubt: when the delivery timeout ends the
// retries of a write whose attempt timed out at the broker, it is in
// doubt (the broker may have written it); after refusals alone it failed.
func TestGiveUpAfterTimeoutInDoubt(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code    int16
		inDoubt bool
	}{{kerr.RequestTimedOut.Code, true}, {kerr.NotEnoughReplicas.Code, false}} {
		e := newEnv(t, 1)
		e.opts.Settings.DeliveryTimeout = 500 * time.Millisecond
		if err := e.b.FailRequests(0, 1_000_000, tc.code); err != nil {
			t.Fatal(err)
		}
		res, rec, _ := e.run(t, lines("a\n"))
		if got := res.InDoubt == 1; got != tc.inDoubt || res.Sent != 1 {
			t.Fatalf("code %d: %+v, want in doubt %t", tc.code, res, tc.inDoubt)
		}
		if f := rec.failures[0]; !strings.Contains(f.Err.Error(), "gave up after") {
			t.Errorf("code %d: failure %v: want it given up after the delivery timeout", tc.code, f.Err)
		}
	}
}

// TestIdempotentRefusedFailsWithBrokerError: an idempotent write the
// broker refuses at every attempt fails with the broker's
// NOT_ENOUGH_REPLICAS (sarama's producer, which idempotent produce went
// through before the batch path did it, failed it with "shutting down").
// A final answer that may have written the record (a broker timeout)
// leaves it in doubt instead.
func TestIdempotentRefusedFailsWithBrokerError(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code    int16
		want    error
		inDoubt bool
	}{
		{kerr.NotEnoughReplicas.Code, sarama.ErrNotEnoughReplicas, false},
		{kerr.RequestTimedOut.Code, sarama.ErrRequestTimedOut, true},
	} {
		e := newEnv(t, 1)
		e.opts.FlushTimeout = 10 * time.Second
		e.opts.Settings.Idempotent = true
		e.opts.Settings.DeliveryTimeout = time.Second
		if err := e.b.FailRequests(0, 1_000_000, tc.code); err != nil {
			t.Fatal(err)
		}
		res, rec, _ := e.run(t, lines("a\n"))
		if got := res.InDoubt == 1; got != tc.inDoubt || res.Failed+res.InDoubt != 1 {
			t.Fatalf("code %d: %+v, want in doubt %t", tc.code, res, tc.inDoubt)
		}
		if f := rec.failures[0]; !errors.Is(f.Err, tc.want) {
			t.Errorf("code %d: failure %v: want the broker's error", tc.code, f.Err)
		}
	}
}
