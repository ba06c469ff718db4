package produce_test

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/testutil"
	"github.com/kq-dev/kq/produce"
)

func TestRunTransactionsCommitted(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 2)
	e.opts.Settings.TransactionalID = "tx-commit"
	e.opts.Settings.TxnSize = 10
	res, rec, err := e.run(t, lines(numbered(35)))
	if err != nil || res.Acked != 35 || res.Committed != 4 || res.Aborted != 0 || len(rec.acks) != 35 {
		t.Fatalf("%+v %v", res, err)
	}
	got := readThroughEnd(t, e.f, "t", 2, true)
	sort.Strings(got)
	want := strings.Fields(numbered(35))
	sort.Strings(want)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("read_committed sees %d records: %v", len(got), got)
	}
}

func TestRunTransactionAbortedOnBadInputIsInvisible(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1)
	e.opts.Settings.TransactionalID = "tx-abort"
	in := "{\"value\":\"1\"}\n{\"value\":\"2\"}\n{\"value\":\"3\"}\nbroken\n{\"value\":\"5\"}\n"
	res, rec, err := e.run(t, produce.NewJSONSource(strings.NewReader(in), produce.JSONConfig{}))
	var ie *produce.InputError
	if !errors.As(err, &ie) || ie.Pos.Line != 4 || kqerr.Code(err) != kqerr.CodeUsage {
		t.Fatalf("error %v", err)
	}
	if res.Acked != 0 || res.Failed != 3 || res.Aborted != 1 || len(rec.failures) != 3 || len(rec.acks) != 0 {
		t.Fatalf("result %+v", res)
	}
	if !strings.Contains(rec.failures[0].Err.Error(), "transaction aborted") {
		t.Errorf("failure %v", rec.failures[0].Err)
	}
	// The three records are in the log, but read_committed skips them.
	_, high, _, err := e.b.PartitionOffsets("t", 0)
	if err != nil || high < 3 {
		t.Fatalf("high watermark %d, %v", high, err)
	}
	if got := readThroughEnd(t, e.f, "t", 1, true); len(got) != 0 {
		t.Errorf("read_committed sees aborted records %v", got)
	}
	if got := readThroughEnd(t, e.f, "t", 1, false); strings.Join(got, ",") != "1,2,3" {
		t.Errorf("read_uncommitted sees %v, want the 3 aborted records", got)
	}
}

func TestRunTransactionAbortedOnFailedRecord(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1)
	e.opts.Settings.TransactionalID = "tx-fail"
	e.opts.Settings.TxnSize = 5
	res, _, err := e.run(t, lines(numbered(5)))
	if err != nil || res.Committed != 1 {
		t.Fatalf("first transaction: %+v %v", res, err)
	}
	if err := e.b.FailRequests(0, 1, int16(sarama.ErrMessageSizeTooLarge)); err != nil {
		t.Fatal(err)
	}
	res, rec, err := e.run(t, lines("x1\nx2\nx3\n"))
	if !errors.Is(err, produce.ErrNotDelivered) || res.Aborted != 1 || res.Acked != 0 || res.Failed != 3 || len(rec.failures) != 3 {
		t.Fatalf("%+v %v", res, err)
	}
	got := readThroughEnd(t, e.f, "t", 1, true)
	if strings.Join(got, ",") != "v0,v1,v2,v3,v4" {
		t.Errorf("read_committed sees %v", got)
	}
}

// TestRunTransactionInterrupted: Ctrl-C while the input is open aborts the
// open transaction, promptly.
func TestRunTransactionInterrupted(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1)
	e.opts.Settings.TransactionalID = "tx-int"
	e.opts.FlushTimeout = 30 * time.Second
	src := &blockingSource{n: 5, unblock: make(chan struct{})}
	defer close(src.unblock)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		testutil.Eventually(t, 10*time.Second, "the source to block", src.blocked)
		cancel()
	}()
	start := time.Now()
	rec := &recorder{}
	res, err := produce.Run(ctx, e.f, e.opts, src, rec)
	if !errors.Is(err, kqerr.ErrInterrupted) || res.Aborted != 1 || res.Failed != 5 || res.Acked != 0 || len(rec.failures) != 5 {
		t.Fatalf("%+v %v", res, err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v", d)
	}
	if got := readThroughEnd(t, e.f, "t", 1, true); len(got) != 0 {
		t.Errorf("read_committed sees %v", got)
	}
}
