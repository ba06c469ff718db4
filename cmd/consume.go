package cmd

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/consume"
	"github.com/kq-dev/kq/internal/escape"
	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/setting"
)

// ConsumeOptions are the options of `kq consume`.
type ConsumeOptions struct {
	f *Factory
	// changed reports whether a flag was set on the command line.
	changed func(string) bool
	// Topics are the topics to read.
	Topics []string
	// From, Until and Partitions are the unparsed --from, --until and
	// --partition values.
	From, Until, Partitions string
	// Exit stops at the end of each partition as measured at start.
	Exit bool
	// Count stops after this many records (0: no limit).
	Count int64
	// IdleTimeout stops after this long without records (0: never).
	IdleTimeout time.Duration
	// Group, Balance, Commit and NoCommit configure group mode.
	Group, Balance, Commit string
	NoCommit               bool
	// Isolation is read_committed or read_uncommitted.
	Isolation string
	// Format is the --format template; Null what it prints for nulls.
	Format, Null string
	// Output is text, json or raw.
	Output string
	// Delimiter and KeyDelimiter are kcat's -D and -K: the value followed
	// by Delimiter, the key and KeyDelimiter before it (escapes allowed).
	Delimiter, KeyDelimiter string
	// TopicFlags are topics given with -t, kcat's habit.
	TopicFlags []string
	// ExitOnError stops (exit 4) when the cluster cannot be reached,
	// instead of warning and waiting for it.
	ExitOnError bool
	// KeyMessage and ValueMessage name the Protobuf messages keys and
	// values are decoded as ("": as the wire format's message index says).
	KeyMessage, ValueMessage string
}

// NewCmdConsume returns `kq consume`.
func NewCmdConsume(f *Factory, runF func(*ConsumeOptions) error) *cobra.Command {
	opts := &ConsumeOptions{f: f}
	c := &cobra.Command{
		Use:   "consume TOPIC...",
		Short: "Read records from topics, alone or as a consumer group member",
		Long: `Reads records and prints each with a kcat-style --format template (default
the value and a newline), as kq's JSON records (-o json, one object per
line, which kq produce --input json reads back: key, value, headers,
partition and timestamp, nulls and binary data kept), or as raw values
(-o raw: value bytes only, nothing added). Output is buffered and flushed
whenever no record is waiting.

Format directives: ` + consume.FormatHelp + `.
A null key, value or header value prints as --null (default: nothing, as
kcat); %K and %S print -1 for it.
kcat's -D SEP and -K SEP print the value followed by SEP (default a
newline), with the key and SEP before it: -D '\0' writes what produce
-D '\0' reads back.

Start (--from): earliest, latest, OFFSET (clamped to the partition's range),
-N (N offsets before the end of each partition), +N (N after its start),
@TIMESTAMP (the first record at or after it: RFC 3339, a local date-time
or date such as 2026-11-28, or unix ms, as kq offsets --at and groups reset
--to-datetime take it) or @-DURATION (e.g. @-15m or @-PT1H). The end is the last stable offset under
read_committed (the default) and the high watermark under read_uncommitted.

Stop: -e at the end of each partition as it was at start (transaction
markers and aborted records do not keep it waiting), -c after N records,
--until OFFSET (exclusive) or @TIMESTAMP (the first record at or after it is
not printed; with no such record, the end as of that time or of now),
--idle-timeout after a quiet spell; otherwise on Ctrl-C. A
summary goes to stderr when it is a terminal, or with -v.

With -g the command joins the group as a member: partitions are assigned by
the group (--balance), it starts from the group's committed offsets (--from
earliest or latest where there are none), and it commits only what it
printed: after writing (--commit after, the default), or synchronously
before writing each batch (--commit before); --no-commit commits nothing.

When the cluster stops answering mid-run, kq warns on stderr every few
seconds and keeps trying, alone or in a group; --exit-on-error stops it
instead (exit 4). When the reader of its output goes away (| head), it
stops quietly; a group member commits what it wrote and leaves.`,
		Example: `  kq consume orders -e
  kq consume orders -f '%p:%o %k=%v\n' --from -10
  kq consume orders --from @2026-01-02T15:00:00Z --until @2026-01-02T16:00:00Z
  kq consume orders -g billing -e
  kq consume orders -o json -e | kq produce orders-copy --input json
  kq consume blobs -p 0 --from 42 -c 1 -o raw > blob.bin`,
		Args: usageArgs(cobra.ArbitraryArgs),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Topics = append(append([]string{}, args...), opts.TopicFlags...)
			if len(opts.Topics) == 0 {
				return kqerr.Usagef("consume needs a topic: kq consume TOPIC (or -t TOPIC)")
			}
			opts.changed = c.Flags().Changed
			if runF != nil {
				return runF(opts)
			}
			return consumeRun(c.Context(), opts)
		},
	}
	addConsumeFlags(c, opts)
	return c
}

