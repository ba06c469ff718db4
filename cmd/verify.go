package cmd

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/output"
	"github.com/kq-dev/kq/verify"
	"github.com/kq-dev/kq/verify/check"
)

// VerifyOptions are the options of `kq verify`.
type VerifyOptions struct {
	f *Factory
	// ReplicaLag turns on the built-in broker's replication model.
	ReplicaLag time.Duration
	// changed reports whether a flag was set on the command line.
	changed func(string) bool
	// Output is table or json.
	Output string
	// Semantics is the guarantee to judge.
	Semantics string
	// Client overrides, used only when set on the command line.
	Acks, Commit, Isolation string
	Idempotent, AutoCommit  bool
	Retries, MaxInFlight    int
	// Workload.
	Messages                         int64
	Duration                         time.Duration
	Producers, Consumers, Partitions int
	// TopicConfig are --topic-config's KEY=VALUE items.
	TopicConfig     []string
	Size, TxnSize   int
	Rate, AbortRate float64
	ProcessTime     time.Duration
	// Faults.
	Faults                       string
	FaultInterval, FaultDuration time.Duration
	Seed                         uint64
	MinWindows                   int
	FaultExec                    []string
	// History is the file to write the history to.
	History string
	// Report is the HTML report to write.
	Report string
	// replay returns the command line that replays the run with a seed.
	replay func(seed uint64) string
	// KeepTopics keeps the run's topics and groups.
	KeepTopics bool
	// RequestTimeout and DrainTimeout bound the run's waits.
	RequestTimeout, DrainTimeout time.Duration
	// Workers are the flags of a run spread over hosts (--worker).
	Workers verifyWorkerFlags
}

// NewCmdVerify returns `kq verify` and its subcommand `check`.
func NewCmdVerify(f *Factory, runF func(*VerifyOptions) error) *cobra.Command {
	opts := &VerifyOptions{f: f}
	c := &cobra.Command{
		Use:   "verify",
		Short: "Check delivery semantics under faults: count lost, duplicated, reordered and aborted-but-visible messages",
		Long: `Writes numbered values through producers and consumers configured for a
delivery guarantee (--semantics), injects faults on a schedule, records every
send and delivery, and checks the history: lost (acknowledged, never
delivered), duplicated, reordered, aborted-but-visible, corrupt values,
offsets holding two values, consumers skipping records or going back
(poll skips, nonmonotonic polls), committing past what they processed
(commits ahead), committed transactions only partly visible (torn), and
the realtime lag from acknowledgement to delivery. The verdict judges the semantics claimed; any
preset setting can be overridden to verify your own configuration.
Consumers spend --process-time on each batch (what has arrived, up to
4096 records), and a consumer crash lands mid-batch: after a commit before
processing, before a commit after it; with --auto-commit, once the broker
holds the background commit of what was marked.

HELD needs evidence: the run completed, and every named fault got at least
--min-windows full windows over traffic (a client crash: crashes of a
client holding work at risk); the run paces itself to give them. Without
that evidence the verdict is INCONCLUSIVE, with the reasons. A run that
fails (the cluster never came back, a drain timeout, Ctrl-C) prints its
partial counts and no verdict.

With no brokers configured it runs against a built-in 3-node cluster in this
process; with --brokers, KQ_BROKERS or a profile it runs against that cluster,
creating (and at the end deleting) topics named kq-verify-*. Broker faults
need the built-in cluster; network and client faults work everywhere.

Exit status: 0 held, 3 violated, 5 inconclusive; a failed run 1, 4
(cluster unreachable) or 130 (interrupted). See kq help exit-codes.`,
		Example: `  kq verify                                        # at-least-once, default faults, built-in broker
  kq verify --semantics exactly-once -o json
  kq verify --semantics at-least-once --commit before --faults crash-consumer   # loses messages: exit 3
  kq verify --semantics at-least-once --commit before --auto-commit --faults crash-consumer   # loses messages: exit 3
  kq verify --semantics exactly-once --idempotent=false --faults drop-response
  kq verify --faults none --messages 1000000 --rate 0            # clean baseline, full speed
  kq verify -b kafka-1:9092 --semantics exactly-once --faults drop-response,latency,delay=50ms --history run.jsonl
  kq verify check run.jsonl --semantics exactly-once
  kq verify --report run.html                      # charts of the run, fault windows shaded: one HTML file`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			opts.changed = c.Flags().Changed
			opts.replay = func(seed uint64) string { return replayCommand(c, seed) }
			if runF != nil {
				return runF(opts)
			}
			return verifyRun(c.Context(), opts)
		},
	}
	addVerifyFlags(c, opts)
	addVerifyWorkerFlags(c, &opts.Workers)
	addOutputFlag(c, &opts.Output)
	c.AddCommand(NewCmdVerifyCheck(f, nil))
	return c
}

