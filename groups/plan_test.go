package groups

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kq-dev/kq/internal/offsets"
)

var (
	tp0 = offsets.TopicPartition{Topic: "t", Partition: 0}
	tp1 = offsets.TopicPartition{Topic: "t", Partition: 1}
	tp2 = offsets.TopicPartition{Topic: "t", Partition: 2}
)

// planInput is a group with commits 5 (t/0) and 2 (t/1, below the log
// start 4) and none on t/2; every partition's log spans [w.start, 20).
func planInput() PlanInput {
	return PlanInput{
		Partitions: []offsets.TopicPartition{tp0, tp1, tp2},
		Current:    map[offsets.TopicPartition]offsets.Offset{tp0: 5, tp1: 2},
		Watermarks: map[offsets.TopicPartition]offsets.Watermarks{tp0: wm(0, 20, 18), tp1: wm(4, 20, 20), tp2: wm(0, 20, 20)},
	}
}

// newOffsets returns the plan's new offsets by partition.
func newOffsets(p Plan) map[offsets.TopicPartition]offsets.Offset {
	out := map[offsets.TopicPartition]offsets.Offset{}
	for _, e := range p.Partitions {
		out[e.TopicPartition] = e.New
	}
	return out
}

func TestBuildPlanModes(t *testing.T) {
	tests := []struct {
		name     string
		spec     ResetSpec
		in       func(*PlanInput)
		want     map[offsets.TopicPartition]offsets.Offset
		warnings int
	}{
		{"to-earliest", ResetSpec{Mode: ToEarliest}, nil, map[offsets.TopicPartition]offsets.Offset{tp0: 0, tp1: 4, tp2: 0}, 0},
		{"to-latest uses the log end", ResetSpec{Mode: ToLatest}, nil, map[offsets.TopicPartition]offsets.Offset{tp0: 20, tp1: 20, tp2: 20}, 0},
		{"to-offset clamps into the log", ResetSpec{Mode: ToOffset, Offset: 3}, nil, map[offsets.TopicPartition]offsets.Offset{tp0: 3, tp1: 4, tp2: 3}, 1},
		{"to-offset past the end", ResetSpec{Mode: ToOffset, Offset: 99}, nil, map[offsets.TopicPartition]offsets.Offset{tp0: 20, tp1: 20, tp2: 20}, 3},
		{"shift-by forward", ResetSpec{Mode: ShiftBy, Offset: 10}, nil, map[offsets.TopicPartition]offsets.Offset{tp0: 15, tp1: 12}, 1},
		{"shift-by back clamps", ResetSpec{Mode: ShiftBy, Offset: -3}, nil, map[offsets.TopicPartition]offsets.Offset{tp0: 2, tp1: 4}, 2},
		{"shift-by huge saturates", ResetSpec{Mode: ShiftBy, Offset: math.MaxInt64}, nil, map[offsets.TopicPartition]offsets.Offset{tp0: 20, tp1: 20}, 3},
		{"shift-by huge back", ResetSpec{Mode: ShiftBy, Offset: math.MinInt64}, nil, map[offsets.TopicPartition]offsets.Offset{tp0: 0, tp1: 4}, 3},
		{"to-current clamps a deleted commit", ResetSpec{Mode: ToCurrent}, nil, map[offsets.TopicPartition]offsets.Offset{tp0: 5, tp1: 4}, 2},
		{"to-datetime", ResetSpec{Mode: ToDatetime}, func(in *PlanInput) {
			in.TimeOffsets = map[offsets.TopicPartition]offsets.Offset{tp0: 7, tp1: offsets.NoOffset}
		}, map[offsets.TopicPartition]offsets.Offset{tp0: 7, tp1: 20, tp2: 20}, 0},
		{"by-duration", ResetSpec{Mode: ByDuration, Duration: time.Hour}, func(in *PlanInput) {
			in.TimeOffsets = map[offsets.TopicPartition]offsets.Offset{tp0: 1, tp1: 9, tp2: 0}
		}, map[offsets.TopicPartition]offsets.Offset{tp0: 1, tp1: 9, tp2: 0}, 0},
		{"from-file", ResetSpec{Mode: FromFile, Entries: []PlanEntry{{TopicPartition: tp0, New: 11}, {TopicPartition: tp2, New: 30}}},
			func(in *PlanInput) { in.Partitions = []offsets.TopicPartition{tp0, tp2} },
			map[offsets.TopicPartition]offsets.Offset{tp0: 11, tp2: 20}, 1},
		{"to-group", ResetSpec{Mode: ToGroup, SourceGroup: "other"}, func(in *PlanInput) {
			in.Source = map[offsets.TopicPartition]offsets.Offset{tp0: 9, tp2: 1}
		}, map[offsets.TopicPartition]offsets.Offset{tp0: 9, tp2: 1}, 1},
		{"deleted topic left out", ResetSpec{Mode: ToEarliest}, func(in *PlanInput) {
			delete(in.Watermarks, tp2)
			in.Watermarks[tp1] = offsets.UnknownWatermarks()
		}, map[offsets.TopicPartition]offsets.Offset{tp0: 0}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := planInput()
			if tt.in != nil {
				tt.in(&in)
			}
			p := BuildPlan(tt.spec, in)
			if got := newOffsets(p); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("new offsets = %v, want %v", got, tt.want)
			}
			if len(p.Warnings) != tt.warnings {
				t.Errorf("warnings = %q, want %d", p.Warnings, tt.warnings)
			}
			if p.Mode != tt.spec.Mode {
				t.Errorf("mode = %q, want %q", p.Mode, tt.spec.Mode)
			}
		})
	}
}

