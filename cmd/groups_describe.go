package cmd

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/groups"
	"github.com/kq-dev/kq/internal/output"
)

// GroupsDescribeOptions are the options of `kq groups describe`.
type GroupsDescribeOptions struct {
	f *Factory
	// Groups are the groups to describe.
	Groups []string
	// TimeLag also shows the age of the next record to consume.
	TimeLag bool
	// Output is table or json.
	Output string
}

// NewCmdGroupsDescribe returns `kq groups describe`.
func NewCmdGroupsDescribe(f *Factory, runF func(*GroupsDescribeOptions) error) *cobra.Command {
	opts := &GroupsDescribeOptions{f: f}
	c := &cobra.Command{
		Use:   "describe GROUP...",
		Short: "Show a group's members, assignments, committed offsets and lag",
		Long: `Shows each group's state and members (member id, client id, host, assigned
partitions), and per partition the committed offset and its metadata, the
log end and last stable offsets, and the lag. Groups without live members
show their committed offsets; partitions of deleted topics are marked.

Lag is counted to the last stable offset (what a read_committed consumer
can reach) from the committed offset, or from the log start when nothing
is committed. --time-lag also reads the next record each lagging partition
would deliver and shows how old it is.

-o json prints an array with one object per group.`,
		Example: `  kq groups describe billing
  kq groups describe billing audit --time-lag
  kq groups describe billing -o json | jq '.[0].total_lag'`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Groups = args
			if runF != nil {
				return runF(opts)
			}
			return groupsDescribeRun(c, opts)
		},
	}
	c.Flags().BoolVar(&opts.TimeLag, "time-lag", false, "also show the age of the next record to consume per partition")
	addOutputFlag(c, &opts.Output)
	return c
}

func groupsDescribeRun(c *cobra.Command, opts *GroupsDescribeOptions) error {
	p, gc, err := printerAndConnect(opts.f, opts.Output, groups.Open)
	if err != nil {
		return err
	}
	defer gc.Close()
	ds, err := gc.Describe(c.Context(), opts.Groups, groups.DescribeOptions{TimeLag: opts.TimeLag})
	if err != nil && !errors.Is(err, groups.ErrGroupNotFound) {
		return err
	}
	markGroupsBlocked(c.Context(), opts.f, ds)
	if p.Format == "json" {
		if jerr := p.JSON(ds); jerr != nil {
			return jerr
		}
		return err
	}
	for i, d := range ds {
		if i > 0 {
			fmt.Fprintln(p.IO.Out)
		}
		if rerr := renderDescription(p, d, opts.TimeLag); rerr != nil {
			return rerr
		}
	}
	return err
}

func renderDescription(p *output.Printer, d groups.Description, timeLag bool) error {
	kv := [][2]string{{"group", d.Group}, {"state", d.State}, {"protocol", dashIfEmpty(d.Protocol)},
		{"members", strconv.Itoa(len(d.Members))}, {"total lag", d.TotalLag.String()}}
	if err := p.KV(kv); err != nil {
		return err
	}
	if len(d.Members) > 0 {
		fmt.Fprintln(p.IO.Out)
		if err := p.Table([]string{"member id", "client id", "host", "assignment"}, memberRows(d.Members)); err != nil {
			return err
		}
	}
	fmt.Fprintln(p.IO.Out)
	header := []string{"topic", "partition", "committed", "log end", "last stable", "lag"}
	if timeLag {
		header = append(header, "time lag")
	}
	header = append(header, "client id", "host", "metadata")
	rows := partitionRows(d.Partitions, timeLag)
	if anyGroupBlocked(d.Partitions) {
		header = append(header, "blocked by")
		for i, pl := range d.Partitions {
			rows[i] = append(rows[i], blockedText(pl.BlockedBy))
		}
	}
	return p.Table(header, rows)
}

func memberRows(ms []groups.Member) [][]string {
	rows := make([][]string, 0, len(ms))
	for _, m := range ms {
		var parts []string
		for _, a := range m.Assignment {
			parts = append(parts, a.Topic+":"+partitionList(a.Partitions))
		}
		rows = append(rows, []string{m.MemberID, m.ClientID, m.Host, dashIfEmpty(strings.Join(parts, " "))})
	}
	return rows
}

func partitionRows(ps []groups.PartitionLag, timeLag bool) [][]string {
	rows := make([][]string, 0, len(ps))
	for _, pl := range ps {
		topic := pl.Topic
		if pl.TopicDeleted {
			topic += " (deleted)"
		}
		row := []string{topic, strconv.Itoa(int(pl.Partition)), pl.Committed.String(), pl.LogEnd.String(), pl.LastStable.String(), lagText(pl)}
		if timeLag {
			row = append(row, formatAge(pl))
		}
		rows = append(rows, append(row, dashIfEmpty(pl.ClientID), dashIfEmpty(pl.Host), dashIfEmpty(pl.Metadata)))
	}
	return rows
}

// formatAge prints a time lag rounded for reading: "0s", "1.5s", "2m3s".
func formatAge(pl groups.PartitionLag) string {
	d, ok := pl.TimeLag()
	switch {
	case !ok:
		return "-"
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}
