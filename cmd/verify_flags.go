package cmd

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/chaos"
	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/setting"
	"github.com/kq-dev/kq/topics"
	"github.com/kq-dev/kq/verify"
	"github.com/kq-dev/kq/verify/check"
)

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
	fl.IntVar(&o.Consumers, "consumers", 0, fmt.Sprintf("consumers in the group (default %d), or copiers with --commit txn (default: one per partition, at most %d, divided among the workers)", verify.DefaultConsumers, verify.MaxDefaultCopiers))
	fl.IntVar(&o.Partitions, "partitions", verify.DefaultPartitions, "partitions of the run's topics")
	fl.StringArrayVar(&o.TopicConfig, "topic-config", nil, "config KEY=VALUE of the run's topics, as kq topics create --config (repeatable), e.g. min.insync.replicas=2")
	fl.IntVar(&o.Size, "size", verify.DefaultSize, "value size in bytes")
	fl.Float64Var(&o.Rate, "rate", verify.DefaultRate, "values per second, all producers together (0: as fast as possible)")
	fl.DurationVar(&o.ProcessTime, "process-time", verify.DefaultProcessTime, "time each consumer spends processing a batch, jittered from half to 1.5 times it (0: none)")
	fl.IntVar(&o.TxnSize, "txn-size", verify.DefaultTxnSize, "values per copier transaction (a copier behind the producers takes up to 10 times as many while records wait)")
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
	faults, err := verify.ParseFaultChoice(o.Faults)
	if err != nil {
		return verify.Options{}, err
	}
	opts := verify.Options{RunSettings: verify.RunSettings{
		Semantics: check.Semantics(o.Semantics),
		Workload: verify.Workload{Messages: o.Messages, Duration: o.Duration, Producers: o.Producers, Consumers: o.Consumers,
			Partitions: o.Partitions, Size: o.Size, Rate: orNone(o.Rate), TxnSize: o.TxnSize, AbortRate: orNone(o.AbortRate),
			ProcessTime: time.Duration(orNone(float64(o.ProcessTime)))},
		Faults: faults, FaultInterval: o.FaultInterval, FaultDuration: o.FaultDuration, Seed: o.Seed, MinWindows: o.MinWindows,
		RequestTimeout: o.RequestTimeout, DrainTimeout: o.DrainTimeout,
	}, KeepTopics: o.KeepTopics}
	if o.ProcessTime < 0 {
		return opts, kqerr.Usagef("--process-time must not be negative, got %v", o.ProcessTime)
	}
	if o.ReplicaLag < 0 {
		return opts, kqerr.Usagef("--replica-lag must not be negative, got %v", o.ReplicaLag)
	}
	if o.FaultInterval <= 0 && o.changed("fault-interval") || o.FaultDuration <= 0 && o.changed("fault-duration") {
		return opts, kqerr.Usagef("--fault-interval and --fault-duration must be positive")
	}
	if err := o.overrides(&opts.Overrides); err != nil {
		return opts, err
	}
	cfg, err := topics.ParseConfigs(o.TopicConfig)
	if err != nil {
		return opts, fmt.Errorf("--topic-config: %w", err)
	}
	if len(cfg) > 0 {
		opts.Workload.TopicConfig = cfg
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
