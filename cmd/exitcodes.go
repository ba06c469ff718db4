package cmd

import "github.com/spf13/cobra"

func newHelpTopicExitCodes() *cobra.Command {
	return &cobra.Command{
		Use:   "exit-codes",
		Short: "What kq's exit codes mean",
		Long: `kq exits with:

  0    success
  1    runtime or Kafka error (a request failed, a record was not acked, ...)
  2    usage error: bad flags or arguments, malformed input (offsets,
       timestamps, formats, JSON lines, plan files)
  3    a check failed: kq verify found the declared delivery semantics
       violated, or kq groups lag --max-lag was exceeded
  4    the cluster is unreachable, or authentication / TLS failed
  130  interrupted (Ctrl-C or SIGTERM); what was done is reported first
  141  standard output was closed by its reader (kq consume | head): kq
       stops quietly, a group member commits what it wrote and leaves

Errors are printed as one line on stderr, prefixed "kq: ".`,
		Example: "  kq help exit-codes",
	}
}
