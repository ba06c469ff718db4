package cmd

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/topics"
)

// TopicsAddPartitionsOptions are the options of `kq topics add-partitions`.
type TopicsAddPartitionsOptions struct {
	f *Factory
	// Topic is the topic to grow.
	Topic string
	// Add is the number of partitions to add.
	Add int32
	// Output is table or json.
	Output string
}

// NewCmdTopicsAddPartitions returns `kq topics add-partitions`.
func NewCmdTopicsAddPartitions(f *Factory, runF func(*TopicsAddPartitionsOptions) error) *cobra.Command {
	opts := &TopicsAddPartitionsOptions{f: f}
	c := &cobra.Command{
		Use:   "add-partitions TOPIC N",
		Short: "Add N partitions to a topic",
		Long: `Adds N partitions to the topic (N is how many to add, not the new total).
Kafka cannot remove partitions, and records with a key may go to another
partition afterwards.`,
		Example: `  kq topics add-partitions orders 3
  kq topics add-partitions orders 1 -o json`,
		Args: usageArgs(cobra.ExactArgs(2)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Topic = args[0]
			n, err := strconv.ParseInt(args[1], 10, 32)
			if err != nil || n < 1 {
				return kqerr.Usagef("bad partition count %q: want how many partitions to add, at least 1", args[1])
			}
			opts.Add = int32(n)
			if runF != nil {
				return runF(opts)
			}
			return topicsAddPartitionsRun(opts)
		},
	}
	addOutputFlag(c, &opts.Output)
	return c
}

func topicsAddPartitionsRun(opts *TopicsAddPartitionsOptions) error {
	p, a, err := printerAndConnect(opts.f, opts.Output, topics.Open)
	if err != nil {
		return err
	}
	defer a.Close()
	ch, err := a.AddPartitions(opts.Topic, opts.Add)
	if err != nil {
		return err
	}
	if p.Format == "json" {
		return p.JSON(ch)
	}
	fmt.Fprintf(p.IO.Out, "%s: %d -> %d partitions\n", ch.Topic, ch.Before, ch.After)
	return nil
}
