package cmd

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/groups"
	"github.com/kq-dev/kq/internal/output"
	"github.com/kq-dev/kq/internal/timestamp"
)

func init() {
	extraCommands = append(extraCommands, func(f *Factory) *cobra.Command { return NewCmdOffsets(f, nil) })
}

// OffsetsOptions are the options of `kq offsets`.
type OffsetsOptions struct {
	f *Factory
	// Topic is the topic to read offsets of.
	Topic string
	// At, when set, also resolves the first offset at or after this time.
	At *time.Time
	// Output is table or json.
	Output string
}

// NewCmdOffsets returns `kq offsets`.
func NewCmdOffsets(f *Factory, runF func(context.Context, *OffsetsOptions) error) *cobra.Command {
	opts := &OffsetsOptions{f: f}
	var at string
	c := &cobra.Command{
		Use:   "offsets TOPIC",
		Short: "Show a topic's earliest, latest and last stable offsets per partition",
		Long: `Shows per partition the earliest offset (log start), the latest (log end),
the last stable offset (where read_committed consumers stop), and the
record count (latest minus earliest; transaction markers and aborted
records count). --at TIME adds the first offset whose timestamp is at or
after TIME (the log end when no record is that new). TIME is RFC 3339
(2026-11-01T00:00:00Z), a local date-time (2026-11-01T08:00:00), a date,
epoch milliseconds or -DURATION before now (-15m), as everywhere in kq.`,
		Example: `  kq offsets orders
  kq offsets orders --at 2026-11-01T00:00:00Z
  kq offsets orders -o json | jq '.records'`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Topic = args[0]
			if c.Flags().Changed("at") {
				t, err := timestamp.Parse(at, time.Now())
				if err != nil {
					return err
				}
				opts.At = &t
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return offsetsRun(c.Context(), opts)
		},
	}
	c.Flags().StringVar(&at, "at", "", "also show the first offset at or after this time")
	addOutputFlag(c, &opts.Output)
	return c
}

func offsetsRun(ctx context.Context, opts *OffsetsOptions) error {
	p, err := opts.f.Printer(opts.Output)
	if err != nil {
		return err
	}
	gc, err := openGroups(opts.f)
	if err != nil {
		return err
	}
	defer gc.Close()
	to, err := gc.TopicOffsets(ctx, opts.Topic, opts.At)
	if err != nil {
		return err
	}
	if p.Format == "json" {
		return p.JSON(to)
	}
	if to.At != nil {
		opts.f.Infof("at time: first offset at or after %s (the log end when none is)", to.At.Format(time.RFC3339Nano))
	}
	return renderOffsets(p, to)
}

func renderOffsets(p *output.Printer, to groups.TopicOffsets) error {
	header := []string{"partition", "earliest", "latest", "last stable", "records"}
	if to.At != nil {
		header = append(header, "at time")
	}
	rows := make([][]string, 0, len(to.Partitions)+1)
	for _, po := range to.Partitions {
		row := []string{strconv.Itoa(int(po.Partition)), po.Earliest.String(), po.Latest.String(), po.LastStable.String(), strconv.FormatInt(po.Records, 10)}
		if po.AtTime != nil {
			row = append(row, po.AtTime.String())
		}
		rows = append(rows, row)
	}
	total := []string{"total", "", "", "", strconv.FormatInt(to.Records, 10)}
	if to.At != nil {
		total = append(total, "")
	}
	if err := p.Table(header, append(rows, total)); err != nil {
		return fmt.Errorf("offsets of %s: %w", to.Topic, err)
	}
	return nil
}
