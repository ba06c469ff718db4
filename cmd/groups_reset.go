package cmd

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/groups"
	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/output"
	"github.com/kq-dev/kq/internal/timestamp"
)

// GroupsResetOptions are the options of `kq groups reset`.
type GroupsResetOptions struct {
	f *Factory
	// Group is the group whose offsets are reset.
	Group string
	// Spec is the parsed scope and mode.
	Spec groups.ResetSpec
	// Execute commits the plan; without it the plan is only shown.
	Execute bool
	// Export writes the plan to this file (.json or .csv).
	Export string
	// Output is table or json.
	Output string
}

// resetFlags are the raw reset flags before parsing.
type resetFlags struct {
	topics                        []string
	allTopics                     bool
	earliest, latest, current     bool
	toOffset, shiftBy             int64
	datetime, duration, file, grp string
}

// resetModes maps each mode flag to its mode.
var resetModes = [...]groups.Mode{groups.ToEarliest, groups.ToLatest, groups.ToOffset, groups.ShiftBy,
	groups.ToDatetime, groups.ByDuration, groups.ToCurrent, groups.FromFile, groups.ToGroup}

// NewCmdGroupsReset returns `kq groups reset`.
func NewCmdGroupsReset(f *Factory, runF func(*GroupsResetOptions) error) *cobra.Command {
	opts := &GroupsResetOptions{f: f}
	var rf resetFlags
	c := &cobra.Command{
		Use:   "reset GROUP",
		Short: "Plan and apply a reset of a group's committed offsets (dry run by default)",
		Long: `Computes new committed offsets for the chosen partitions and prints the plan
(partition, current offset, new offset). Nothing changes without --execute.
--export FILE writes the plan as .json or .csv, which --from-file reads back
(the CSV is kafka-consumer-groups' topic,partition,offset format).

Choose the partitions with --topic TOPIC[:P,...] (repeatable) or
--all-topics (every topic the group has committed offsets for; with
--to-group G, every topic G has, so a new group can copy G), and exactly
one mode. Offsets before the log start or past the log end are clamped into
the log, with a warning. --execute is refused while the group has active
members: stop them first.

Timestamps (--to-datetime): RFC 3339 (2026-11-01T00:00:00Z), a local
date-time (2026-11-01T00:00:00), a date, epoch milliseconds or -DURATION (-2h). Durations
(--by-duration): 1h30m or ISO 8601 (PT1H30M, P1D). Both resolve to the
first offset at or after the time, or the log end when no record is that
new.`,
		Example: `  kq groups reset billing --topic orders --to-earliest
  kq groups reset billing --topic orders:0,1 --shift-by -100 --execute
  kq groups reset billing --all-topics --to-datetime 2026-11-01T00:00:00Z --export plan.csv
  kq groups reset billing --from-file plan.csv --execute
  kq groups reset billing-v2 --all-topics --to-group billing --execute`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Group = args[0]
			spec, err := rf.spec(c.Flags().Changed)
			if err != nil {
				return err
			}
			opts.Spec = spec
			if runF != nil {
				return runF(opts)
			}
			return groupsResetRun(c.Context(), opts)
		},
	}
	fl := c.Flags()
	fl.StringArrayVar(&rf.topics, "topic", nil, "topic to reset, TOPIC or TOPIC:P,P (repeatable)")
	fl.BoolVar(&rf.allTopics, "all-topics", false, "reset every topic the group has committed offsets for")
	fl.BoolVar(&rf.earliest, string(groups.ToEarliest), false, "move to the log start")
	fl.BoolVar(&rf.latest, string(groups.ToLatest), false, "move to the log end")
	fl.Int64Var(&rf.toOffset, string(groups.ToOffset), 0, "move to offset N")
	fl.Int64Var(&rf.shiftBy, string(groups.ShiftBy), 0, "move the committed offset by N (negative: back)")
	fl.StringVar(&rf.datetime, string(groups.ToDatetime), "", "move to the first offset at or after this time")
	fl.StringVar(&rf.duration, string(groups.ByDuration), "", "move to the first offset at or after now minus this duration")
	fl.BoolVar(&rf.current, string(groups.ToCurrent), false, "keep the committed offsets (clamped into the log)")
	fl.StringVar(&rf.file, string(groups.FromFile), "", "take the new offsets from a plan file (.json or .csv)")
	fl.StringVar(&rf.grp, string(groups.ToGroup), "", "copy another group's committed offsets")
	fl.BoolVar(&opts.Execute, "execute", false, "commit the new offsets (default: dry run)")
	fl.StringVar(&opts.Export, "export", "", "write the plan to FILE (.json or .csv) for --from-file")
	addOutputFlag(c, &opts.Output)
	return c
}

