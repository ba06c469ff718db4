package groups

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kq-dev/kq/internal/offsets"
	"github.com/kq-dev/kq/internal/testutil"
)

// resetFixture is topic t with 3 partitions holding 10, 6 and 0 records
// stamped base+i minutes, t/0's log starting at 2, and group g committed
// at t/0=5, t/1=1.
type resetFixture struct {
	c    *Client
	base time.Time
	ctx  context.Context
}

func newResetFixture(t *testing.T) resetFixture {
	t.Helper()
	c, f, _ := setup(t, map[string]int32{"t": 3, "u": 1})
	base := time.Now().Add(-24 * time.Hour).Truncate(time.Millisecond)
	stamp := func(i int) time.Time { return base.Add(time.Duration(i) * time.Minute) }
	produce(t, f, "t", 0, 10, stamp)
	produce(t, f, "t", 1, 6, stamp)
	produce(t, f, "u", 0, 4, stamp)
	a, err := f.Admin()
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.DeleteRecords("t", map[int32]int64{0: 2}); err != nil {
		t.Fatal(err)
	}
	seedCommits(t, f, "g", map[offsets.TopicPartition]int64{tp0: 5, tp1: 1})
	return resetFixture{c: c, base: base, ctx: context.Background()}
}

// planAndApply plans and executes spec for g and returns the plan and the
// committed offsets read back with OffsetFetch.
func (fx resetFixture) planAndApply(t *testing.T, spec ResetSpec) (Plan, map[offsets.TopicPartition]offsets.Offset) {
	t.Helper()
	before := committedOffsets(t, fx.c, "g")
	p, err := fx.c.PlanReset(fx.ctx, "g", spec, fx.base.Add(24*time.Hour))
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	if after := committedOffsets(t, fx.c, "g"); !reflect.DeepEqual(before, after) {
		t.Fatalf("planning changed the commits: %v -> %v", before, after)
	}
	if p.Group != "g" || p.State != StateEmpty || p.Executed {
		t.Errorf("plan header = %+v", p)
	}
	if err := fx.c.ApplyReset(fx.ctx, &p); err != nil {
		t.Fatalf("apply: %v", err)
	}
	if !p.Executed {
		t.Error("plan not marked executed")
	}
	return p, committedOffsets(t, fx.c, "g")
}

