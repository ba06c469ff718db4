package verify_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/testutil"
	"github.com/kq-dev/kq/verify"
	"github.com/kq-dev/kq/verify/check"
)

// TestFailedCommitsAreRetried: commits answered with NOT_COORDINATOR (as
// after a coordinator move) are sent again, and a batch whose commit
// still fails comes again in a new session, so the group's committed
// offsets reach the log end and the run drains. A consumer that gave up on
// the failed commit of its last batch left the group short of the log end
// for good ("the consumers did not catch up").
func TestFailedCommitsAreRetried(t *testing.T) {
	for _, tc := range []struct {
		fails     int
		redeliver bool
	}{
		{fails: 2},                  // fewer than a commit's attempts
		{fails: 4, redeliver: true}, // the first batch's commit gives up
	} {
		t.Run(fmt.Sprint(tc.fails), func(t *testing.T) {
			t.Parallel()
			b := testutil.StartBroker(t, &broker.Options{Nodes: 3})
			const offsetCommit, notCoordinator = 8, 16
			if err := b.FailRequests(offsetCommit, tc.fails, notCoordinator); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			const n = 50
			rep, err := verify.Run(ctx, testutil.Factory(b), verify.Options{RunSettings: verify.RunSettings{Semantics: check.AtLeastOnce, Faults: verify.FaultChoice{Mode: verify.FaultsNone}, DrainTimeout: 15 * time.Second, Workload: verify.Workload{Messages: n, Producers: 1, Consumers: 1, Partitions: 1, Rate: -1}}, Broker: b}, nil)
			if err != nil {
				t.Fatalf("run: %v (counts %+v)", err, rep.Counts)
			}
			c := rep.Counts
			if !rep.Verdict.Held || c.Delivered < n || (c.Redeliveries > 0) != tc.redeliver {
				t.Fatalf("counts %+v, verdict %+v; want held, every value delivered, redeliveries only when a commit gave up", c, rep.Verdict)
			}
		})
	}
}
