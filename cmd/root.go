package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/internal/kqerr"
)

// NewCmdRoot returns the kq command tree.
func NewCmdRoot(f *Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "kq <command>",
		Short: "Kafka operations and delivery testing in one binary",
		Long: `kq produces and consumes records, inspects and repairs consumer groups,
topics and offsets, runs a local Kafka-compatible cluster, injects faults,
and verifies delivery semantics (at-most-once, at-least-once, exactly-once)
against its built-in broker or any real cluster.`,
		Example: `  kq broker                                  # local 3-node cluster on 127.0.0.1:9092
  kq verify --semantics exactly-once         # delivery check on a built-in broker
  kq cluster -b kafka-1:9092 -o json         # brokers, controller, API versions`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       buildInfo().Version,
	}
	root.SetVersionTemplate("kq {{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return fmt.Errorf("%w: %w", kqerr.ErrUsage, err)
	})
	addGlobalFlags(root, f)
	f.flags = root.PersistentFlags()

	root.AddCommand(
		NewCmdProduce(f, nil),
		NewCmdConsume(f, nil),
		NewCmdVerify(f, nil),
		NewCmdGroups(f),
		NewCmdTopics(f),
		NewCmdOffsets(f, nil),
		NewCmdTransactions(f),
		NewCmdProducers(f),
		NewCmdACLs(f),
		NewCmdSchemas(f),
		NewCmdCluster(f, nil),
		NewCmdBroker(f, nil),
		NewCmdChaos(f),
		NewCmdConfig(f),
		NewCmdVersion(f, nil),
		newHelpTopicExitCodes(),
		newHelpTopicClientProperties(),
	)
	root.InitDefaultCompletionCmd()
	decorateCompletion(root)
	return root
}

func addGlobalFlags(root *cobra.Command, f *Factory) {
	pf := root.PersistentFlags()
	addConnFlags(pf)
	pf.StringVar(&f.global.configFile, "config", "", "config file (default $XDG_CONFIG_HOME/kq/config.yaml; env KQ_CONFIG)")
	pf.StringVar(&f.global.profile, "profile", "", "config profile to use (env KQ_PROFILE; default: the file's current-profile)")
	pf.StringVar(&f.global.color, "color", "", "colour: auto, always or never (env KQ_COLOR; NO_COLOR is honoured)")
	pf.BoolVarP(&f.global.verbose, "verbose", "v", false, "log client activity (sarama) to stderr")
	pf.StringArrayVarP(&f.global.props, "property", "X", nil, "client property key=value in librdkafka / Java names, e.g. -X fetch.max.bytes=1048576 -X client.rack=eu1 (repeatable; kq help client-properties)")
	pf.BoolVarP(&f.global.quiet, "quiet", "q", false, "no summaries or confirmations on stderr (warnings and errors still show)")
}

// decorateCompletion gives the generated completion command an example.
func decorateCompletion(root *cobra.Command) {
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Example = `  source <(kq completion bash)
  kq completion zsh > "${fpath[1]}/_kq"
  kq completion fish > ~/.config/fish/completions/kq.fish`
			for _, sub := range c.Commands() {
				sub.Example = "  kq completion " + sub.Name() + " > kq-completion." + sub.Name()
			}
		}
	}
}