func addConsumeFlags(c *cobra.Command, o *ConsumeOptions) {
	fl := c.Flags()
	fl.StringVar(&o.From, "from", "earliest", "start: earliest, latest, OFFSET, -N, +N, @TIMESTAMP or @-DURATION")
	fl.StringVarP(&o.Partitions, "partition", "p", "", "read only these partitions of every topic: N, N,M or N-M (not with --group)")
	fl.BoolVarP(&o.Exit, "exit", "e", false, "exit at the end of each partition as measured at start")
	fl.Int64VarP(&o.Count, "count", "c", 0, "exit after N records")
	fl.StringVar(&o.Until, "until", "", "stop each partition before OFFSET or at @TIMESTAMP / @-DURATION")
	fl.DurationVar(&o.IdleTimeout, "idle-timeout", 0, "exit after this long without a record")
	fl.StringVarP(&o.Group, "group", "g", "", "consume as a member of this consumer group")
	fl.StringVar(&o.Balance, "balance", string(consume.BalanceRange), "group assignment strategy: range, roundrobin or sticky")
	fl.StringVar(&o.Commit, "commit", string(setting.CommitAfter), "group commits: after (at-least-once) or before (at-most-once) printing")
	fl.BoolVar(&o.NoCommit, "no-commit", false, "never commit group offsets")
	fl.StringVar(&o.Isolation, "isolation", string(setting.ReadCommitted), "read_committed or read_uncommitted")
	fl.StringVarP(&o.Format, "format", "f", "", `record template for -o text, e.g. '%p:%o %k=%v\n' (default '%v\n')`)
	fl.StringVar(&o.Null, "null", "", "what %k, %v and %h print for a null (default: nothing)")
	fl.BoolVar(&o.ExitOnError, "exit-on-error", false, "stop with exit 4 when the cluster cannot be reached, instead of warning every few seconds and waiting")
	fl.StringVarP(&o.Output, "output", "o", "text", "output: text (the --format template; alias table), json or raw (values, byte-exact)")
	fl.StringVarP(&o.Delimiter, "delimiter", "D", "", `kcat's -D: print each value followed by SEP instead of a newline (escapes: `+escape.Help+`)`)
	fl.StringVarP(&o.KeyDelimiter, "key-delimiter", "K", "", "kcat's -K: print the key and SEP before each value")
	fl.StringArrayVarP(&o.TopicFlags, "topic", "t", nil, "topic to read, besides the positional ones (repeatable; kcat's -t)")
	fl.StringVar(&o.ValueMessage, "value-message", "", "with a Schema Registry: decode Protobuf values as this message (pkg.Msg), also when the writer put no message index")
	fl.StringVar(&o.KeyMessage, "key-message", "", "with a Schema Registry: decode Protobuf keys as this message (pkg.Msg)")
}

