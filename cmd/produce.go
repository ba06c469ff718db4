package cmd

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/output"
	"github.com/kq-dev/kq/internal/setting"
	"github.com/kq-dev/kq/produce"
)

// ProduceOptions are the options of `kq produce`.
type ProduceOptions struct {
	f *Factory
	// changed reports whether a flag was set on the command line.
	changed func(string) bool

	// Topic is the topic to write to.
	Topic string
	// TopicFlag is the topic given with -t (kcat's habit).
	TopicFlag string
	// Files are input files ("-" is standard input); none means stdin.
	Files []string
	// Input is the input format: text or json.
	Input string
	// Delimiter separates text records (escapes allowed; "": newline).
	Delimiter string
	// KeyDelimiter splits text records into key and value.
	KeyDelimiter string
	// StripCR drops a '\r' at the end of each text record.
	StripCR bool
	// Empty is what an empty text record becomes: keep, skip or null.
	Empty string
	// Key is a fixed key for every record.
	Key string
	// KeySet tells an empty --key from none.
	KeySet bool
	// Headers are k=v pairs added to every record.
	Headers []string
	// Partition is the partition of every record (-1: the partitioner's
	// choice).
	Partition int32
	// Tombstone makes values null.
	Tombstone bool
	// ValueFile is the file whose bytes are one record's value.
	ValueFile string
	// Gen is the number of records to generate (0: read input).
	Gen int64
	// Size is the value size of generated records.
	Size int
	// Seq makes generated values kq verify sequence values.
	Seq bool
	// SeqID is the producer id in sequence values.
	SeqID uint32
	// Rate limits records per second ("" or "0": unlimited).
	Rate string
	// Acks is 0, 1 or all.
	Acks string
	// Compression is none, gzip, snappy, lz4 or zstd.
	Compression string
	// Partitioner is murmur2, hash, random or roundrobin.
	Partitioner string
	// Idempotent turns the idempotent producer on.
	Idempotent bool
	// TransactionalID makes the producer transactional.
	TransactionalID string
	// TxnSize is the number of records per transaction (0: all).
	TxnSize int
	// Linger is how long a batch waits for more records.
	Linger time.Duration
	// BatchBytes is the largest batch per partition.
	BatchBytes int
	// MaxMessageBytes is the largest record.
	MaxMessageBytes int
	// Retries, RetryBackoff and MaxInFlight are produce.Settings'.
	Retries      int
	RetryBackoff time.Duration
	MaxInFlight  int
	// Create creates a missing topic.
	Create bool
	// CreatePartitions and CreateReplication shape a topic --create makes
	// (0: the broker's defaults).
	CreatePartitions, CreateReplication int
	// SkipBad skips bad records instead of stopping.
	SkipBad bool
	// FlushTimeout bounds the final wait for answers.
	FlushTimeout time.Duration
	// Report prints every acked record's partition and offset.
	Report bool
	// Output is table (text) or json.
	Output string
	// ValueSchema and KeySchema encode JSON input to the Confluent wire
	// format: SUBJECT, ID or FILE.
	ValueSchema, KeySchema string
	// ValueMessage and KeyMessage pick the Protobuf message to encode
	// ("": the schema's first).
	ValueMessage, KeyMessage string
}

// NewCmdProduce returns `kq produce`.
func NewCmdProduce(f *Factory, runF func(*ProduceOptions) error) *cobra.Command {
	opts := &ProduceOptions{f: f}
	c := &cobra.Command{
		Use:   "produce TOPIC",
		Short: "Write records to a topic from stdin, files, a binary file or a generator",
		Long: `Writes one record per input line (or per --delimiter), kq's JSON records
(--input json, as written by kq consume -o json), one binary value
(--value-file) or generated records (--gen). At the end, or on Ctrl-C, what
was read is flushed and a summary goes to stderr: sent, acked, failed,
records/s, MB/s and ack latency. Failed records are listed on stderr (exit
1); a bad input record stops the input (exit 2) unless --skip-bad. The
topic must exist unless --create is given.`,
		Example: `  kq produce orders < events.txt
  kq produce orders -K : -H source=import --report < keyed.txt
  kq consume orders -o json -e | kq produce orders-copy --input json
  kq produce blobs --key img-1 --value-file photo.jpg
  kq produce users --key user-42 --tombstone
  kq produce load --create --gen 1000000 --size 100 --rate 50000 --seq
  kq produce payments --transactional-id tx-1 --txn-size 1000 -f batch.txt`,
		Args: usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			topic, err := oneTopic("produce", args, opts.TopicFlag)
			if err != nil {
				return err
			}
			opts.Topic = topic
			opts.changed = c.Flags().Changed
			opts.KeySet = c.Flags().Changed("key")
			if !c.Flags().Changed("seq-id") {
				opts.SeqID = rand.Uint32()
			}
			if runF != nil {
				return runF(opts)
			}
			return produceRun(c.Context(), opts)
		},
	}
	addProduceFlags(c, opts)
	return c
}

