package cmd

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/chaos"
	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/output"
	"github.com/kq-dev/kq/internal/setting"
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
	Size, TxnSize                    int
	Rate, AbortRate                  float64
	ProcessTime                      time.Duration
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

func addVerifyFlags(c *cobra.Command, o *VerifyOptions) {
	fl := c.Flags()
	fl.StringVar(&o.Semantics, "semantics", string(check.AtLeastOnce), "guarantee to verify: at-most-once, at-least-once or exactly-once")
	fl.StringVar(&o.Acks, "acks", "", "override the preset's producer acks: 0, 1 or all")
	fl.BoolVar(&o.Idempotent, "idempotent", false, "override the preset's producer idempotence (--idempotent=false to turn it off)")
	fl.IntVar(&o.Retries, "retries", 0, "override the preset's producer retries")
	fl.IntVar(&o.MaxInFlight, "max-in-flight", 0, "override the preset's produce requests in flight per broker")
	fl.StringVar(&o.Commit, "commit", "", "override when offsets are committed: before or after processing, or txn (the exactly-once copy pipeline)")
	fl.StringVar(&o.Isolation, "isolation", "", "override the consumers' isolation: read_committed or read_uncommitted")
	fl.BoolVar(&o.AutoCommit, "auto-commit", false, "override: commit marked offsets in the background instead of at each batch")
	fl.Int64Var(&o.Messages, "messages", verify.DefaultMessages, "values to write in all")
	fl.DurationVar(&o.Duration, "duration", 0, "write for this long instead of --messages")
	fl.IntVar(&o.Producers, "producers", verify.DefaultProducers, "producers (ids 0 to N-1)")
	fl.IntVar(&o.Consumers, "consumers", verify.DefaultConsumers, "consumers in the group (copiers with --commit txn)")
	fl.IntVar(&o.Partitions, "partitions", verify.DefaultPartitions, "partitions of the run's topics")
	fl.IntVar(&o.Size, "size", verify.DefaultSize, "value size in bytes")
	fl.Float64Var(&o.Rate, "rate", verify.DefaultRate, "values per second, all producers together (0: as fast as possible)")
	fl.DurationVar(&o.ProcessTime, "process-time", verify.DefaultProcessTime, "time each consumer spends processing a batch, jittered from half to 1.5 times it (0: none)")
	fl.IntVar(&o.TxnSize, "txn-size", verify.DefaultTxnSize, "values per copier transaction")
	fl.Float64Var(&o.AbortRate, "abort-rate", verify.DefaultAbortRate, "share of copier transactions aborted on purpose and copied again")
	fl.DurationVar(&o.ReplicaLag, "replica-lag", broker.DefaultReplicaLag, "built-in broker only: how far followers trail leaders (see kq broker --replica-lag; 0: no replication model)")
	fl.StringVar(&o.Faults, "faults", "", "faults to schedule (see kq chaos faults), or none (default: the semantics' own set)")
	fl.DurationVar(&o.FaultInterval, "fault-interval", chaos.DefaultInterval, "mean quiet time before each fault window")
	fl.DurationVar(&o.FaultDuration, "fault-duration", chaos.DefaultDuration, "length of each fault window")
	fl.IntVar(&o.MinWindows, "min-windows", verify.DefaultMinWindows, "full windows over traffic each named fault needs for a verdict (crash faults: crashes with work at risk); the run paces itself to give them")
	fl.Uint64Var(&o.Seed, "seed", 0, "seed of the fault schedule and the copiers' aborts (default: random; the report names it)")
	fl.StringArrayVar(&o.FaultExec, "fault-exec", nil, "command of the exec fault: start=CMD or end=CMD (repeatable)")
	fl.StringVar(&o.History, "history", "", "write the history (JSON lines) to FILE, for kq verify check")
	fl.StringVar(&o.Report, "report", "", reportFlagUsage)
	fl.BoolVar(&o.KeepTopics, "keep-topics", false, "keep the run's topics and groups")
	fl.DurationVar(&o.RequestTimeout, "request-timeout", verify.DefaultRequestTimeout, "how long a client waits for a broker's answer")
	fl.DurationVar(&o.DrainTimeout, "drain-timeout", verify.DefaultDrainTimeout, "how long to wait at the end for answers and for consumers to catch up")
}

// options turns the flags into verify options; only flags set on the
// command line override the preset.
func (o *VerifyOptions) options() (verify.Options, error) {
	opts := verify.Options{
		Semantics: check.Semantics(o.Semantics),
		Workload: verify.Workload{Messages: o.Messages, Duration: o.Duration, Producers: o.Producers, Consumers: o.Consumers,
			Partitions: o.Partitions, Size: o.Size, Rate: orNone(o.Rate), TxnSize: o.TxnSize, AbortRate: orNone(o.AbortRate),
			ProcessTime: time.Duration(orNone(float64(o.ProcessTime)))},
		Faults: o.Faults, FaultInterval: o.FaultInterval, FaultDuration: o.FaultDuration, Seed: o.Seed, MinWindows: o.MinWindows,
		KeepTopics: o.KeepTopics, RequestTimeout: o.RequestTimeout, DrainTimeout: o.DrainTimeout,
	}
	if o.ProcessTime < 0 {
		return opts, kqerr.Usagef("--process-time must not be negative, got %v", o.ProcessTime)
	}
	if o.FaultInterval <= 0 && o.changed("fault-interval") || o.FaultDuration <= 0 && o.changed("fault-duration") {
		return opts, kqerr.Usagef("--fault-interval and --fault-duration must be positive")
	}
	if err := o.overrides(&opts.Overrides); err != nil {
		return opts, err
	}
	return opts, o.faultExec(&opts)
}