func TestResetModesExecute(t *testing.T) {
	fx := newResetFixture(t)
	tAll := []TopicScope{{Topic: "t"}}
	tests := []struct {
		name string
		spec ResetSpec
		want map[offsets.TopicPartition]offsets.Offset // commits afterwards
	}{
		{"to-earliest", ResetSpec{Mode: ToEarliest, Topics: tAll}, map[offsets.TopicPartition]offsets.Offset{tp0: 2, tp1: 0, tp2: 0}},
		{"to-latest", ResetSpec{Mode: ToLatest, Topics: tAll}, map[offsets.TopicPartition]offsets.Offset{tp0: 10, tp1: 6, tp2: 0}},
		{"to-offset clamped", ResetSpec{Mode: ToOffset, Offset: 7, Topics: tAll}, map[offsets.TopicPartition]offsets.Offset{tp0: 7, tp1: 6, tp2: 0}},
		{"shift-by back, one partition", ResetSpec{Mode: ShiftBy, Offset: -3, Topics: []TopicScope{{Topic: "t", Partitions: []int32{0}}}},
			map[offsets.TopicPartition]offsets.Offset{tp0: 4, tp1: 6, tp2: 0}},
		{"to-datetime", ResetSpec{Mode: ToDatetime, Time: fx.base.Add(3*time.Minute + time.Second), Topics: tAll},
			map[offsets.TopicPartition]offsets.Offset{tp0: 4, tp1: 4, tp2: 0}},
		{"by-duration", ResetSpec{Mode: ByDuration, Duration: 24*time.Hour - 5*time.Minute, Topics: tAll},
			map[offsets.TopicPartition]offsets.Offset{tp0: 5, tp1: 5, tp2: 0}},
		{"to-current", ResetSpec{Mode: ToCurrent, AllTopics: true}, map[offsets.TopicPartition]offsets.Offset{tp0: 5, tp1: 5, tp2: 0}},
		{"from-file", ResetSpec{Mode: FromFile, Entries: []PlanEntry{{TopicPartition: tp1, New: 3}, {TopicPartition: offsets.TopicPartition{Topic: "u", Partition: 0}, New: 2}}},
			map[offsets.TopicPartition]offsets.Offset{tp0: 5, tp1: 3, tp2: 0, {Topic: "u", Partition: 0}: 2}},
		{"all-topics shift forward clamps", ResetSpec{Mode: ShiftBy, Offset: 4, AllTopics: true},
			map[offsets.TopicPartition]offsets.Offset{tp0: 9, tp1: 6, tp2: 0, {Topic: "u", Partition: 0}: 4}},
	}
	for _, tt := range tests { // each mode starts from the commits the previous one left
		t.Run(tt.name, func(t *testing.T) {
			_, got := fx.planAndApply(t, tt.spec)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("commits after %s = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}

func TestResetDryRunPlan(t *testing.T) {
	fx := newResetFixture(t)
	p, err := fx.c.PlanReset(fx.ctx, "g", ResetSpec{Mode: ToOffset, Offset: 8, Topics: []TopicScope{{Topic: "t"}}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	want := []PlanEntry{
		{TopicPartition: tp0, Current: 5, New: 8},
		{TopicPartition: tp1, Current: 1, New: 6, Clamped: "log end"},
		{TopicPartition: tp2, Current: offsets.NoOffset, New: 0, Clamped: "log end"},
	}
	if !reflect.DeepEqual(p.Partitions, want) || len(p.Warnings) != 2 {
		t.Errorf("plan = %+v, warnings %q", p.Partitions, p.Warnings)
	}
	if got := committedOffsets(t, fx.c, "g"); got[tp0] != 5 || got[tp1] != 1 {
		t.Errorf("dry run changed commits: %v", got)
	}
}

func TestResetToGroupAndNewGroup(t *testing.T) {
	fx := newResetFixture(t)
	p, err := fx.c.PlanReset(fx.ctx, "fresh", ResetSpec{Mode: ToGroup, SourceGroup: "g", Topics: []TopicScope{{Topic: "t"}}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if p.State != StateDead || len(p.Partitions) != 2 || len(p.Warnings) != 1 {
		t.Fatalf("plan = %+v", p)
	}
	if err := fx.c.ApplyReset(fx.ctx, &p); err != nil {
		t.Fatal(err)
	}
	// t/0's commit 5 is kept; g's t/1 commit 1 is within the log.
	if got := committedOffsets(t, fx.c, "fresh"); !reflect.DeepEqual(got, map[offsets.TopicPartition]offsets.Offset{tp0: 5, tp1: 1}) {
		t.Errorf("fresh commits = %v", got)
	}
	// --all-topics with --to-group: the source group's topics, for a new
	// group too
	p, err = fx.c.PlanReset(fx.ctx, "fresh-2", ResetSpec{Mode: ToGroup, SourceGroup: "g", AllTopics: true}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := fx.c.ApplyReset(fx.ctx, &p); err != nil {
		t.Fatal(err)
	}
	if got, want := committedOffsets(t, fx.c, "fresh-2"), committedOffsets(t, fx.c, "g"); !reflect.DeepEqual(got, want) {
		t.Errorf("fresh-2 commits = %v, want g's %v", got, want)
	}
	_, err = fx.c.PlanReset(fx.ctx, "g", ResetSpec{Mode: ToGroup, SourceGroup: "nope", AllTopics: true}, time.Now())
	if !errors.Is(err, ErrGroupNotFound) {
		t.Errorf("to-group nope: %v, want group not found", err)
	}
}

func TestResetScopeErrors(t *testing.T) {
	fx := newResetFixture(t)
	now := time.Now()
	_, err := fx.c.PlanReset(fx.ctx, "g", ResetSpec{Mode: ToEarliest, Topics: []TopicScope{{Topic: "nope"}}}, now)
	if !errors.Is(err, offsets.ErrTopicNotFound) || err.Error() != "topic nope does not exist" {
		t.Errorf("unknown topic: %v", err)
	}
	_, err = fx.c.PlanReset(fx.ctx, "g", ResetSpec{Mode: ToEarliest, Topics: []TopicScope{{Topic: "t", Partitions: []int32{7}}}}, now)
	if err == nil || !strings.Contains(err.Error(), "topic t has no partition 7") {
		t.Errorf("unknown partition: %v", err)
	}
	_, err = fx.c.PlanReset(fx.ctx, "empty", ResetSpec{Mode: ToEarliest, AllTopics: true}, now)
	if err == nil || !strings.Contains(err.Error(), "no committed offsets") {
		t.Errorf("all-topics without commits: %v", err)
	}
	_, err = fx.c.PlanReset(fx.ctx, "g", ResetSpec{Mode: FromFile, Entries: []PlanEntry{{TopicPartition: offsets.TopicPartition{Topic: "zz", Partition: 0}}}}, now)
	if !errors.Is(err, offsets.ErrTopicNotFound) {
		t.Errorf("plan file naming an unknown topic: %v", err)
	}
}

func TestResetFromExportedFile(t *testing.T) {
	fx := newResetFixture(t)
	p, err := fx.c.PlanReset(fx.ctx, "g", ResetSpec{Mode: ToEarliest, Topics: []TopicScope{{Topic: "t", Partitions: []int32{0, 1}}}}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"plan.json", "plan.csv"} {
		path := filepath.Join(t.TempDir(), name)
		if err := WritePlanFile(path, p); err != nil {
			t.Fatal(err)
		}
		es, err := ReadPlanFile(path)
		if err != nil {
			t.Fatal(err)
		}
		_, got := fx.planAndApply(t, ResetSpec{Mode: FromFile, Entries: es})
		if got[tp0] != 2 || got[tp1] != 0 {
			t.Errorf("%s: commits %v, want t/0=2 t/1=0", name, got)
		}
		if _, moved := fx.planAndApply(t, ResetSpec{Mode: ToLatest, AllTopics: true}); moved[tp0] != 10 {
			t.Fatalf("to-latest between files: %v", moved)
		}
	}
}

func TestResetRefusesActiveGroup(t *testing.T) {
	c, f, _ := setup(t, map[string]int32{"t": 1})
	produce(t, f, "t", 0, 3, nil)
	leave := joinGroup(t, f, c, "live", "t")
	p, err := c.PlanReset(context.Background(), "live", ResetSpec{Mode: ToLatest, Topics: []TopicScope{{Topic: "t"}}}, time.Now())
	if err != nil {
		t.Fatalf("a dry run of an active group should plan: %v", err)
	}
	if p.ActiveMembers != 1 || p.State != StateStable {
		t.Errorf("plan activity = %d members, state %s", p.ActiveMembers, p.State)
	}
	err = c.ApplyReset(context.Background(), &p)
	if !errors.Is(err, ErrActiveMembers) || !strings.Contains(err.Error(), "group live has 1 active member (state Stable); stop them first") {
		t.Fatalf("apply to active group: %v", err)
	}
	if got := committedOffsets(t, c, "live"); len(got) != 0 || p.Executed {
		t.Fatalf("refused reset committed %v", got)
	}
	leave()
	testutil.Eventually(t, 20*time.Second, "group live to become empty", func() bool {
		raw, err := c.describeRaw([]string{"live"})
		return err == nil && raw["live"].State == StateEmpty
	})
	if err := c.ApplyReset(context.Background(), &p); err != nil {
		t.Fatalf("apply after the member left: %v", err)
	}
	if got := committedOffsets(t, c, "live"); got[tp0] != 3 {
		t.Errorf("commits = %v, want t/0=3", got)
	}
}
