package cmd

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/groups"
	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/offsets"
	"github.com/kq-dev/kq/internal/output"
)

// GroupsLagOptions are the options of `kq groups lag`.
type GroupsLagOptions struct {
	f *Factory
	// Group is the group to check.
	Group string
	// MaxLag is the largest lag a partition may have; negative: no check.
	MaxLag int64
	// CountUncommitted judges partitions the group never committed by
	// --max-lag too, with their lag from the log start.
	CountUncommitted bool
	// Watch refreshes every Watch until interrupted; 0: once.
	Watch time.Duration
	// Output is table or json.
	Output string
}

// LagReport is what `kq groups lag -o json` prints.
type LagReport struct {
	// Group is the group id.
	Group string `json:"group"`
	// State is the group's state.
	State string `json:"state"`
	// TotalLag is the sum of the partition lags.
	TotalLag offsets.Lag `json:"total_lag"`
	// MaxLag is --max-lag, null when not given.
	MaxLag *int64 `json:"max_lag"`
	// Over are the partitions whose lag exceeds MaxLag.
	Over []groups.PartitionLag `json:"over_max_lag"`
	// Uncommitted are the partitions of the group's topics it has no
	// committed offset for; their lag counts from the log start.
	Uncommitted []offsets.TopicPartition `json:"uncommitted"`
	// CountUncommitted says whether --max-lag judged them.
	CountUncommitted bool `json:"count_uncommitted"`
	// Partitions are all partitions of the group.
	Partitions []groups.PartitionLag `json:"partitions"`
}

// NewCmdGroupsLag returns `kq groups lag`.
func NewCmdGroupsLag(f *Factory, runF func(*GroupsLagOptions) error) *cobra.Command {
	opts := &GroupsLagOptions{f: f}
	c := &cobra.Command{
		Use:   "lag GROUP",
		Short: "Show a group's lag per partition; exit 3 when over --max-lag",
		Long: `Shows the group's committed offset, last stable offset and lag per
partition, and the total. With --max-lag N it exits with code 3 when any
partition's lag exceeds N, for CI jobs and cron checks. With --watch it
refreshes every interval (in place on a terminal) until Ctrl-C.

Every partition of the group's topics is shown. One the group never
committed shows "-" as its committed offset and its lag counted from the
log start, marked "(no commit)": where the group starts there depends on
its consumers' auto.offset.reset (earliest: all of it; latest: none), so
--max-lag does not judge it unless --count-uncommitted.`,
		Example: `  kq groups lag billing
  kq groups lag billing --max-lag 1000 || alert "billing is behind"
  kq groups lag billing --max-lag 1000 --count-uncommitted
  kq groups lag billing --watch 2s`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Group = args[0]
			if !c.Flags().Changed("max-lag") {
				opts.MaxLag = -1
			} else if opts.MaxLag < 0 {
				return kqerr.Usagef("--max-lag must not be negative, got %d", opts.MaxLag)
			}
			if c.Flags().Changed("watch") && opts.Watch <= 0 {
				return kqerr.Usagef("--watch needs a positive interval, got %v", opts.Watch)
			}
			if runF != nil {
				return runF(opts)
			}
			return groupsLagRun(c.Context(), opts)
		},
	}
	c.Flags().Int64Var(&opts.MaxLag, "max-lag", 0, "exit with code 3 when a partition's lag exceeds N")
	c.Flags().BoolVar(&opts.CountUncommitted, "count-uncommitted", false, "--max-lag also judges partitions the group never committed (lag from the log start)")
	c.Flags().DurationVar(&opts.Watch, "watch", 0, "refresh every interval until Ctrl-C, e.g. 2s")
	addOutputFlag(c, &opts.Output)
	return c
}

func groupsLagRun(ctx context.Context, opts *GroupsLagOptions) error {
	p, gc, err := printerAndConnect(opts.f, opts.Output, groups.Open)
	if err != nil {
		return err
	}
	defer gc.Close()
	if opts.Watch <= 0 {
		return lagOnce(ctx, gc, p, opts)
	}
	return lagWatch(ctx, gc, p, opts)
}