func addProduceFlags(c *cobra.Command, o *ProduceOptions) {
	d := produce.DefaultSettings()
	fl := c.Flags()
	fl.StringArrayVarP(&o.Files, "file", "f", nil, `read records from FILE ("-": stdin; repeatable)`)
	fl.StringVarP(&o.TopicFlag, "topic", "t", "", "the topic, instead of the positional TOPIC (kcat's -t)")
	fl.StringVar(&o.Input, "input", "text", "input format: text (one record per line) or json (kq's JSON records)")
	fl.StringVarP(&o.Delimiter, "delimiter", "D", "", `record separator for text input, default a newline (escapes: \n \r \t \0 \\ \xHH)`)
	fl.StringVarP(&o.KeyDelimiter, "key-delimiter", "K", "", "split each text record into key and value at the first SEP")
	fl.BoolVar(&o.StripCR, "strip-cr", false, "drop a carriage return at the end of each text record (CRLF files)")
	fl.StringVar(&o.Empty, "empty", string(produce.EmptyKeep), "empty text records: keep (an empty value), skip, or null (a null value)")
	fl.StringVar(&o.Key, "key", "", "fixed key for every record")
	fl.StringArrayVarP(&o.Headers, "header", "H", nil, "header k=v for every record (repeatable)")
	fl.Int32VarP(&o.Partition, "partition", "p", -1, "write every record to this partition (-1: the partitioner chooses)")
	fl.BoolVar(&o.Tombstone, "tombstone", false, "null values: each input record is a key (with --key: one tombstone, no input)")
	fl.StringVar(&o.ValueFile, "value-file", "", "produce one record whose value is this file's bytes")
	fl.Int64Var(&o.Gen, "gen", 0, "generate N records instead of reading input")
	fl.IntVar(&o.Size, "size", 100, "value size of generated records in bytes")
	fl.BoolVar(&o.Seq, "seq", false, "generated values carry a producer id and sequence number that kq verify checks")
	fl.Uint32Var(&o.SeqID, "seq-id", 0, "producer id in --seq values (default: random, shown in the summary)")
	fl.StringVar(&o.Rate, "rate", "", "at most R records per second (R or R/s)")
	fl.StringVar(&o.Acks, "acks", "all", "acknowledgements to wait for: 0, 1 or all")
	fl.BoolVar(&o.Idempotent, "idempotent", false, "idempotent producer (no duplicates from retries; needs --acks all)")
	fl.StringVar(&o.TransactionalID, "transactional-id", "", "produce in transactions with this id (aborted on any error)")
	fl.IntVar(&o.TxnSize, "txn-size", 0, "records per transaction (default: the whole input in one)")
	fl.StringVar(&o.Compression, "compression", "none", "batch compression: none, gzip, snappy, lz4 or zstd")
	fl.DurationVar(&o.Linger, "linger", d.Linger, "how long a batch waits for more records")
	fl.IntVar(&o.BatchBytes, "batch-bytes", d.BatchBytes, "largest batch per partition in bytes")
	fl.IntVar(&o.MaxMessageBytes, "max-message-bytes", d.MaxMessageBytes, "largest record (key, value and headers) in bytes")
	fl.IntVar(&o.Retries, "retries", d.Retries, "how often a batch is sent again after an error a retry may cure, within the 30s delivery timeout (0: once)")
	fl.DurationVar(&o.RetryBackoff, "retry-backoff", d.RetryBackoff, "pause before a batch is sent again")
	fl.IntVar(&o.MaxInFlight, "max-in-flight", d.MaxInFlight, "produce requests in flight per broker (above 1, a retried batch may land behind a later one unless --idempotent)")
	fl.StringVar(&o.Partitioner, "partitioner", string(d.Partitioner), "murmur2 (Java's and franz-go's default), consistent_random (librdkafka's and kcat's default), crc32 (librdkafka's consistent), hash (sarama's), random or roundrobin")
	fl.BoolVar(&o.Create, "create", false, "create the topic if it does not exist (--partitions, --replication-factor; default the broker's)")
	fl.IntVar(&o.CreatePartitions, "partitions", 0, "partitions of a topic --create makes (default: the broker's)")
	fl.IntVar(&o.CreateReplication, "replication-factor", 0, "replication factor of a topic --create makes (default: the broker's)")
	fl.BoolVar(&o.SkipBad, "skip-bad", false, "skip bad input records (listed on stderr) instead of stopping")
	fl.DurationVar(&o.FlushTimeout, "flush-timeout", produce.DefaultFlushTimeout, "how long to wait for outstanding acks at the end or on Ctrl-C")
	fl.BoolVar(&o.Report, "report", false, "print the partition and offset of every acked record on stdout")
	fl.StringVarP(&o.Output, "output", "o", "table", "report format: table (text) or json (without --report: the summary as JSON)")
	addProduceSchemaFlags(c, o)
}

