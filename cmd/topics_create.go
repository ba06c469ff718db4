package cmd

import (
	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/topics"
)

// TopicsCreateOptions are the options of `kq topics create`.
type TopicsCreateOptions struct {
	f *Factory
	// Topic is the topic to create.
	Topic string
	// Create are the partitions, replication factor and configs.
	Create topics.CreateOptions
}

// NewCmdTopicsCreate returns `kq topics create`.
func NewCmdTopicsCreate(f *Factory, runF func(*TopicsCreateOptions) error) *cobra.Command {
	opts := &TopicsCreateOptions{f: f}
	var partitions, replication int
	var configs []string
	c := &cobra.Command{
		Use:   "create TOPIC",
		Short: "Create a topic",
		Long: `Creates a topic. Without -p or -r the broker's defaults apply. An existing
topic is an error (exit 1).`,
		Example: `  kq topics create orders -p 6 -r 3
  kq topics create audit --config retention.ms=604800000 --config cleanup.policy=compact`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Topic = args[0]
			if partitions < 0 || partitions > 1<<20 || replication < 0 || replication > 1<<10 {
				return kqerr.Usagef("bad -p %d or -r %d: want positive numbers", partitions, replication)
			}
			cfg, err := topics.ParseConfigs(configs)
			if err != nil {
				return err
			}
			opts.Create = topics.CreateOptions{Partitions: int32(partitions), ReplicationFactor: int16(replication), Configs: cfg}
			if runF != nil {
				return runF(opts)
			}
			return topicsCreateRun(opts)
		},
	}
	c.Flags().IntVarP(&partitions, "partitions", "p", 0, "number of partitions (default: the broker's)")
	c.Flags().IntVarP(&replication, "replication-factor", "r", 0, "replicas per partition (default: the broker's)")
	c.Flags().StringArrayVar(&configs, "config", nil, "topic config KEY=VALUE (repeatable)")
	return c
}

func topicsCreateRun(opts *TopicsCreateOptions) error {
	a, err := openTopics(opts.f)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Create(opts.Topic, opts.Create); err != nil {
		return err
	}
	opts.f.Infof("created topic %s", opts.Topic)
	return nil
}
