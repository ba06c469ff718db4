package cmd

import (
	"strconv"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/topics"
)

// TopicsListOptions are the options of `kq topics list`.
type TopicsListOptions struct {
	f *Factory
	// Internal also lists internal topics.
	Internal bool
	// Output is table or json.
	Output string
}

// NewCmdTopicsList returns `kq topics list`.
func NewCmdTopicsList(f *Factory, runF func(*TopicsListOptions) error) *cobra.Command {
	opts := &TopicsListOptions{f: f}
	c := &cobra.Command{
		Use:   "list",
		Short: "List topics with partition count and replication factor",
		Example: `  kq topics list
  kq topics list --internal -o json`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return topicsListRun(opts)
		},
	}
	c.Flags().BoolVar(&opts.Internal, "internal", false, "also list internal topics (__consumer_offsets, ...)")
	addOutputFlag(c, &opts.Output)
	return c
}

func topicsListRun(opts *TopicsListOptions) error {
	p, a, err := printerAndConnect(opts.f, opts.Output, topics.Open)
	if err != nil {
		return err
	}
	defer a.Close()
	list, err := a.List(topics.ListOptions{Internal: opts.Internal})
	if err != nil {
		return err
	}
	if p.Format == "json" {
		return p.JSON(list)
	}
	rows := make([][]string, 0, len(list))
	for _, t := range list {
		name := t.Name
		if t.Internal {
			name += " (internal)"
		}
		rows = append(rows, []string{name, strconv.Itoa(t.Partitions), strconv.Itoa(t.ReplicationFactor)})
	}
	return p.Table([]string{"topic", "partitions", "replication"}, rows)
}