func consumeRun(ctx context.Context, o *ConsumeOptions) error {
	copts, err := o.runOptions(time.Now())
	if err != nil {
		return err
	}
	sink, err := o.sink()
	if err != nil {
		return err
	}
	if sink, err = o.schemaSink(ctx, sink); err != nil {
		return err
	}
	cf, err := o.f.Conn()
	if err != nil {
		return err
	}
	copts.OnUnreachable = func(err error) {
		o.f.Warnf("%s; still trying (--exit-on-error stops instead)", oneLine(cf.Unreachable(err)))
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if out, ok := o.f.IO.Out.(*os.File); ok {
		watchStdout(ctx, cancel, out)
	}
	stats, err := consume.Run(ctx, cf, copts, sink)
	if cause := context.Cause(ctx); kqerr.IsBrokenPipe(cause) {
		err = fmt.Errorf("consume: stdout: %w", cause)
	}
	if kqerr.IsBrokenPipe(err) {
		return err // quietly: the reader has gone
	}
	if stats.Stopped != "" && (o.f.IO.IsStderrTTY() || o.f.Verbose()) {
		o.f.Infof("%s", consumeSummary(stats))
	}
	return err
}

// runOptions checks the flags and turns them into consume options.
func (o *ConsumeOptions) runOptions(now time.Time) (consume.Options, error) {
	if err := o.checkCombinations(); err != nil {
		return consume.Options{}, err
	}
	co := consume.Options{Topics: o.Topics, Exit: o.Exit, Count: o.Count, IdleTimeout: o.IdleTimeout, Group: o.Group}
	var err error
	if co.From, err = consume.ParseOffsetSpec(o.From, now); err != nil {
		return co, fmt.Errorf("--from: %w", err)
	}
	if o.Until != "" {
		u, err := consume.ParseUntil(o.Until, now)
		if err != nil {
			return co, fmt.Errorf("--until: %w", err)
		}
		co.Until = &u
	}
	if o.Partitions != "" {
		if co.Partitions, err = consume.ParsePartitions(o.Partitions); err != nil {
			return co, fmt.Errorf("--partition: %w", err)
		}
	}
	if err := o.parseEnums(&co); err != nil {
		return co, err
	}
	if o.f.Verbose() {
		co.OnError = func(err error) { o.f.Warnf("%v", err) }
	}
	co.ExitOnError = o.ExitOnError
	return co, co.Validate()
}

func (o *ConsumeOptions) parseEnums(co *consume.Options) error {
	var err error
	if co.Isolation, err = parseFlag("isolation", o.Isolation, setting.ParseIsolation); err != nil {
		return err
	}
	if co.Balance, err = parseFlag("balance", o.Balance, consume.ParseBalance); err != nil {
		return err
	}
	if co.Commit, err = parseFlag("commit", o.Commit, consume.ParseCommitMode); err != nil {
		return err
	}
	if o.NoCommit {
		co.Commit = setting.CommitNone
	}
	return nil
}

// checkCombinations rejects flags that do not go together.
func (o *ConsumeOptions) checkCombinations() error {
	changed := o.changed
	if changed == nil {
		changed = func(string) bool { return false }
	}
	for _, fl := range []string{"balance", "commit", "no-commit"} {
		if changed(fl) && o.Group == "" {
			return kqerr.Usagef("--%s needs --group", fl)
		}
	}
	if changed("commit") && o.NoCommit {
		return kqerr.Usagef("--commit and --no-commit exclude each other")
	}
	if o.Count < 0 {
		return kqerr.Usagef("--count must not be negative, got %d", o.Count)
	}
	if o.IdleTimeout < 0 {
		return kqerr.Usagef("--idle-timeout must not be negative, got %v", o.IdleTimeout)
	}
	if o.Output != "text" && o.Output != "table" && (changed("format") || changed("null") || changed("delimiter") || changed("key-delimiter")) {
		return kqerr.Usagef("--format, --null, -D and -K apply to -o text, not -o %s", o.Output)
	}
	if changed("format") && (changed("delimiter") || changed("key-delimiter")) {
		return kqerr.Usagef("--format excludes -D and -K: put the delimiters in the format")
	}
	return nil
}

// sink builds the record writer for -o and --format.
func (o *ConsumeOptions) sink() (consume.Sink, error) {
	out := o.f.IO.Out
	switch o.Output {
	case "text", "table":
		format, err := o.format()
		if err != nil {
			return nil, err
		}
		t, err := consume.Compile(format, o.Null)
		if err != nil {
			return nil, fmt.Errorf("--format: %w", err)
		}
		return consume.NewTemplateSink(out, t), nil
	case "json":
		return consume.NewJSONSink(out), nil
	case "raw":
		return consume.NewRawSink(out), nil
	}
	return nil, kqerr.Usagef("unknown output format %q (want text, json or raw)%s", o.Output, fromHint(o.Output))
}

// format is the --format template, or the one -D and -K describe.
func (o *ConsumeOptions) format() (string, error) {
	if o.changed != nil && o.changed("format") {
		return o.Format, nil
	}
	if o.Delimiter == "" && o.KeyDelimiter == "" {
		return consume.DefaultFormat, nil
	}
	delim, keyDelim := []byte{'\n'}, []byte(nil)
	var err error
	if o.Delimiter != "" {
		if delim, err = escape.Separator("--delimiter", o.Delimiter); err != nil {
			return "", err
		}
	}
	if o.KeyDelimiter != "" {
		if keyDelim, err = escape.Separator("--key-delimiter", o.KeyDelimiter); err != nil {
			return "", err
		}
	}
	return consume.DelimitedFormat(keyDelim, delim), nil
}

// fromHint suggests --from to a kcat user who wrote kcat's -o OFFSET.
func fromHint(out string) string {
	const why = " (kq's -o is the output format)"
	if ts, ok := strings.CutPrefix(out, "s@"); ok {
		return "; did you mean --from @" + ts + "?" + why
	}
	if ts, ok := strings.CutPrefix(out, "e@"); ok {
		return "; did you mean --until @" + ts + "?" + why
	}
	if _, err := consume.ParseOffsetSpec(out, time.Now()); err == nil {
		return "; did you mean --from " + out + "?" + why
	}
	return ""
}

// consumeSummary is the closing line on stderr.
func consumeSummary(s consume.Stats) string {
	return fmt.Sprintf("consumed %d records (%d bytes) in %v, %.0f records/s (stopped: %s)",
		s.Records, s.Bytes, s.Elapsed.Round(time.Millisecond), s.RecordsPerSecond(), s.Stopped)
}
