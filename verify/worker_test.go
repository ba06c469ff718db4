package verify_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/testutil"
	"github.com/kq-dev/kq/verify"
	"github.com/kq-dev/kq/verify/check"
	"github.com/kq-dev/kq/verify/history"
)

func TestParseWorker(t *testing.T) {
	for _, tc := range []struct {
		in   string
		i, n int
		bad  string
	}{
		{in: "0/1", i: 0, n: 1},
		{in: "2/3", i: 2, n: 3},
		{in: "0/0", bad: "N must be between 1"},
		{in: "3/2", bad: "I must be between 0 and 1"},
		{in: "-1/2", bad: "I must be between 0 and 1"},
		{in: "abc", bad: "want I/N"},
		{in: "1/", bad: "want I/N"},
		{in: "1/2/3", bad: "want I/N"},
	} {
		i, n, err := verify.ParseWorker(tc.in)
		switch {
		case tc.bad == "" && (err != nil || i != tc.i || n != tc.n):
			t.Errorf("ParseWorker(%q) = %d, %d, %v; want %d, %d", tc.in, i, n, err, tc.i, tc.n)
		case tc.bad != "" && (!errors.Is(err, kqerr.ErrUsage) || !strings.Contains(err.Error(), tc.bad)):
			t.Errorf("ParseWorker(%q) error %v, want a usage error with %q", tc.in, err, tc.bad)
		}
	}
}

// runWorkers runs n workers of one run as goroutines against b and
// returns their reports and histories.
func runWorkers(t *testing.T, b *broker.Broker, n int, runID string, opts verify.Options) ([]verify.Report, []*bytes.Buffer, []error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	reps, hists, errs := make([]verify.Report, n), make([]*bytes.Buffer, n), make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		o := opts
		hists[i] = &bytes.Buffer{}
		o.History = hists[i]
		o.Worker = &verify.Worker{Index: i, Count: n, RunID: runID, Timeout: 30 * time.Second}
		if testing.Verbose() {
			o.Log = os.Stderr
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			reps[i], errs[i] = verify.Run(ctx, testutil.Factory(b), o, nil)
		}()
	}
	wg.Wait()
	return reps, hists, errs
}

func mergeHistories(t *testing.T, hists []*bytes.Buffer) check.HistoryResult {
	t.Helper()
	var srcs []history.Source
	for i, h := range hists {
		srcs = append(srcs, history.Source{Name: fmt.Sprintf("w%d", i), R: bytes.NewReader(h.Bytes())})
	}
	res, err := check.Merge(srcs, "", check.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestWorkersShareOneRun(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 3})
	opts := verify.Options{RunSettings: verify.RunSettings{Semantics: check.ExactlyOnce, Faults: verify.FaultChoice{Mode: verify.FaultsNone}, Workload: verify.Workload{Messages: 600, Producers: 2, Consumers: 2, Partitions: 4, Rate: -1, TxnSize: 50}}}
	reps, hists, errs := runWorkers(t, b, 2, "unit-share", opts)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("worker %d: %v", i, err)
		}
		rep := reps[i]
		if rep.Worker == nil || rep.Worker.Index != i || rep.Verdict.Outcome != "" || rep.Err() != nil {
			t.Errorf("worker %d: worker %+v verdict %q: want the worker named and no verdict", i, rep.Worker, rep.Verdict.Outcome)
		}
		if rep.Counts.Acked != 600 {
			t.Errorf("worker %d acked %d, want its own 600", i, rep.Counts.Acked)
		}
	}
	// Worker 0 validates the whole output; worker 1 none of it.
	if reps[0].Counts.Delivered != 1200 || reps[1].Counts.Delivered != 0 {
		t.Errorf("delivered %d and %d, want 1200 by worker 0's validator and 0", reps[0].Counts.Delivered, reps[1].Counts.Delivered)
	}
	res := mergeHistories(t, hists)
	if res.Verdict.Outcome != check.Held || res.Counts.Sent != 1200 || res.Counts.Delivered != 1200 {
		t.Fatalf("merged: %s %+v, counts sent %d delivered %d", res.Verdict.Outcome, res.Verdict.Reasons, res.Counts.Sent, res.Counts.Delivered)
	}
	// Disjoint by construction: the producer ids of the two histories.
	ids := [2]map[uint32]bool{{}, {}}
	for i, h := range hists {
		history.Read(bytes.NewReader(h.Bytes()), func(e history.Event) error {
			if e.Type == history.TypeSend {
				ids[i][e.Producer] = true
			}
			return nil
		})
	}
	if !ids[0][0] || !ids[0][1] || !ids[1][2] || !ids[1][3] || len(ids[0])+len(ids[1]) != 4 {
		t.Errorf("producer ids %v, want 0,1 for worker 0 and 2,3 for worker 1", ids)
	}
	// Worker 0 cleaned up the shared topics and the control topic.
	admin, err := testutil.Factory(b).Admin()
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	topics, err := admin.ListTopics()
	if err != nil {
		t.Fatal(err)
	}
	for name := range topics {
		if strings.HasPrefix(name, "kq-verify-unit-share") {
			t.Errorf("topic %s left behind", name)
		}
	}
}

func TestWorkerAloneTimesOut(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 1})
	opts := verify.Options{RunSettings: verify.RunSettings{Faults: verify.FaultChoice{Mode: verify.FaultsNone}, Workload: verify.Workload{Messages: 10}}}
	opts.Worker = &verify.Worker{Index: 1, Count: 2, RunID: "unit-alone", Timeout: 500 * time.Millisecond}
	_, err := verify.Run(context.Background(), testutil.Factory(b), opts, nil)
	if err == nil || !strings.Contains(err.Error(), "plan not seen from worker [0]") {
		t.Fatalf("error %v, want one saying worker 0's plan never came", err)
	}
}

func TestWorkerStartedTwice(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 1})
	opts := verify.Options{RunSettings: verify.RunSettings{Faults: verify.FaultChoice{Mode: verify.FaultsNone}, Workload: verify.Workload{Messages: 10}}}
	// A worker 0 that finds a plan on its control topic (a run id used
	// before, kept here with --keep-topics, or worker 0 started twice)
	// stops.
	opts.KeepTopics = true
	_, _, errs := runWorkers(t, b, 1, "unit-twice-keep", opts)
	if errs[0] != nil {
		t.Fatal(errs[0])
	}
	_, _, errs = runWorkers(t, b, 1, "unit-twice-keep", opts)
	if errs[0] == nil || !strings.Contains(errs[0].Error(), "already has a plan") {
		t.Fatalf("second worker 0 of a kept run: error %v, want 'already has a plan'", errs[0])
	}
}

func TestWorkerOptionsValidated(t *testing.T) {
	for _, w := range []verify.Worker{{Index: 2, Count: 2, RunID: "x"}, {Index: 0, Count: 2}, {Index: 0, Count: 2, RunID: "a b"}} {
		opts := verify.Options{Worker: &w}
		_, err := verify.Run(context.Background(), conn.Factory{}, opts, nil)
		if !errors.Is(err, kqerr.ErrUsage) {
			t.Errorf("worker %+v: error %v, want a usage error", w, err)
		}
	}
}
