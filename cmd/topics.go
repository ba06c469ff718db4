package cmd

import (
	"github.com/spf13/cobra"
)

// NewCmdTopics returns `kq topics` with its subcommands; on its own it
// lists the topics, as `kq topics list` does.
func NewCmdTopics(f *Factory) *cobra.Command {
	list := NewCmdTopicsList(f, nil)
	c := &cobra.Command{
		Use:     "topics",
		Aliases: []string{"topic"},
		Short:   "List, describe, create, delete and alter topics",
		Long: `Topic administration, as kafka-topics.sh does it. On its own, kq topics
lists the topics (see kq topics list).`,
		Example: `  kq topics
  kq topics describe orders
  kq topics create orders -p 6 -r 3 --config retention.ms=86400000
  kq topics add-partitions orders 6`,
		Args: usageArgs(cobra.NoArgs),
		RunE: list.RunE,
	}
	c.Flags().AddFlagSet(list.Flags())
	c.AddCommand(
		list,
		NewCmdTopicsDescribe(f, nil),
		NewCmdTopicsCreate(f, nil),
		NewCmdTopicsDelete(f, nil),
		NewCmdTopicsAddPartitions(f, nil),
		NewCmdTopicsAlterConfig(f, nil),
	)
	return c
}
