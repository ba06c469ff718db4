package groups

import (
	"fmt"
	"math"
	"time"

	"github.com/kq-dev/kq/internal/offsets"
)

// Mode is how a reset chooses the new offsets; its values are the flag
// names of `kq groups reset`.
type Mode string

// The reset modes, as kafka-consumer-groups has them.
const (
	// ToEarliest moves to the log start.
	ToEarliest Mode = "to-earliest"
	// ToLatest moves to the log end (the high watermark).
	ToLatest Mode = "to-latest"
	// ToOffset moves every partition to ResetSpec.Offset.
	ToOffset Mode = "to-offset"
	// ShiftBy moves the committed offset by ResetSpec.Offset (negative:
	// back).
	ShiftBy Mode = "shift-by"
	// ToDatetime moves to the first offset at or after ResetSpec.Time.
	ToDatetime Mode = "to-datetime"
	// ByDuration moves to the first offset at or after now minus
	// ResetSpec.Duration.
	ByDuration Mode = "by-duration"
	// ToCurrent keeps the committed offset (clamped into the log).
	ToCurrent Mode = "to-current"
	// FromFile takes the new offsets from ResetSpec.Entries (a plan file).
	FromFile Mode = "from-file"
	// ToGroup copies ResetSpec.SourceGroup's committed offsets.
	ToGroup Mode = "to-group"
)

// ResetSpec says which partitions a reset touches and how it chooses their
// new offsets.
type ResetSpec struct {
	// Topics are the topics (and optionally partitions) to reset.
	Topics []TopicScope
	// AllTopics resets every topic the group has committed offsets for.
	AllTopics bool
	// Mode chooses the new offsets.
	Mode Mode
	// Offset is the target of ToOffset and the shift of ShiftBy.
	Offset int64
	// Time is the target of ToDatetime.
	Time time.Time
	// Duration is how far back ByDuration goes from now.
	Duration time.Duration
	// Entries are the new offsets of FromFile (see [ReadPlanFile]); with
	// Topics, only the entries of those topics and partitions are used.
	Entries []PlanEntry
	// SourceGroup is the group ToGroup copies from.
	SourceGroup string
}

// PlanEntry is one partition of a reset plan.
type PlanEntry struct {
	offsets.TopicPartition
	// Current is the committed offset before the reset; NoOffset when
	// none.
	Current offsets.Offset `json:"current_offset"`
	// New is the offset the reset commits.
	New offsets.Offset `json:"new_offset"`
	// Clamped says why New differs from what the mode asked for: "log
	// start" or "log end"; "" when it does not.
	Clamped string `json:"clamped,omitempty"`
}

// Plan is a reset plan: what [Client.ApplyReset] commits.
type Plan struct {
	// Group is the group whose offsets are reset.
	Group string `json:"group"`
	// Mode is the reset mode the plan came from.
	Mode Mode `json:"mode"`
	// State is the group's state when the plan was made.
	State string `json:"state"`
	// ActiveMembers counts the group's live members then; a plan is only
	// applied to a group without any.
	ActiveMembers int `json:"active_members"`
	// Executed is set once the plan was committed.
	Executed bool `json:"executed"`
	// Partitions are the new offsets, by topic and partition.
	Partitions []PlanEntry `json:"partitions"`
	// Warnings explain clamped offsets and partitions left out.
	Warnings []string `json:"warnings"`
}

// PlanInput is what a plan is computed from; [Client.PlanReset] gathers it
// from the cluster.
type PlanInput struct {
	// Partitions are the partitions in scope, sorted.
	Partitions []offsets.TopicPartition
	// Current are the group's committed offsets.
	Current map[offsets.TopicPartition]offsets.Offset
	// Watermarks are the partitions' watermarks; a partition without
	// them (a deleted topic) is left out of the plan.
	Watermarks map[offsets.TopicPartition]offsets.Watermarks
	// TimeOffsets are, for ToDatetime and ByDuration, the first offsets at
	// or after the time; NoOffset (or absent) when no record is that new.
	TimeOffsets map[offsets.TopicPartition]offsets.Offset
	// Source are SourceGroup's committed offsets, for ToGroup.
	Source map[offsets.TopicPartition]offsets.Offset
}

