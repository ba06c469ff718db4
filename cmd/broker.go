package cmd

import (
	"context"
	"crypto/tls"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/kqerr"
)

// BrokerOptions are the options of `kq broker`.
type BrokerOptions struct {
	f *Factory
	// Nodes is the number of broker nodes.
	Nodes int
	// Port is the first port (0: random ports).
	Port int
	// Host is the listen address.
	Host string
	// DataDir persists the cluster.
	DataDir string
	// Sync fsyncs every write to DataDir before acknowledging it.
	Sync bool
	// ReplicaLag is how far followers trail the leader (0: no
	// replication model).
	ReplicaLag time.Duration
	// Partitions is the partition count of auto-created topics.
	Partitions int
	// SeedTopics are name:partitions specs.
	SeedTopics []string
	// Users are user:password specs.
	Users []string
	// UsersFile holds more user:password lines.
	UsersFile string
	// TLSCert and TLSKey make the brokers serve TLS.
	TLSCert, TLSKey string
	// Log prints the broker's own warnings (debug with -v) to stderr.
	Log bool
	// OAuthTokens are the OAUTHBEARER tokens the broker accepts.
	OAuthTokens []string
	// SchemaRegistry is the listen address of the Schema Registry API
	// ("": none).
	SchemaRegistry string
}

// NewCmdBroker returns `kq broker`.
func NewCmdBroker(f *Factory, runF func(*BrokerOptions) error) *cobra.Command {
	opts := &BrokerOptions{f: f}
	c := &cobra.Command{
		Use:   "broker",
		Short: "Run a local Kafka-compatible cluster (franz-go's kfake): no JVM, no Docker",
		Long: `Runs a Kafka-compatible cluster in this process until SIGINT or SIGTERM.
It prints one line "ready: <bootstrap addresses>" on stdout once every node
listens; everything else goes to stderr. Topics are created on first use.
With --data-dir the cluster's data survives restarts: every acknowledged
write survives kill -9 of this process, and transactions open at such a
crash are aborted at the next start, as Kafka does; add --sync to survive a
power loss too (every write is fsynced before it is acknowledged).
Replication is modelled as clients see it (--replica-lag, default 20ms):
followers trail the leader, consumers read only up to the high watermark
of the in-sync replicas, acks=all waits for them (NOT_ENOUGH_REPLICAS below
a topic's min.insync.replicas), and a leader change loses the writes the
followers did not have yet.`,
		Example: `  kq broker                                    # 3 nodes on 127.0.0.1:9092-9094
  kq broker --nodes 1 --port 0                 # one node on a random port
  kq broker --data-dir ./kafka-data --seed-topic orders:6
  kq broker --data-dir ./kafka-data --sync     # fsync before every acknowledgement
  kq broker --replica-lag 0                    # no replication model: one log, nothing lost on failover
  kq broker --sasl-user alice:s3cret --tls-cert srv.pem --tls-key srv-key.pem
  KQ_BROKER_SASL_USERS=alice:s3cret kq broker  # or --sasl-users-file users.txt: no password in ps`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return brokerRun(c.Context(), opts)
		},
	}
	fl := c.Flags()
	fl.IntVar(&opts.Nodes, "nodes", 3, "number of broker nodes")
	fl.IntVar(&opts.Port, "port", broker.DefaultPort, "first port; the other nodes take the next ones (0: random ports)")
	fl.StringVar(&opts.Host, "listen-host", "127.0.0.1", "address to listen on")
	fl.StringVar(&opts.DataDir, "data-dir", "", "directory to persist data in (default: memory only)")
	fl.DurationVar(&opts.ReplicaLag, "replica-lag", broker.DefaultReplicaLag, "how far followers trail leaders: consumers see only replicated writes, acks=all waits for them, a leader change loses the rest (0: one shared log, nothing is ever lost)")
	fl.BoolVar(&opts.Sync, "sync", false, "with --data-dir: fsync every write before acknowledging it (survives power loss; slower)")
	fl.IntVar(&opts.Partitions, "partitions", 3, "partitions of auto-created topics")
	fl.StringArrayVar(&opts.SeedTopics, "seed-topic", nil, "topic to create at start, as name:partitions (repeatable)")
	fl.StringArrayVar(&opts.Users, "sasl-user", nil, "require SASL (SCRAM-SHA-256/512, PLAIN) and accept user:password (repeatable; visible in ps: prefer --sasl-users-file or KQ_BROKER_SASL_USERS)")
	fl.StringVar(&opts.UsersFile, "sasl-users-file", "", "require SASL and accept the user:password lines of this file")
	fl.StringVar(&opts.TLSCert, "tls-cert", "", "serve TLS with this PEM certificate")
	fl.StringVar(&opts.TLSKey, "tls-key", "", "PEM key of --tls-cert")
	fl.BoolVar(&opts.Log, "log", false, "print the broker's warnings to stderr (with -v: debug log)")
	addBrokerSchemaFlags(c, opts)
	addBrokerOAuthFlags(c, opts)
	separateClientFlags(c)
	return c
}