func produceRun(ctx context.Context, o *ProduceOptions) error {
	p, err := o.f.Printer(o.Output)
	if err != nil {
		return err
	}
	popts, err := o.runOptions()
	if err != nil {
		return err
	}
	defer tuneProduceGC(popts.Settings, o.f.LookupEnv)()
	src, closeInputs, err := o.source(popts.Settings.MaxMessageBytes)
	if err != nil {
		return err
	}
	defer closeInputs()
	if src, err = o.schemaSource(ctx, src); err != nil {
		return err
	}
	cf, err := o.f.Conn()
	if err != nil {
		return err
	}
	rep := newProduceReporter(o.f.IO, p.Format == output.JSON, o.Report)
	res, err := produce.Run(ctx, cf, popts, src, rep)
	if ferr := rep.flush(); ferr != nil && err == nil {
		err = ferr
	}
	if res.Topic == "" { // nothing was produced: no summary
		return err
	}
	return o.finish(p, res, err)
}

// finish prints the summary (and the JSON result) after a run that
// started, and returns the run's error.
func (o *ProduceOptions) finish(p *output.Printer, res produce.Result, err error) error {
	o.printSummary(res)
	if p.Format == output.JSON && !o.Report {
		if jerr := p.JSON(res); jerr != nil && err == nil {
			err = jerr
		}
	}
	if errors.Is(err, kqerr.ErrUsage) {
		err = withoutUsage(err) // bad input data: the usage would not help
	}
	return err
}

// runOptions turns the flags into produce options.
func (o *ProduceOptions) runOptions() (produce.Options, error) {
	s := produce.DefaultSettings()
	var err error
	if s.Acks, err = parseFlag("acks", o.Acks, setting.ParseAcks); err != nil {
		return produce.Options{}, err
	}
	if s.Compression, err = parseFlag("compression", o.Compression, produce.ParseCompression); err != nil {
		return produce.Options{}, err
	}
	if s.Partitioner, err = produce.ParsePartitioner(o.Partitioner); err != nil {
		return produce.Options{}, err
	}
	s.Idempotent, s.TransactionalID, s.TxnSize = o.Idempotent, o.TransactionalID, o.TxnSize
	s.Linger, s.BatchBytes, s.MaxMessageBytes = o.Linger, o.BatchBytes, o.MaxMessageBytes
	s.Retries, s.RetryBackoff, s.MaxInFlight = o.Retries, o.RetryBackoff, o.MaxInFlight
	rate, err := parseRate(o.Rate)
	if err != nil {
		return produce.Options{}, err
	}
	if (o.CreatePartitions != 0 || o.CreateReplication != 0) && !o.Create {
		return produce.Options{}, kqerr.Usagef("--partitions and --replication-factor shape the topic --create makes: add --create")
	}
	if o.CreatePartitions < 0 || o.CreatePartitions > 1<<20 || o.CreateReplication < 0 || o.CreateReplication > 1<<10 {
		return produce.Options{}, kqerr.Usagef("bad --partitions %d or --replication-factor %d: want positive numbers", o.CreatePartitions, o.CreateReplication)
	}
	po := produce.Options{Topic: o.Topic, Create: o.Create, CreatePartitions: int32(o.CreatePartitions), CreateReplication: int16(o.CreateReplication),
		Settings: s, SkipBad: o.SkipBad, Rate: rate, FlushTimeout: o.FlushTimeout}
	return po, po.Validate()
}

// oneTopic returns the one topic of a command that takes it as its
// argument or as -t, kcat's habit.
func oneTopic(command string, args []string, flag string) (string, error) {
	switch {
	case len(args) == 1 && flag != "" && flag != args[0]:
		return "", kqerr.Usagef("two topics, %q and -t %q: give one", args[0], flag)
	case len(args) == 1:
		return args[0], nil
	case flag != "":
		return flag, nil
	}
	return "", kqerr.Usagef("%s needs a topic: kq %s TOPIC (or -t TOPIC)", command, command)
}

// parseRate parses --rate: "R" or "R/s" records per second.
func parseRate(s string) (float64, error) {
	if s == "" {
		return 0, nil
	}
	v, err := strconv.ParseFloat(strings.TrimSuffix(s, "/s"), 64)
	if err != nil || v < 0 {
		return 0, kqerr.Usagef("--rate %q: want records per second, as 1000 or 1000/s", s)
	}
	return v, nil
}