func verifyRun(ctx context.Context, o *VerifyOptions) error {
	p, err := o.f.Printer(o.Output)
	if err != nil {
		return err
	}
	opts, err := o.options()
	if err != nil {
		return err
	}
	if _, err := check.ParseSemantics(o.Semantics); err != nil {
		return err
	}
	if err := reportDirExists(o.Report); err != nil {
		return err
	}
	builtIn, err := o.builtIn()
	if err != nil {
		return err
	}
	// Every setting is checked before a built-in broker starts.
	if err := verify.Validate(opts, builtIn); err != nil {
		return err
	}
	cf, stop, err := o.target(&opts, builtIn)
	if err != nil {
		return err
	}
	defer stop()
	historyPath := ""
	if o.Report != "" {
		var cleanup func()
		if historyPath, cleanup, err = o.reportHistory(); err != nil {
			return err
		}
		defer cleanup()
	}
	closeHistory, err := o.openHistory(&opts)
	if err != nil {
		return err
	}
	if o.f.Verbose() {
		opts.Log = o.f.IO.ErrOut
	}
	progress := output.NewProgress(o.f.IO.ErrOut, o.f.IO.IsStderrTTY(), o.f.Verbose())
	restoreGC := tuneVerifyGC(o.f.LookupEnv)
	rep, runErr := verify.Run(ctx, cf, opts, func(s verify.Snapshot) { progress.Show(progressLine(s)) })
	restoreGC()
	progress.Done()
	if err := closeHistory(); err != nil && runErr == nil {
		runErr = err
	}
	if rep.Settings.Semantics == "" {
		return runErr
	}
	if err := renderVerifyReport(p, rep); err != nil {
		return err
	}
	if o.Report != "" {
		if err := o.writeRunReport(rep, historyPath, o.replay(rep.Settings.Faults.Seed), targetText(cf, opts)); err != nil && runErr == nil {
			runErr = err
		}
	}
	if runErr != nil {
		return runErr
	}
	return rep.Err()
}

// targetText names the cluster a run verified.
func targetText(cf conn.Factory, opts verify.Options) string {
	brokers := strings.Join(cf.Profile.Brokers, ",")
	if opts.Broker != nil {
		return "built-in 3-node cluster (in process) at " + brokers
	}
	return "cluster " + brokers
}

// builtIn reports whether the run uses a built-in cluster: no brokers
// are configured.
func (o *VerifyOptions) builtIn() (bool, error) {
	s, err := o.f.Settings()
	if err != nil {
		return false, err
	}
	return !s.Configured("brokers"), nil
}

// target returns the client factory of the cluster to verify: the one
// configured, or, with no brokers configured, a built-in cluster started
// for the run (stop closes it).
func (o *VerifyOptions) target(opts *verify.Options, builtIn bool) (conn.Factory, func(), error) {
	cf, err := o.f.Conn()
	if err != nil {
		return conn.Factory{}, nil, err
	}
	if err := o.Workers.apply(opts, cf, o.changed); err != nil {
		return conn.Factory{}, nil, err
	}
	if !builtIn {
		return cf, func() {}, nil
	}
	if opts.Worker != nil {
		return conn.Factory{}, nil, errWorkerBuiltIn
	}
	b, err := verify.StartBuiltin(opts.Faults, o.ReplicaLag)
	if err != nil {
		return conn.Factory{}, nil, err
	}
	fmt.Fprintf(o.f.IO.ErrOut, "kq verify: no brokers configured: built-in 3-node cluster at %s\n", b.Bootstrap())
	cf.Profile.Brokers = b.Addrs()
	opts.Broker = b.Broker
	return cf, b.Close, nil
}

// openHistory opens --history for the run; the returned function closes
// it.
func (o *VerifyOptions) openHistory(opts *verify.Options) (func() error, error) {
	if o.History == "" {
		return func() error { return nil }, nil
	}
	fh, err := os.Create(o.History)
	if err != nil {
		return nil, fmt.Errorf("open --history: %w", err)
	}
	opts.History = fh
	return fh.Close, nil
}
