package chaos

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

func TestSpellRoundTrips(t *testing.T) {
	faults, err := ParseFaults("latency,delay=50ms,drop-response,p=0.5")
	if err != nil {
		t.Fatal(err)
	}
	again, err := ParseFaults(Spell(faults))
	if err != nil || len(again) != 2 || again[0].Kind != Latency || again[1].Kind != DropResponse {
		t.Errorf("Spell %q reads back as %+v, %v", Spell(faults), again, err)
	}
}

func TestApplyForGoodAndScheduled(t *testing.T) {
	faults, err := ParseFaults("latency,delay=10ms")
	if err != nil {
		t.Fatal(err)
	}
	e := NewEngine(EngineOptions{})
	var log bytes.Buffer
	wait, err := Apply(context.Background(), e, faults, nil, &log)
	if err != nil {
		t.Fatal(err)
	}
	wait()
	if len(e.List()) != 1 || !strings.Contains(log.String(), "chaos: set ") {
		t.Errorf("for good: rules %v, log %q", e.List(), log.String())
	}
	e.ClearAll()
	log.Reset()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	wait, err = Apply(ctx, e, faults, &ScheduleOptions{Interval: 20 * time.Millisecond, Duration: 20 * time.Millisecond, Seed: 3}, &log)
	if err != nil {
		t.Fatal(err)
	}
	wait()
	if !strings.Contains(log.String(), "chaos: schedule of latency") || !strings.Contains(log.String(), "fault windows run; seed 3") {
		t.Errorf("scheduled: log %q", log.String())
	}
	if len(e.List()) != 0 {
		t.Errorf("rules left after the schedule ended: %v", e.List())
	}
}
