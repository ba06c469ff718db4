package cmd

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/output"
	"github.com/kq-dev/kq/topics"
)

// TopicsCreateOptions are the options of `kq topics create`.
type TopicsCreateOptions struct {
	f *Factory
	// Topic is the topic to create.
	Topic string
	// Create are the partitions, replication factor and configs.
	Create topics.CreateOptions
	// IfNotExists makes an existing topic a success.
	IfNotExists bool
	// Output is table or json.
	Output string
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
topic is an error (exit 1) unless --if-not-exists, which leaves it as it is.
-o json prints {"topic", "created", ...}; a table run confirms on stderr.`,
		Example: `  kq topics create orders -p 6 -r 3
  kq topics create audit --config retention.ms=604800000 --config cleanup.policy=compact
  kq topics create orders --if-not-exists -o json`,
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
	c.Flags().BoolVar(&opts.IfNotExists, "if-not-exists", false, "succeed, changing nothing, when the topic exists")
	addOutputFlag(c, &opts.Output)
	return c
}

func topicsCreateRun(opts *TopicsCreateOptions) error {
	p, a, err := printerAndConnect(opts.f, opts.Output, topics.Open)
	if err != nil {
		return err
	}
	defer a.Close()
	res := topics.CreateResult{Topic: opts.Topic, Created: true, Partitions: opts.Create.Partitions,
		ReplicationFactor: opts.Create.ReplicationFactor, Configs: opts.Create.Configs}
	if err := a.Create(opts.Topic, opts.Create); err != nil {
		if !opts.IfNotExists || !errors.Is(err, topics.ErrTopicExists) {
			return err
		}
		res = topics.CreateResult{Topic: opts.Topic}
	}
	if p.Format == output.JSON {
		return p.JSON(res)
	}
	if res.Created {
		opts.f.Infof("created topic %s", opts.Topic)
	} else {
		opts.f.Infof("topic %s exists already: left as it is", opts.Topic)
	}
	return nil
}
