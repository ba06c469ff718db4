package verify_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/chaos"
	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/setting"
	"github.com/kq-dev/kq/internal/testutil"
	"github.com/kq-dev/kq/verify"
	"github.com/kq-dev/kq/verify/check"
	"github.com/kq-dev/kq/verify/history"
)

func ptr[T any](v T) *T { return &v }

// runVerify runs a short verification against a fresh three-node built-in
// broker, checks that the history it wrote says what the report says, and
// returns the report.
func runVerify(t *testing.T, opts verify.Options) verify.Report {
	t.Helper()
	rep, _ := runVerifyEvents(t, opts)
	return rep
}

// runVerifyEvents is runVerify, returning the history's events too.
func runVerifyEvents(t *testing.T, opts verify.Options) (verify.Report, []history.Event) {
	t.Helper()
	b := testutil.StartBroker(t, &broker.Options{Nodes: 3, ReplicaLag: broker.DefaultReplicaLag})
	opts.Broker = b
	var hist bytes.Buffer
	opts.History = &hist
	if testing.Verbose() {
		opts.Log = os.Stderr
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := verify.Run(ctx, testutil.Factory(b), opts, nil)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	t.Logf("%s: %+v\nverdict %+v\nphases %+v clients %+v windows %d notes %q",
		rep.Settings.Semantics, rep.Counts, rep.Verdict, rep.Phases, rep.Clients, len(rep.Faults.Events), rep.Notes)
	events := checkEvents(t, hist.Bytes(), rep)
	checkHistory(t, &hist, rep)
	return rep, events
}

// checkEvents checks the shape of a run's history: every event timed, the
// meta line first with the run id, the end line last and complete,
// acknowledgements with their latency, and the consumers' or copiers'
// commits recorded. It returns the events.
func checkEvents(t *testing.T, raw []byte, rep verify.Report) []history.Event {
	t.Helper()
	var events []history.Event
	if err := history.Read(bytes.NewReader(raw), func(e history.Event) error { events = append(events, e); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(events) < 2 || events[0].Type != history.TypeMeta || events[0].Run == "" {
		t.Fatalf("history does not start with a meta line naming the run: %+v", events[:min(1, len(events))])
	}
	if end := events[len(events)-1]; end.Type != history.TypeEnd || end.Outcome != history.OutcomeComplete {
		t.Errorf("last line %+v, want the end of a complete run", end)
	}
	seen := map[history.EventType]int{}
	for _, e := range events {
		seen[e.Type]++
		if e.Time.IsZero() {
			t.Fatalf("event without a time: %+v", e)
		}
		if e.Type == history.TypeSend && e.Status == history.StatusOK && e.Latency <= 0 {
			t.Fatalf("acknowledgement without its latency: %+v", e)
		}
	}
	if seen[history.TypeCommit] == 0 && !rep.Settings.AutoCommit {
		t.Errorf("no commit recorded: %v", seen)
	}
	if seen[history.TypeAssign] == 0 || seen[history.TypeSeek] == 0 || seen[history.TypeRevoke] == 0 {
		t.Errorf("assignments and seeks not recorded: %v", seen)
	}
	checkPositions(t, events)
	return events
}

// place is one consumer's view of one partition.
type place struct {
	consumer, topic string
	partition       int32
}

// checkPositions checks that every recorded position move is in place:
// each delivery falls in an assignment of its consumer, after a seek in its
// partition, and the first one after a seek is at or past the seek's
// offset; every seek falls in an assignment.
func checkPositions(t *testing.T, events []history.Event) {
	t.Helper()
	assigned := map[place]bool{}
	seek := map[place]int64{} // the offset of a seek no delivery followed yet
	sought := map[place]bool{}
	for _, e := range events {
		pl := place{e.Consumer, e.Topic, e.Partition}
		switch e.Type {
		case history.TypeAssign, history.TypeRevoke:
			for _, p := range e.Partitions {
				pl.partition = p
				assigned[pl] = e.Type == history.TypeAssign
				delete(sought, pl)
				delete(seek, pl)
			}
		case history.TypeSeek:
			if !assigned[pl] {
				t.Fatalf("seek outside an assignment: %+v", e)
			}
			seek[pl], sought[pl] = e.Offset, true
		case history.TypeDeliver:
			if !assigned[pl] || !sought[pl] {
				t.Fatalf("delivery without an assignment (%t) and a seek (%t) of its partition: %+v", assigned[pl], sought[pl], e)
			}
			if off, ok := seek[pl]; ok && e.Offset < off {
				t.Fatalf("first delivery after a seek to %d is at %d: %+v", off, e.Offset, e)
			}
			delete(seek, pl)
		}
	}
}

// checkHistory re-checks a run's history offline and compares.
func checkHistory(t *testing.T, hist *bytes.Buffer, rep verify.Report) {
	t.Helper()
	res, err := check.Read(hist, "", check.Options{})
	if err != nil {
		t.Fatalf("check the history offline: %v", err)
	}
	got, want := res.Counts, rep.Counts
	got.Examples, want.Examples = nil, nil
	if !reflect.DeepEqual(got, want) || res.Verdict.Held != rep.Verdict.Held {
		t.Errorf("offline check of the history: %+v, held %t; the run said %+v, held %t", got, res.Verdict.Held, want, rep.Verdict.Held)
	}
	if res.Meta == nil || res.Meta.Semantics != string(rep.Settings.Semantics) {
		t.Errorf("history meta = %+v, want the run's semantics", res.Meta)
	}
}

func TestCleanPresets(t *testing.T) {
	for _, s := range []check.Semantics{check.AtMostOnce, check.AtLeastOnce, check.ExactlyOnce} {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			const n = 3000
			rep := runVerify(t, verify.Options{RunSettings: verify.RunSettings{Semantics: s, Faults: verify.FaultChoice{Mode: verify.FaultsNone}, Workload: verify.Workload{Messages: n, Rate: -1}}})
			c := rep.Counts
			if !rep.Verdict.Held || c.Sent != n || c.Acked != n || c.Lost != 0 || c.Delivered < n {
				t.Fatalf("a clean %s run: %+v, verdict %+v", s, c, rep.Verdict)
			}
			if len(rep.Phases) == 0 || rep.Phases[0].Name != verify.PhaseProduce || rep.Phases[0].Records != n {
				t.Errorf("phases = %+v", rep.Phases)
			}
		})
	}
}

// The producers start once the readers are ready: at the first send every
// group consumer (or copier) holds an assignment, and every partition has
// been sought by the reader it is assigned to, so the run does not begin
// with consumers joining one by one, or copiers starting up, while a
// backlog builds.
func TestProducersStartOnceReadersRead(t *testing.T) {
	for _, s := range []check.Semantics{check.AtLeastOnce, check.ExactlyOnce} {
		t.Run(string(s), func(t *testing.T) {
			t.Parallel()
			const n, readers, partitions = 2000, 3, 6
			_, events := runVerifyEvents(t, verify.Options{RunSettings: verify.RunSettings{Semantics: s, Faults: verify.FaultChoice{Mode: verify.FaultsNone}, Workload: verify.Workload{Messages: n, Rate: -1, Consumers: readers, Partitions: partitions}}})
			checkReadersReadyAtFirstSend(t, events, readers, partitions)
		})
	}
}

// checkReadersReadyAtFirstSend checks that at the history's first send
// every reader holds an assignment and every partition was sought by its
// owner since it was assigned.
func checkReadersReadyAtFirstSend(t *testing.T, events []history.Event, readers, partitions int) {
	t.Helper()
	owner := map[int32]string{}  // partition: the reader it is assigned to now
	reading := map[int32]bool{}  // sought since its assignment
	holding := map[string]bool{} // readers with an assignment now
	for _, e := range events {
		switch e.Type {
		case history.TypeAssign, history.TypeRevoke:
			holding[e.Consumer] = e.Type == history.TypeAssign
			for _, p := range e.Partitions {
				delete(reading, p)
				if e.Type == history.TypeAssign {
					owner[p] = e.Consumer
				} else if owner[p] == e.Consumer {
					delete(owner, p)
				}
			}
		case history.TypeSeek:
			if owner[e.Partition] == e.Consumer {
				reading[e.Partition] = true
			}
		case history.TypeSend:
			held := 0
			for _, h := range holding {
				if h {
					held++
				}
			}
			if held != readers || len(reading) != partitions {
				t.Fatalf("first send with %d of %d readers assigned and %d of %d partitions read: %+v", held, readers, len(reading), partitions, e)
			}
			return
		}
	}
	t.Fatal("no send in the history")
}

// The fault schedule of the tests' short runs: dense enough to open several
// windows in a few seconds, sparse enough for clients to make progress.
const (
	testInterval = 300 * time.Millisecond
	testWindow   = 200 * time.Millisecond
)

// faulted runs a few seconds of a slow workload under a dense schedule of
// faults; the fixed seed decides which faults run.
func faulted(s check.Semantics, faults string, seed uint64) verify.Options {
	return verify.Options{RunSettings: verify.RunSettings{Semantics: s, Faults: mustFaults(faults), Seed: seed, FaultInterval: testInterval, FaultDuration: testWindow, Workload: verify.Workload{Messages: 4000, Rate: 1500}}}
}

// coveringSeed returns the first seed whose schedule of the faults opens a
// window of every kind among its first n windows, so a short run meets
// them all.
func coveringSeed(t *testing.T, faults string, n int) uint64 {
	t.Helper()
	fs, err := chaos.ParseFaults(faults)
	if err != nil {
		t.Fatal(err)
	}
	for seed := uint64(1); seed < 1000; seed++ {
		s, err := chaos.NewSchedule(chaos.ScheduleOptions{Faults: fs, Interval: testInterval, Duration: testWindow, Seed: seed, Nodes: []int32{0, 1, 2}})
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[chaos.Kind]bool{}
		for w := range s.All() {
			if w.Index >= n {
				break
			}
			kinds[w.Fault.Kind] = true
		}
		if len(kinds) == len(fs) {
			return seed
		}
	}
	t.Fatalf("no seed below 1000 covers %s in %d windows", faults, n)
	return 0
}

// ran returns the fault kinds that ran.
func ran(rep verify.Report) []chaos.Kind {
	var kinds []chaos.Kind
	for _, ev := range rep.Faults.Events {
		if !slices.Contains(kinds, ev.Kind) && ev.Error == "" {
			kinds = append(kinds, ev.Kind)
		}
	}
	return kinds
}

func TestPresetsHoldUnderTheirFaults(t *testing.T) {
	cases := []struct {
		s      check.Semantics
		faults string
	}{
		{check.AtMostOnce, "drop-response,leader-move,crash-consumer"},
		{check.AtLeastOnce, "drop-response,leader-move,crash-consumer"},
		// crash-copier: see TestCopierCrashes.
		{check.ExactlyOnce, "drop-response,leader-move,crash-consumer,crash-producer,coordinator-move"},
	}
	for _, tc := range cases {
		t.Run(string(tc.s), func(t *testing.T) {
			t.Parallel()
			rep := runVerify(t, faulted(tc.s, tc.faults, coveringSeed(t, tc.faults, strings.Count(tc.faults, ",")+2)))
			if !rep.Verdict.Held {
				t.Fatalf("%s broke under its own faults: %v", tc.s, rep.Err())
			}
			if want := strings.Count(tc.faults, ",") + 1; len(ran(rep)) != want {
				t.Errorf("only %v ran; the run proves less than it claims", ran(rep))
			}
			if rep.Counts.Acked == 0 || rep.Counts.Delivered == 0 {
				t.Errorf("nothing acknowledged or delivered: %+v", rep.Counts)
			}
		})
	}
}

// TestBrokenSetupsAreCaught runs each broken set-up the README lists under
// the fault that exposes it and wants it VIOLATED by the rule that names
// its failure. A loss is "lost" when a later offset of its partition was
// delivered and "unseen" when the crash hit the partition's last batch:
// either one is the broken promise.
func TestBrokenSetupsAreCaught(t *testing.T) {
	cases := []struct {
		name string
		opts verify.Options
		want check.Rule
	}{
		{"at-least-once committing before processing", faulted(check.AtLeastOnce, "crash-consumer", 3), check.RuleNoLoss},
		{"exactly-once without idempotence", faulted(check.ExactlyOnce, "drop-response", 3), check.RuleNoLogDuplicates},
		{"at-most-once with retries", faulted(check.AtMostOnce, "drop-response", 3), check.RuleNoLogDuplicates},
		{"exactly-once with plain commits after processing", faulted(check.ExactlyOnce, "crash-consumer", 3), check.RuleNoRedeliveries},
		{"at-least-once auto-committing before processing, seed 1", faulted(check.AtLeastOnce, "crash-consumer", 1), check.RuleNoLoss},
		{"at-least-once auto-committing before processing, seed 2", faulted(check.AtLeastOnce, "crash-consumer", 2), check.RuleNoLoss},
	}
	cases[0].opts.Overrides.Commit = ptr(setting.CommitBefore)
	cases[1].opts.Overrides.Idempotent = ptr(false)
	cases[2].opts.Overrides.Retries = ptr(10)
	cases[3].opts.Overrides.Commit = ptr(setting.CommitAfter)
	for i := range cases[4:] {
		cases[4+i].opts.Overrides.Commit, cases[4+i].opts.Overrides.AutoCommit = ptr(setting.CommitBefore), ptr(true)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep := runVerify(t, tc.opts)
			broken := slices.ContainsFunc(rep.Verdict.Violations, func(v check.Violation) bool {
				return v.Rule == tc.want || tc.want == check.RuleNoLoss && v.Rule == check.RuleNoUnseen
			})
			if !broken || !errors.Is(rep.Err(), kqerr.ErrCheckFailed) {
				t.Fatalf("violations %+v, want %s; err %v", rep.Verdict.Violations, tc.want, rep.Err())
			}
		})
	}
}

