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
  5    inconclusive: kq verify could not judge, for want of evidence (a
       named fault got no window over traffic, a crash fault crashed no
       client holding work at risk, the run or history did not complete,
       nothing was sent); the report gives the reasons
  130  interrupted (Ctrl-C or SIGTERM); what was done is reported first

kq verify exits 0, 3 or 5 only when its run completed; a run that failed
prints its partial counts, no verdict, and exits 1, 4 or 130. In CI, fail
on 3 (the semantics broke) and on 5 (the run proved nothing) with
different messages.

Errors are printed as one line on stderr, prefixed "kq: ".`,
		Example: "  kq help exit-codes",
	}
}