func TestBuildPlanEntries(t *testing.T) {
	p := BuildPlan(ResetSpec{Mode: ToOffset, Offset: 1}, planInput())
	want := []PlanEntry{
		{TopicPartition: tp0, Current: 5, New: 1},
		{TopicPartition: tp1, Current: 2, New: 4, Clamped: "log start"},
		{TopicPartition: tp2, Current: offsets.NoOffset, New: 1},
	}
	if !reflect.DeepEqual(p.Partitions, want) {
		t.Errorf("entries = %+v, want %+v", p.Partitions, want)
	}
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "t/1: offset 1 is before the log start 4; using 4") {
		t.Errorf("warnings = %q", p.Warnings)
	}
}

func TestBuildPlanWarnsLeftOut(t *testing.T) {
	p := BuildPlan(ResetSpec{Mode: ShiftBy, Offset: 1}, planInput())
	if len(p.Warnings) != 2 || p.Warnings[1] != "t/2: no committed offset to shift; left out" {
		t.Errorf("warnings = %q", p.Warnings)
	}
	p = BuildPlan(ResetSpec{Mode: ToGroup, SourceGroup: "g2"}, planInput())
	if len(p.Partitions) != 0 || len(p.Warnings) != 3 || !strings.Contains(p.Warnings[0], "group g2 has no committed offset") {
		t.Errorf("to-group without source offsets: %+v", p)
	}
}

func TestResetSpecValidate(t *testing.T) {
	scope := []TopicScope{{Topic: "t"}}
	bad := []ResetSpec{
		{Mode: ToEarliest},
		{Mode: ToEarliest, Topics: scope, AllTopics: true},
		{Topics: scope},
		{Mode: ToOffset, Offset: -1, Topics: scope},
		{Mode: ByDuration, Topics: scope},
		{Mode: FromFile},
		{Mode: ToGroup, AllTopics: true},
	}
	for _, s := range bad {
		if err := s.Validate(); err == nil {
			t.Errorf("Validate(%+v) = nil, want an error", s)
		}
	}
	good := []ResetSpec{
		{Mode: ToEarliest, Topics: scope},
		{Mode: ShiftBy, Offset: -5, AllTopics: true},
		{Mode: FromFile, Entries: []PlanEntry{{TopicPartition: tp0, New: 1}}},
	}
	for _, s := range good {
		if err := s.Validate(); err != nil {
			t.Errorf("Validate(%+v) = %v", s, err)
		}
	}
}