func TestInterruptedRunReportsPartialCounts(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 1})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	progress := func(s verify.Snapshot) {
		if s.Acked > 100 {
			cancel()
		}
	}
	rep, err := verify.Run(ctx, testutil.Factory(b), verify.Options{RunSettings: verify.RunSettings{Faults: verify.FaultChoice{Mode: verify.FaultsNone}, Workload: verify.Workload{Messages: 1_000_000, Rate: 2000}}, Broker: b}, progress)
	if !errors.Is(err, kqerr.ErrInterrupted) || !rep.Interrupted || rep.Err() != nil {
		t.Fatalf("err %v, interrupted %t, report err %v; want an interruption without a verdict", err, rep.Interrupted, rep.Err())
	}
	if rep.Counts.Sent == 0 || rep.Counts.Sent >= 1_000_000 {
		t.Errorf("sent %d: want a partial run", rep.Counts.Sent)
	}
}

// TestCopierCrashes crashes copiers mid-transaction: fresh copiers with the
// same transactional ids must take over from the committed offsets, so
// nothing is lost and the copy completes. The pinned kfake does not abort a
// crashed copier's open transaction when its successor initialises; the
// built-in broker does (broker/txnabort.go), as Kafka does, so exactly-once
// must hold and the verdict is asserted.
func TestCopierCrashes(t *testing.T) {
	rep := runVerify(t, faulted(check.ExactlyOnce, "crash-copier", 1))
	c := rep.Counts
	if rep.Clients.Crashes == 0 || rep.Clients.TxnCommits == 0 {
		t.Fatalf("clients %+v: want crashes and commits", rep.Clients)
	}
	if c.Lost != 0 || c.Acked != c.Sent || c.Delivered < c.Acked || c.Unsent != 0 || c.Corrupt != 0 {
		t.Errorf("after copier crashes: %+v", c)
	}
	if got := rep.Phases[len(rep.Phases)-1]; got.Name != verify.PhaseValidate || got.Records < c.Acked {
		t.Errorf("validation read %+v, want every acknowledged value", got)
	}
	// The built-in broker aborts a crashed copier's open transaction when
	// its successor initialises the same transactional id, so
	// exactly-once must hold.
	if !rep.Verdict.Held {
		t.Errorf("exactly-once under copier crashes: %+v (counts %+v)", rep.Verdict, c)
	}
}
