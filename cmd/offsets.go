package cmd

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/internal/output"
	"github.com/kq-dev/kq/internal/timestamp"
	"github.com/kq-dev/kq/topics"
)

// OffsetsOptions are the options of `kq offsets`.
type OffsetsOptions struct {
	f *Factory
	// Topics are the topics to read offsets of; none means every topic
	// (internal ones left out).
	Topics []string
	// At, when set, also resolves the first offset at or after this time.
	At *time.Time
	// Output is table or json.
	Output string
}

// NewCmdOffsets returns `kq offsets`.
func NewCmdOffsets(f *Factory, runF func(*OffsetsOptions) error) *cobra.Command {
	opts := &OffsetsOptions{f: f}
	var at string
	c := &cobra.Command{
		Use:   "offsets [TOPIC...]",
		Short: "Show topics' earliest, latest and last stable offsets per partition",
		Long: `Shows per partition the earliest offset (log start), the latest (log end),
the last stable offset (where read_committed consumers stop), and the
number of offsets between earliest and latest (OFFSETS: records plus
transaction markers, aborted records included, so at most that many
records are read). Without a topic every topic is shown (internal ones
left out). --at TIME adds the first offset whose timestamp is at or
after TIME (the log end when no record is that new). TIME is RFC 3339
(2026-11-01T00:00:00Z), a local date-time (2026-11-01T08:00:00), a date,
epoch milliseconds or -DURATION before now (-15m), as everywhere in kq.
-o json prints one object for one topic, an array for several or all.`,
		Example: `  kq offsets orders
  kq offsets orders payments --at 2026-11-01T00:00:00Z
  kq offsets                                   # every topic
  kq offsets orders -o json | jq '.offsets'`,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Topics = args
			if c.Flags().Changed("at") {
				t, err := timestamp.Parse(at, time.Now())
				if err != nil {
					return err
				}
				opts.At = &t
			}
			if runF != nil {
				return runF(opts)
			}
			return offsetsRun(c.Context(), opts)
		},
	}
	c.Flags().StringVar(&at, "at", "", "also show the first offset at or after this time")
	addOutputFlag(c, &opts.Output)
	return c
}

func offsetsRun(ctx context.Context, opts *OffsetsOptions) error {
	p, a, err := printerAndConnect(opts.f, opts.Output, topics.Open)
	if err != nil {
		return err
	}
	defer a.Close()
	names := opts.Topics
	if len(names) == 0 {
		if names, err = allTopics(a); err != nil {
			return err
		}
	}
	tos, err := a.TopicsOffsets(ctx, names, opts.At)
	if err != nil {
		return err
	}
	markBlocked(ctx, opts.f, tos)
	if p.Format == "json" {
		if len(opts.Topics) == 1 {
			return p.JSON(tos[0])
		}
		return p.JSON(tos)
	}
	if opts.At != nil {
		opts.f.Infof("at time: first offset at or after %s (the log end when none is)", opts.At.Format(time.RFC3339Nano))
	}
	return renderOffsets(p, tos, opts.At != nil, len(opts.Topics) != 1)
}

// allTopics lists the cluster's topics, internal ones left out.
func allTopics(a *topics.Admin) ([]string, error) {
	list, err := a.List(topics.ListOptions{})
	if err != nil {
		return nil, err
	}
	names := make([]string, len(list))
	for i, s := range list {
		names[i] = s.Name
	}
	return names, nil
}

// renderOffsets prints one table; with several topics a topic column
// comes first.
func renderOffsets(p *output.Printer, tos []topics.TopicOffsets, withAt, withTopic bool) error {
	header := []string{"partition", "earliest", "latest", "last stable", "offsets"}
	if withTopic {
		header = append([]string{"topic"}, header...)
	}
	if withAt {
		header = append(header, "at time")
	}
	withBlocked := anyBlocked(tos)
	if withBlocked {
		header = append(header, "blocked by")
	}
	var rows [][]string
	var total int64
	for _, to := range tos {
		for _, po := range to.Partitions {
			row := []string{strconv.Itoa(int(po.Partition)), po.Earliest.String(), po.Latest.String(), po.LastStable.String(), strconv.FormatInt(po.Offsets, 10)}
			if withTopic {
				row = append([]string{to.Topic}, row...)
			}
			if po.AtTime != nil {
				row = append(row, po.AtTime.String())
			}
			if withBlocked {
				row = append(row, blockedText(po.BlockedBy))
			}
			rows = append(rows, row)
		}
		total += to.Offsets
	}
	last := []string{"total", "", "", "", strconv.FormatInt(total, 10)}
	if withTopic {
		last = append([]string{"total", ""}, last[1:]...)
	}
	if withAt {
		last = append(last, "")
	}
	if withBlocked {
		last = append(last, "")
	}
	if err := p.Table(header, append(rows, last)); err != nil {
		return fmt.Errorf("write offsets: %w", err)
	}
	return nil
}