// orNone maps a flag's 0 ("none") to the library's negative "none".
func orNone(v float64) float64 {
	if v == 0 {
		return -1
	}
	return v
}

func (o *VerifyOptions) overrides(ov *verify.Overrides) error {
	var err error
	if o.changed("acks") {
		a, e := parseFlag("acks", o.Acks, setting.ParseAcks)
		ov.Acks, err = &a, errors.Join(err, e)
	}
	if o.changed("commit") {
		m, e := parseFlag("commit", o.Commit, verify.ParseCommitMode)
		ov.Commit, err = &m, errors.Join(err, e)
	}
	if o.changed("isolation") {
		i, e := parseFlag("isolation", o.Isolation, setting.ParseIsolation)
		ov.Isolation, err = &i, errors.Join(err, e)
	}
	if o.changed("idempotent") {
		ov.Idempotent = &o.Idempotent
	}
	if o.changed("auto-commit") {
		ov.AutoCommit = &o.AutoCommit
	}
	if o.changed("retries") {
		ov.Retries = &o.Retries
	}
	if o.changed("max-in-flight") {
		ov.MaxInFlight = &o.MaxInFlight
	}
	return err
}

func (o *VerifyOptions) faultExec(opts *verify.Options) error {
	for _, spec := range o.FaultExec {
		phase, command, ok := strings.Cut(spec, "=")
		switch {
		case ok && phase == "start" && command != "":
			opts.ExecStart = command
		case ok && phase == "end" && command != "":
			opts.ExecEnd = command
		default:
			return kqerr.Usagef("--fault-exec %q: want start=COMMAND or end=COMMAND", spec)
		}
	}
	return nil
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
	rep, runErr := verify.Run(ctx, cf, opts, func(s verify.Snapshot) { progress.Show(progressLine(s)) })
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
	return s.Source("brokers") == "default", nil
}

// target returns the client factory of the cluster to verify: the one
// configured, or, when builtIn, a built-in cluster started for the run
// (stop closes it).
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
	b, cleanup, err := startVerifyBroker(opts.Faults, o.ReplicaLag)
	if err != nil {
		return conn.Factory{}, nil, err
	}
	fmt.Fprintf(o.f.IO.ErrOut, "kq verify: no brokers configured: built-in 3-node cluster at %s\n", b.Bootstrap())
	cf.Profile.Brokers = b.Addrs()
	opts.Broker = b
	return cf, cleanup, nil
}

// startVerifyBroker starts the built-in cluster on random 127.0.0.1 ports,
// with a data directory when the faults restart it.
func startVerifyBroker(faults string, lag time.Duration) (*broker.Broker, func(), error) {
	bo := broker.Options{Nodes: 3, Port: 0, ReplicaLag: lag}
	if fs, err := chaos.ParseFaults(faults); err == nil && hasKind(fs, chaos.RestartCluster) {
		dir, err := os.MkdirTemp("", "kq-verify-")
		if err != nil {
			return nil, nil, fmt.Errorf("data dir for the built-in broker: %w", err)
		}
		bo.DataDir = dir
	}
	b, err := broker.Start(bo)
	if err != nil {
		return nil, nil, err
	}
	return b, func() {
		b.Close()
		if bo.DataDir != "" {
			os.RemoveAll(bo.DataDir)
		}
	}, nil
}