// BuildPlan computes the new offset of every partition in scope. Targets
// below the log start or past the log end are clamped into the log, with a
// warning. Partitions without watermarks are left out with a warning, as
// are, for ShiftBy and ToCurrent, partitions without a committed offset and,
// for ToGroup, partitions the source group has not committed.
func BuildPlan(spec ResetSpec, in PlanInput) Plan {
	p := Plan{Mode: spec.Mode, Partitions: []PlanEntry{}, Warnings: []string{}}
	entries := entryTargets(spec.Entries)
	for _, tp := range in.Partitions {
		w, ok := in.Watermarks[tp]
		if !ok || !w.Known() {
			p.warnf(tp, "topic does not exist or its offsets are unknown; left out")
			continue
		}
		cur := offsets.Get(in.Current, tp)
		target, why := modeTarget(spec, in, entries, tp, cur, w)
		if why != "" {
			p.warnf(tp, "%s; left out", why)
			continue
		}
		p.Partitions = append(p.Partitions, p.clamp(tp, cur, target, w))
	}
	return p
}

// modeTarget returns the offset the mode asks for, or why there is none.
func modeTarget(spec ResetSpec, in PlanInput, entries map[offsets.TopicPartition]offsets.Offset, tp offsets.TopicPartition, cur offsets.Offset, w offsets.Watermarks) (int64, string) {
	switch spec.Mode {
	case ToEarliest:
		return int64(w.LogStart), ""
	case ToLatest:
		return int64(w.LogEnd), ""
	case ToOffset:
		return spec.Offset, ""
	case ShiftBy:
		if !cur.Known() {
			return 0, "no committed offset to shift"
		}
		return addSaturating(int64(cur), spec.Offset), ""
	case ToCurrent:
		if !cur.Known() {
			return 0, "no committed offset to keep"
		}
		return int64(cur), ""
	case ToDatetime, ByDuration:
		if o := offsets.Get(in.TimeOffsets, tp); o.Known() {
			return int64(o), ""
		}
		return int64(w.LogEnd), ""
	case FromFile:
		if o := offsets.Get(entries, tp); o.Known() {
			return int64(o), ""
		}
		return 0, "not in the plan file"
	case ToGroup:
		if o := offsets.Get(in.Source, tp); o.Known() {
			return int64(o), ""
		}
		return 0, "group " + spec.SourceGroup + " has no committed offset here"
	}
	return 0, fmt.Sprintf("unknown reset mode %q", spec.Mode)
}

// clamp keeps target within [log start, log end], noting why it moved.
func (p *Plan) clamp(tp offsets.TopicPartition, cur offsets.Offset, target int64, w offsets.Watermarks) PlanEntry {
	e := PlanEntry{TopicPartition: tp, Current: cur, New: offsets.Offset(target)}
	switch {
	case target < int64(w.LogStart):
		e.New, e.Clamped = w.LogStart, "log start"
		p.warnf(tp, "offset %d is before the log start %d; using %d", target, w.LogStart, w.LogStart)
	case target > int64(w.LogEnd):
		e.New, e.Clamped = w.LogEnd, "log end"
		p.warnf(tp, "offset %d is past the log end %d; using %d", target, w.LogEnd, w.LogEnd)
	}
	return e
}

func (p *Plan) warnf(tp offsets.TopicPartition, format string, args ...any) {
	p.Warnings = append(p.Warnings, fmt.Sprintf("%s/%d: ", tp.Topic, tp.Partition)+fmt.Sprintf(format, args...))
}

// addSaturating returns a+b for a >= 0, kept within int64 so that a huge
// shift clamps to the right end of the log.
func addSaturating(a, b int64) int64 {
	if b > 0 && a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

func entryTargets(es []PlanEntry) map[offsets.TopicPartition]offsets.Offset {
	out := make(map[offsets.TopicPartition]offsets.Offset, len(es))
	for _, e := range es {
		out[e.TopicPartition] = e.New
	}
	return out
}
