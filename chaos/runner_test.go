package chaos

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/testutil"
)

// recorder is a fake injector, broker and client that records calls.
type recorder struct {
	mu    sync.Mutex
	calls []string
	fail  map[Kind]bool
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, s)
}

func (r *recorder) log() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

func (r *recorder) Inject(_ context.Context, f Fault) (Heal, error) {
	if r.fail[f.Kind] {
		return nil, errors.New("injection refused")
	}
	r.add("inject " + f.String())
	return func(context.Context) error { r.add("heal " + f.String()); return nil }, nil
}

func (r *recorder) FailRequests(api int16, n int, code int16) error {
	r.add(fmt.Sprintf("fail %d %d %d", api, n, code))
	return nil
}

func (r *recorder) DelayRequests(api int16, d time.Duration) func() {
	r.add(fmt.Sprintf("delay %d %v", api, d))
	return func() { r.add(fmt.Sprintf("undelay %d", api)) }
}

func (r *recorder) StopNode(id int32) error    { r.add(fmt.Sprint("stop ", id)); return nil }
func (r *recorder) RestartNode(id int32) error { r.add(fmt.Sprint("restart ", id)); return nil }
func (r *recorder) MoveLeaders()               { r.add("move leaders") }
func (r *recorder) MoveCoordinators()          { r.add("move coordinators") }
func (r *recorder) RestartCluster() error      { r.add("restart cluster"); return nil }
func (r *recorder) ShrinkISR() (func(), error) {
	r.add("shrink isr")
	return func() { r.add("restore isr") }, nil
}
func (r *recorder) Crash(_ context.Context, k Kind) error {
	r.add("crash " + string(k))
	return nil
}

func schedule(t *testing.T, spec string, interval, duration time.Duration) *Schedule {
	t.Helper()
	faults, err := ParseFaults(spec)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSchedule(ScheduleOptions{Faults: faults, Interval: interval, Duration: duration, Seed: 1, Nodes: []int32{2}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRunnerAppliesAndHealsInOrder(t *testing.T) {
	rec := &recorder{}
	r := &Runner{Network: rec, Broker: rec, Client: rec}
	s := schedule(t, "reset,kill-node,broker-slow,delay=2s,crash-producer,isr-shrink", 2*time.Millisecond, 2*time.Millisecond)
	const run = 200 * time.Millisecond
	tl, err := r.Run(context.Background(), s, run)
	if err != nil {
		t.Fatal(err)
	}
	want := s.Windows(run)
	if len(tl.Events) != len(want) || len(want) < 10 {
		t.Fatalf("%d events for %d windows", len(tl.Events), len(want))
	}
	var expect []string
	for i, w := range want {
		ev := tl.Events[i]
		if ev.Fault != w.Fault.String() || ev.Start.After(ev.End) || ev.Interrupted {
			t.Fatalf("event %d = %+v for window %v", i, ev, w)
		}
		expect = append(expect, expectedCalls(w.Fault)...)
	}
	if got := rec.log(); strings.Join(got, "\n") != strings.Join(expect, "\n") {
		t.Fatalf("calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(expect, "\n"))
	}
}

// expectedCalls lists the recorder calls one window of f makes.
func expectedCalls(f Fault) []string {
	switch f.Kind {
	case Reset:
		return []string{"inject " + f.String(), "heal " + f.String()}
	case KillNode:
		return []string{"stop 2", "restart 2"}
	case BrokerSlow:
		return []string{"delay 0 2s", "undelay 0"}
	case ISRShrink:
		return []string{"shrink isr", "restore isr"}
	}
	return []string{"crash " + string(f.Kind)}
}

func TestRunnerHealsOnCancel(t *testing.T) {
	rec := &recorder{}
	r := &Runner{Broker: rec}
	s := schedule(t, "kill-node", 0, time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan Timeline)
	go func() {
		tl, _ := r.Run(ctx, s, 0)
		done <- tl
	}()
	testutil.Eventually(t, 5*time.Second, "the node to stop", func() bool { return len(rec.log()) == 1 })
	cancel()
	select {
	case tl := <-done:
		if len(tl.Events) != 1 || !tl.Events[0].Interrupted {
			t.Fatalf("timeline = %+v", tl)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("runner did not stop on cancel")
	}
	if got := rec.log(); len(got) != 2 || got[1] != "restart 2" {
		t.Fatalf("calls = %v, want the node restarted", got)
	}
}

func TestRunnerRecordsErrorsAndGoesOn(t *testing.T) {
	rec := &recorder{fail: map[Kind]bool{Reset: true}}
	r := &Runner{Network: rec}
	s := schedule(t, "reset,latency", time.Millisecond, time.Millisecond)
	tl, err := r.Run(context.Background(), s, 100*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "injection refused") {
		t.Fatalf("err = %v", err)
	}
	failed, ok := 0, 0
	for _, ev := range tl.Events {
		if ev.Error != "" {
			failed++
		} else {
			ok++
		}
	}
	if failed == 0 || ok == 0 {
		t.Fatalf("%d failed and %d applied windows", failed, ok)
	}
}

func TestRunnerCheck(t *testing.T) {
	r := &Runner{Network: NewEngine(EngineOptions{})}
	for _, spec := range []string{"kill-node", "crash-consumer", "exec"} {
		faults, _ := ParseFaults(spec)
		if err := r.Check(faults); !errors.Is(err, kqerr.ErrUsage) {
			t.Errorf("%s without its injector: err = %v", spec, err)
		}
	}
	faults, _ := ParseFaults("latency,partition")
	if err := r.Check(faults); err != nil {
		t.Fatal(err)
	}
}

func TestEngineInjectHeals(t *testing.T) {
	e := NewEngine(EngineOptions{})
	heal, err := e.Inject(context.Background(), Fault{Kind: Blackhole})
	if err != nil || len(e.List()) != 1 {
		t.Fatalf("inject: %v, %d active", err, len(e.List()))
	}
	if err := heal(context.Background()); err != nil || len(e.List()) != 0 {
		t.Fatalf("heal: %v, %d active", err, len(e.List()))
	}
	if err := heal(context.Background()); err != nil {
		t.Fatalf("healing a cleared fault: %v", err)
	}
}

func TestTimelineJSON(t *testing.T) {
	start := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	tl := Timeline{Seed: 9, Events: []Event{{Window: 0, Kind: KillNode, Fault: "kill-node,target=1", Target: "1",
		PlannedStart: 1500 * time.Millisecond, PlannedEnd: 3 * time.Second, Start: start, End: start.Add(time.Second), Interrupted: true}}}
	b, err := json.Marshal(tl)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"seed":9,"events":[{"window":0,"kind":"kill-node","fault":"kill-node,target=1","target":"1","planned_start_ms":1500,"planned_end_ms":3000,"start":"2026-11-01T10:00:00Z","end":"2026-11-01T10:00:01Z","interrupted":true}]}`
	if string(b) != want {
		t.Fatalf("json = %s\nwant   %s", b, want)
	}
	var back Timeline
	if err := json.Unmarshal(b, &back); err != nil || back.Events[0].PlannedStart != tl.Events[0].PlannedStart || back.Events[0].End != tl.Events[0].End {
		t.Fatalf("round trip = %+v, %v", back, err)
	}
}
