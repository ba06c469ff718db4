package cmd

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/internal/conn"
)

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
  4    the cluster or the Schema Registry is unreachable (refused, not
       resolved, no answer within --timeout), or authentication / TLS failed
  5    inconclusive: kq verify could not judge, for want of evidence (a
       named fault got no window over traffic, a crash fault crashed no
       client holding work at risk, the run or history did not complete,
       nothing was sent); the report gives the reasons
  130  interrupted (Ctrl-C or SIGTERM); what was done is reported first
  141  standard output was closed by its reader (kq consume | head): kq
       stops quietly, a group member commits what it wrote and leaves

kq verify exits 0, 3 or 5 only when its run completed; a run that failed
prints its partial counts, no verdict, and exits 1, 4 or 130. In CI, fail
on 3 (the semantics broke) and on 5 (the run proved nothing) with
different messages.

Errors are printed as one line on stderr, prefixed "kq: ". A usage error
adds "Run 'kq CMD --help' for usage."; an unknown command or flag prints the
command's usage. Errors that are not about the command line's syntax (an
unknown profile, a missing --yes without a terminal, an unknown chaos fault
id) exit 1.`,
		Example: "  kq help exit-codes",
	}
}

func newHelpTopicClientProperties() *cobra.Command {
	return &cobra.Command{
		Use:   "client-properties",
		Short: "The client properties -X key=value understands",
		Long: `-X key=value passes a client property, as kcat's -X does, in librdkafka's or
the Java client's name. It is repeatable and works with every command that
talks to Kafka. kq understands:

  ` + strings.Join(spellTexts(conn.PropertyKeys()), "\n  ") + `

A key kq sets with a flag (acks, compression.type, linger.ms, group.id,
isolation.level, auto.offset.reset, bootstrap.servers, ...) is refused with
the flag's name; any other key is refused as unknown, so a typo never passes
silently. Connection properties given with -X (security, SASL, TLS, client
id) win over the same setting from flags, KQ_* environment and profile.`,
		Example: `  kq consume orders -X fetch.max.bytes=1048576 -X client.rack=eu-west-1a
  kq cluster -X security.protocol=sasl_ssl -X sasl.mechanisms=SCRAM-SHA-512 -X sasl.username=ops`,
	}
}
