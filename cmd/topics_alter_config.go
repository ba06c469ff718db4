package cmd

import (
	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/internal/output"
	"github.com/kq-dev/kq/topics"
)

// TopicsAlterConfigOptions are the options of `kq topics alter-config`.
type TopicsAlterConfigOptions struct {
	f *Factory
	// Topic is the topic to change.
	Topic string
	// Set are the configs to set.
	Set map[string]string
	// Delete are the configs to reset to their defaults.
	Delete []string
	// Output is table or json.
	Output string
}

// NewCmdTopicsAlterConfig returns `kq topics alter-config`.
func NewCmdTopicsAlterConfig(f *Factory, runF func(*TopicsAlterConfigOptions) error) *cobra.Command {
	opts := &TopicsAlterConfigOptions{f: f}
	c := &cobra.Command{
		Use:   "alter-config TOPIC [KEY=VALUE...]",
		Short: "Set or reset topic configs",
		Long: `Sets the given configs and resets those named by --delete to their
defaults; other configs keep their values (incremental alter).`,
		Example: `  kq topics alter-config orders retention.ms=86400000
  kq topics alter-config orders cleanup.policy=compact --delete retention.ms`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Topic = args[0]
			set, err := topics.ParseConfigs(args[1:])
			if err != nil {
				return err
			}
			opts.Set = set
			if runF != nil {
				return runF(opts)
			}
			return topicsAlterConfigRun(opts)
		},
	}
	c.Flags().StringArrayVar(&opts.Delete, "delete", nil, "config KEY to reset to its default (repeatable)")
	addOutputFlag(c, &opts.Output)
	return c
}

func topicsAlterConfigRun(opts *TopicsAlterConfigOptions) error {
	p, a, err := printerAndConnect(opts.f, opts.Output, topics.Open)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.AlterConfig(opts.Topic, opts.Set, opts.Delete); err != nil {
		return err
	}
	if p.Format == output.JSON {
		res := topics.AlterResult{Topic: opts.Topic, Set: opts.Set, Deleted: opts.Delete}
		if res.Deleted == nil {
			res.Deleted = []string{}
		}
		return p.JSON(res)
	}
	opts.f.Infof("altered %s of topic %s", plural(len(opts.Set)+len(opts.Delete), "config"), opts.Topic)
	return nil
}