// spec turns the flags into a reset spec; changed tells set flags apart.
func (rf *resetFlags) spec(changed func(string) bool) (groups.ResetSpec, error) {
	s := groups.ResetSpec{AllTopics: rf.allTopics, Offset: rf.toOffset, SourceGroup: rf.grp}
	for _, t := range rf.topics {
		ts, err := groups.ParseTopicScope(t)
		if err != nil {
			return s, err
		}
		s.Topics = append(s.Topics, ts)
	}
	var set []string
	for _, m := range resetModes {
		if changed(string(m)) {
			set = append(set, "--"+string(m))
			s.Mode = m
		}
	}
	if len(set) > 1 {
		return s, kqerr.Usagef("give one reset mode, not %v", set)
	}
	if err := rf.modeValue(&s); err != nil {
		return s, err
	}
	return s, s.Validate()
}

// modeValue parses the value of the chosen mode.
func (rf *resetFlags) modeValue(s *groups.ResetSpec) error {
	var err error
	switch s.Mode {
	case groups.ShiftBy:
		s.Offset = rf.shiftBy
	case groups.ToDatetime:
		s.Time, err = timestamp.Parse(rf.datetime, time.Now())
	case groups.ByDuration:
		s.Duration, err = timestamp.ParseDuration(rf.duration)
	case groups.FromFile:
		if s.Entries, err = groups.ReadPlanFile(rf.file); err != nil {
			err = withoutUsage(err)
		}
	}
	return err
}

func groupsResetRun(ctx context.Context, opts *GroupsResetOptions) error {
	p, gc, err := printerAndConnect(opts.f, opts.Output, groups.Open)
	if err != nil {
		return err
	}
	defer gc.Close()
	plan, err := gc.PlanReset(ctx, opts.Group, opts.Spec, time.Now())
	if err != nil {
		return err
	}
	for _, w := range plan.Warnings {
		opts.f.Warnf("%s", w)
	}
	if opts.Export != "" {
		if err := groups.WritePlanFile(opts.Export, plan); err != nil {
			return err
		}
		opts.f.Infof("plan written to %s", opts.Export)
	}
	var applyErr error
	if opts.Execute {
		applyErr = gc.ApplyReset(ctx, &plan)
	}
	if err := renderPlan(p, plan); err != nil {
		return err
	}
	if applyErr != nil {
		return applyErr
	}
	resetSummary(opts, plan)
	return nil
}

func renderPlan(p *output.Printer, plan groups.Plan) error {
	if p.Format == "json" {
		return p.JSON(plan)
	}
	rows := make([][]string, 0, len(plan.Partitions))
	for _, e := range plan.Partitions {
		rows = append(rows, []string{e.Topic, strconv.Itoa(int(e.Partition)), e.Current.String(), e.New.String(), clampNote(e.Clamped)})
	}
	return p.Table([]string{"topic", "partition", "current", "new", "note"}, rows)
}

func clampNote(c string) string {
	if c == "" {
		return ""
	}
	return "clamped to " + c
}

func resetSummary(opts *GroupsResetOptions, plan groups.Plan) {
	w := opts.f.IO.ErrOut
	switch {
	case plan.Executed:
		fmt.Fprintf(w, "committed %s for group %s\n", plural(len(plan.Partitions), "offset"), plan.Group)
	case plan.ActiveMembers > 0 || (plan.State != groups.StateEmpty && plan.State != groups.StateDead):
		fmt.Fprintf(w, "dry run: nothing changed; group %s has %s, so --execute would be refused until they stop\n", plan.Group, plural(plan.ActiveMembers, "active member"))
	default:
		fmt.Fprintln(w, "dry run: nothing changed; add --execute to commit these offsets")
	}
}