func hasKind(faults []chaos.Fault, k chaos.Kind) bool {
	for _, f := range faults {
		if f.Kind == k {
			return true
		}
	}
	return false
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

// progressLine is the run's status line, for output.Progress.
func progressLine(s verify.Snapshot) string {
	line := fmt.Sprintf("verify %-8s %5.1fs  sent %d  acked %d  indeterminate %d  delivered %d",
		s.Phase, s.Elapsed.Seconds(), s.Sent, s.Acked, s.Indeterminate, s.Delivered)
	if s.Copied > 0 {
		line += fmt.Sprintf("  copied %d", s.Copied)
	}
	if s.Crashes > 0 {
		line += fmt.Sprintf("  crashes %d", s.Crashes)
	}
	if len(s.Faults) > 0 {
		line += "  faults: " + strings.Join(s.Faults, " ")
	}
	return line
}

// renderVerifyReport prints a run's report: JSON, or settings, counts,
// phases, fault windows and the verdict.
func renderVerifyReport(p *output.Printer, rep verify.Report) error {
	if p.Format == output.JSON {
		return p.JSON(rep)
	}
	if err := p.KV(settingsPairs(rep)); err != nil {
		return err
	}
	fmt.Fprintln(p.IO.Out)
	if err := renderRunCounts(p, rep); err != nil {
		return err
	}
	fmt.Fprintln(p.IO.Out)
	if err := renderPhases(p, rep.Phases); err != nil {
		return err
	}
	if len(rep.Faults.Events) > 0 {
		fmt.Fprintln(p.IO.Out)
		if err := renderTimeline(p, rep.Faults); err != nil {
			return err
		}
	}
	if err := renderExposure(p, rep.Evidence); err != nil {
		return err
	}
	fmt.Fprintln(p.IO.Out)
	renderVerdict(p, rep.Verdict, rep.Counts, partialReason(rep))
	for _, n := range rep.Notes {
		fmt.Fprintf(p.IO.Out, "%s %s\n", p.Warn("note:"), n)
	}
	return nil
}

// partialReason says why a run has no verdict, or "".
func partialReason(rep verify.Report) string {
	switch {
	case rep.Worker != nil && !rep.Partial():
		return workerNoVerdict(rep.Worker)
	case rep.Interrupted:
		return "the run was interrupted"
	case rep.Failed != "":
		return "run failed: " + rep.Failed
	}
	return ""
}

func settingsPairs(rep verify.Report) [][2]string {
	s, w := rep.Settings, rep.Settings.Workload
	client := fmt.Sprintf("acks=%s idempotent=%t retries=%d max-in-flight=%d commit=%s isolation=%s auto-commit=%t",
		s.Acks, s.Idempotent, s.Retries, s.MaxInFlight, s.Commit, s.Isolation, s.AutoCommit)
	if len(s.Overridden) > 0 {
		client += " (overridden: " + strings.Join(s.Overridden, ", ") + ")"
	}
	amount := strconv.FormatInt(w.Messages, 10) + " messages"
	if w.Duration > 0 {
		amount = "for " + w.Duration.String()
	}
	rate := "unlimited"
	if w.Rate > 0 {
		rate = rateText(w.Rate)
	}
	readers := fmt.Sprintf("%d consumers (process time %v a batch)", w.Consumers, w.ProcessTime)
	if s.Pipeline() {
		readers = fmt.Sprintf("%d copiers (txn-size %d, abort-rate %v)", w.Consumers, w.TxnSize, w.AbortRate)
	}
	faults := fmt.Sprintf("%s; a %v window about every %v; seed %d", s.Faults.Spec, s.Faults.Duration, s.Faults.Interval, s.Faults.Seed)
	return [][2]string{
		{"semantics", string(s.Semantics)},
		{"client", client},
		{"workload", fmt.Sprintf("%s, %d producers, %s, %d partitions, %d B values, %s", amount, w.Producers, readers, w.Partitions, w.Size, rate)},
		{"faults", faults},
		{"topics", strings.Join(rep.Topics, " -> ")},
		{"clients", clientsText(rep)},
		{"duration", rep.Duration.Round(time.Millisecond).String()},
	}
}

// rateText spells a rate in values per second: whole above 10/s (a paced
// rate is any fraction), to three figures below.
func rateText(rate float64) string {
	if rate >= 10 {
		return strconv.FormatFloat(math.Round(rate), 'f', 0, 64) + "/s"
	}
	return strconv.FormatFloat(rate, 'g', 3, 64) + "/s"
}

func clientsText(rep verify.Report) string {
	c := rep.Clients
	if !rep.Settings.Pipeline() {
		return fmt.Sprintf("crashes: %d", c.Crashes)
	}
	return fmt.Sprintf("crashes: %d, transactions: %d committed, %d aborted", c.Crashes, c.TxnCommits, c.TxnAborts)
}

func renderPhases(p *output.Printer, phases []verify.Phase) error {
	rows := make([][]string, 0, len(phases))
	for _, ph := range phases {
		rows = append(rows, []string{ph.Name, ph.Duration.Round(time.Millisecond).String(),
			strconv.FormatUint(ph.Records, 10), strconv.FormatFloat(ph.PerSecond(), 'f', 0, 64)})
	}
	return p.Table([]string{"phase", "duration", "records", "per sec"}, rows)
}

func renderTimeline(p *output.Printer, tl chaos.Timeline) error {
	rows := make([][]string, 0, len(tl.Events))
	for _, ev := range tl.Events {
		status := "ok"
		switch {
		case ev.Error != "":
			status = p.Bad("failed: " + ev.Error)
		case ev.HealError != "":
			status = p.Bad("heal failed: " + ev.HealError)
		case ev.Interrupted:
			status = "cut short"
		}
		rows = append(rows, []string{fmt.Sprintf("+%v..+%v", ev.PlannedStart, ev.PlannedEnd), ev.Fault, status})
	}
	return p.Table([]string{"fault window", "fault", "status"}, rows)
}