// separateClientFlags makes the broker's help tell its own flags from the
// client flags every kq command inherits, which the broker does not use
// (except -v): --sasl-user and --tls-cert here configure the server.
func separateClientFlags(c *cobra.Command) {
	t := c.UsageTemplate()
	t = strings.Replace(t, "\nFlags:\n", "\nBroker flags:\n", 1)
	t = strings.Replace(t, "\nGlobal Flags:\n", "\nClient flags (for the other kq commands; kq broker uses only -v):\n", 1)
	c.SetUsageTemplate(t)
}

func brokerRun(ctx context.Context, opts *BrokerOptions) error {
	bo, err := opts.brokerOptions()
	if err != nil {
		return err
	}
	b, err := broker.Start(bo)
	if err != nil {
		return err
	}
	io := opts.f.IO
	where := "in memory"
	if bo.DataDir != "" {
		where = "data in " + bo.DataDir
	}
	fmt.Fprintf(io.ErrOut, "kq broker: %d nodes (%s); Ctrl-C stops it\n", bo.Nodes, where)
	if n := b.RecoveredPartitions(); n > 0 {
		fmt.Fprintf(io.ErrOut, "kq broker: aborted the transactions a crash left open, in %d partitions\n", n)
	}
	if n := b.CompletedPartitions(); n > 0 {
		fmt.Fprintf(io.ErrOut, "kq broker: completed the commits a crash interrupted, in %d partitions\n", n)
	}
	for i, a := range b.Addrs() {
		fmt.Fprintf(io.ErrOut, "  node %d  %s\n", i, a)
	}
	stopRegistry, err := opts.startSchemaRegistry()
	if err != nil {
		b.Close()
		return err
	}
	defer stopRegistry()
	fmt.Fprintf(io.Out, "ready: %s\n", b.Bootstrap())
	<-ctx.Done()
	fmt.Fprintln(io.ErrOut, "kq broker: stopping")
	return b.Close()
}

func (o *BrokerOptions) brokerOptions() (broker.Options, error) {
	bo := broker.Options{Nodes: o.Nodes, Port: o.Port, Host: o.Host, DataDir: o.DataDir, Sync: o.Sync, Partitions: o.Partitions, ReplicaLag: o.ReplicaLag}
	if o.ReplicaLag < 0 {
		return bo, kqerr.Usagef("--replica-lag must not be negative, got %v", o.ReplicaLag)
	}
	if o.Sync && o.DataDir == "" {
		return bo, kqerr.Usagef("--sync needs --data-dir")
	}
	if o.Nodes < 1 || o.Nodes > 64 {
		return bo, kqerr.Usagef("--nodes must be between 1 and 64, got %d", o.Nodes)
	}
	if o.Port < 0 || o.Port+o.Nodes-1 > 65535 {
		return bo, kqerr.Usagef("--port %d leaves no room for %d nodes", o.Port, o.Nodes)
	}
	if o.Partitions < 1 {
		return bo, kqerr.Usagef("--partitions must be at least 1")
	}
	seeds, err := parseSeedTopics(o.SeedTopics)
	if err != nil {
		return bo, err
	}
	bo.SeedTopics = seeds
	if bo.Users, err = o.brokerUsers(); err != nil {
		return bo, err
	}
	if err := o.applyOAuth(&bo); err != nil {
		return bo, err
	}
	if (o.TLSCert == "") != (o.TLSKey == "") {
		return bo, kqerr.Usagef("--tls-cert and --tls-key go together")
	}
	if o.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(o.TLSCert, o.TLSKey)
		if err != nil {
			return bo, kqerr.Usagef("load --tls-cert/--tls-key: %v", err)
		}
		bo.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	if o.Log {
		bo.Log, bo.Debug = o.f.IO.ErrOut, o.f.Verbose()
	}
	return bo, nil
}

func parseSeedTopics(specs []string) (map[string]int32, error) {
	out := map[string]int32{}
	for _, s := range specs {
		name, parts, found := strings.Cut(s, ":")
		n := int64(3)
		if found {
			var err error
			n, err = strconv.ParseInt(parts, 10, 32)
			if err != nil || n < 1 {
				return nil, kqerr.Usagef("--seed-topic %q: want name:partitions with partitions >= 1", s)
			}
		}
		if name == "" {
			return nil, kqerr.Usagef("--seed-topic %q: empty topic name", s)
		}
		out[name] = int32(n)
	}
	return out, nil
}