// lagWatch refreshes the lag until ctx ends; on a terminal each refresh
// replaces the previous one.
func lagWatch(ctx context.Context, gc *groups.Client, p *output.Printer, opts *GroupsLagOptions) error {
	t := time.NewTicker(opts.Watch)
	defer t.Stop()
	for {
		if p.IO.IsStdoutTTY() {
			fmt.Fprint(p.IO.Out, "\x1b[H\x1b[2J")
		}
		fmt.Fprintf(p.IO.ErrOut, "%s  every %v, Ctrl-C stops\n", time.Now().Format(time.TimeOnly), opts.Watch)
		if err := lagOnce(ctx, gc, p, opts); err != nil && !errors.Is(err, kqerr.ErrCheckFailed) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: watch stopped", kqerr.ErrInterrupted)
		case <-t.C:
			if !p.IO.IsStdoutTTY() {
				fmt.Fprintln(p.IO.Out)
			}
		}
	}
}

// lagOnce reads and renders the lag once; over --max-lag it returns an
// error wrapping kqerr.ErrCheckFailed.
func lagOnce(ctx context.Context, gc *groups.Client, p *output.Printer, opts *GroupsLagOptions) error {
	ds, err := gc.Describe(ctx, []string{opts.Group}, groups.DescribeOptions{})
	if err != nil {
		return err
	}
	r := lagReport(ds[0], opts.MaxLag, opts.CountUncommitted)
	if p.Format == "json" {
		err = p.JSON(r)
	} else {
		err = renderLag(p, r)
	}
	if err != nil {
		return err
	}
	if note := uncommittedNote(r); note != "" {
		fmt.Fprintln(p.IO.ErrOut, note)
	}
	return overLagError(r)
}

func lagReport(d groups.Description, maxLag int64, countUncommitted bool) LagReport {
	r := LagReport{Group: d.Group, State: d.State, TotalLag: d.TotalLag, Partitions: d.Partitions, Over: []groups.PartitionLag{},
		Uncommitted: []offsets.TopicPartition{}, CountUncommitted: countUncommitted}
	if u := d.Uncommitted(); u != nil {
		r.Uncommitted = u
	}
	if maxLag >= 0 {
		r.MaxLag = &maxLag
		if over := d.OverLag(maxLag, countUncommitted); over != nil {
			r.Over = over
		}
	}
	return r
}

// uncommittedNote tells, on stderr, which partitions have no committed
// offset and whether --max-lag judged them; "" when there are none.
func uncommittedNote(r LagReport) string {
	if len(r.Uncommitted) == 0 {
		return ""
	}
	names := make([]string, len(r.Uncommitted))
	for i, tp := range r.Uncommitted {
		names[i] = fmt.Sprintf("%s/%d", tp.Topic, tp.Partition)
	}
	msg := fmt.Sprintf("note: group %s has no committed offset for %s (%s): lag counted from the log start",
		r.Group, plural(len(names), "partition"), strings.Join(names, ", "))
	switch {
	case r.MaxLag == nil:
	case r.CountUncommitted:
		msg += ", judged by --max-lag"
	default:
		msg += ", not judged by --max-lag (--count-uncommitted judges it)"
	}
	return msg
}

func renderLag(p *output.Printer, r LagReport) error {
	over := map[offsets.TopicPartition]bool{}
	for _, o := range r.Over {
		over[o.TopicPartition] = true
	}
	rows := make([][]string, 0, len(r.Partitions))
	for _, pl := range r.Partitions {
		lag := lagText(pl)
		if over[pl.TopicPartition] {
			lag = p.Bad(lag + " (over)")
		}
		rows = append(rows, []string{pl.Topic, strconv.Itoa(int(pl.Partition)), pl.Committed.String(), pl.LastStable.String(), lag})
	}
	rows = append(rows, []string{"total", "", "", "", r.TotalLag.String()})
	return p.Table([]string{"topic", "partition", "committed", "last stable", "lag"}, rows)
}

func overLagError(r LagReport) error {
	if len(r.Over) == 0 {
		return nil
	}
	parts := make([]string, 0, len(r.Over))
	for _, o := range r.Over {
		parts = append(parts, fmt.Sprintf("%s/%d: %v", o.Topic, o.Partition, o.Lag))
	}
	return fmt.Errorf("%w: group %s lags more than --max-lag %d on %s (%s)",
		kqerr.ErrCheckFailed, r.Group, *r.MaxLag, plural(len(r.Over), "partition"), strings.Join(parts, ", "))
}

// lagText is a partition's lag for tables, marked when the group never
// committed the partition.
func lagText(pl groups.PartitionLag) string {
	if pl.Uncommitted() {
		return pl.Lag.String() + " (no commit)"
	}
	return pl.Lag.String()
}
