// Package broker runs kq's built-in Kafka-compatible cluster.
//
// It wraps franz-go's kfake, an in-memory (optionally persisted) Kafka broker
// that speaks the real wire protocol, and adds what kq needs on top: binding
// to a chosen host and consecutive ports, SASL users, TLS, persistence across
// restarts, and fault hooks for the chaos engine (failing or delaying
// requests of one API, stopping and restarting nodes with their live
// connections cut, moving partition leaders and coordinators, restarting the
// whole cluster from its data directory).
//
// Every kfake import of kq lives in this package.
package broker

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// DefaultPort is the first port the built-in broker listens on by default.
const DefaultPort = 9092

// User is a SASL user the broker accepts, with both SCRAM-SHA-256/512 and
// PLAIN.
type User struct {
	// Name is the user name.
	Name string
	// Password is the user's password.
	Password string
}

// Options configures a cluster started with [Start].
type Options struct {
	// Nodes is the number of broker nodes; 0 means 3.
	Nodes int
	// Port is the first port; the other nodes use the ports after it.
	// 0 picks a free random port for every node.
	Port int
	// Host is the address to listen on; "" means 127.0.0.1.
	Host string
	// AdvertiseHost is the host put in metadata; "" means Host, or
	// 127.0.0.1 when Host is a wildcard address.
	AdvertiseHost string
	// DataDir persists the cluster's state across restarts; "" keeps it
	// in memory only. Every acknowledged write is in the operating
	// system's page cache before it is acknowledged, so it survives a
	// crash of the process (kill -9); transactions open at such a crash
	// are aborted when the cluster starts again, as Kafka's coordinator
	// does.
	DataDir string
	// ReplicaLag turns on the replication model (replication.go):
	// followers trail the leader by this much, consumers see only what
	// the in-sync replicas have, acks=all waits for them and a leader
	// change loses the unreplicated tail. 0 keeps one log that every
	// node shares.
	ReplicaLag time.Duration
	// Sync makes every write to DataDir reach the disk (fsync) before it
	// is acknowledged, so acknowledged writes also survive a power loss
	// or a crash of the machine. It costs produce throughput.
	Sync bool
	// Partitions is the partition count of auto-created topics; 0 means 3.
	Partitions int
	// SeedTopics are created at start (name to partition count). kfake
	// ignores them when persisted state is loaded from DataDir.
	SeedTopics map[string]int32
	// Users enables SASL (SCRAM-SHA-256, SCRAM-SHA-512 and PLAIN) with
	// these users; none means no authentication.
	Users []User
	// TokenValidator, when set, makes the broker accept SASL OAUTHBEARER
	// and checks each client's token with it (SASL is then required).
	TokenValidator TokenValidator
	// TLS, when set, makes every listener serve TLS.
	TLS *tls.Config
	// ClusterID is the cluster id reported in metadata; "" means "kq".
	ClusterID string
	// Log receives the broker's own log at LogLevel; nil discards it.
	Log io.Writer
	// Debug raises the log level from warnings to debug messages.
	Debug bool
}

// Broker is a running built-in cluster. Its methods are safe for concurrent
// use.
type Broker struct {
	opts Options

	mu      sync.Mutex
	c       *kfake.Cluster
	ports   map[int32]int // node id -> port
	conns   *connTracker
	stopped map[int32]bool
	closed  bool
	// txns is set once the cluster may hold transaction markers (see
	// markerConn).
	txns atomic.Bool
	// aborter aborts a crashed producer's open transaction when its
	// transactional id is initialised again.
	aborter txnAborter
	// ends corrects DescribeProducers after a WriteTxnMarkers.
	ends txnEnds
	// recovered is the number of partitions in which start-up aborted a
	// transaction left open by a crash; completed the number in which it
	// completed a decided commit.
	recovered, completed int
	// decisions logs transaction decisions in DataDir (txndecide.go).
	decisions *txnDecisions
	// guard checks every request frame before kfake sees it.
	guard guard
	// repl is the replication model; nil with Options.ReplicaLag 0.
	repl *replication
	// live is the number of nodes up.
	live atomic.Int32
	// view is what connections know of the nodes (nodes.go).
	view atomic.Pointer[nodeView]
	// electing holds the partitions electAway is moving.
	electing sync.Map
	// coords are the recently looked-up coordinator keys.
	coords coordKeys
	// gens are the groups' generations, for members awaiting an answer
	// (awaiting.go).
	gens groupGens
	// oauth accepts OAUTHBEARER for kfake (nil: not enabled).
	oauth *oauth
}

// Start starts a cluster and returns once every node listens.
func Start(opts Options) (*Broker, error) {
	if opts.Nodes == 0 {
		opts.Nodes = 3
	}
	if opts.Nodes < 1 {
		return nil, kqerr.SettingErrorf("broker: {nodes} must be at least 1, got %d", opts.Nodes)
	}
	if opts.Partitions == 0 {
		opts.Partitions = 3
	}
	for name := range opts.SeedTopics {
		if err := ValidTopicName(name); err != nil {
			return nil, fmt.Errorf("broker: seed topic: %w", err)
		}
	}
	if opts.Host == "" {
		opts.Host = "127.0.0.1"
	}
	if opts.AdvertiseHost == "" {
		opts.AdvertiseHost = advertiseFor(opts.Host)
	}
	b := &Broker{opts: opts, conns: newConnTracker(), stopped: map[int32]bool{}}
	b.guard.log = opts.Log
	b.txns.Store(opts.DataDir != "") // persisted state may hold markers
	b.aborter.b = b
	b.live.Store(int32(opts.Nodes))
	if opts.ReplicaLag > 0 {
		b.repl = newReplication(opts.ReplicaLag, func() int { return int(b.live.Load()) })
	}
	if opts.TokenValidator != nil {
		o, err := newOAuth(opts.TokenValidator)
		if err != nil {
			return nil, fmt.Errorf("broker: %w", err)
		}
		b.oauth = o
	}
	if opts.DataDir != "" {
		rec, err := b.recoverTxns()
		if err != nil {
			return nil, err
		}
		b.recovered, b.completed = rec.aborted, len(rec.committed)
		if b.decisions, err = newTxnDecisions(opts.DataDir, opts.Sync, opts.Log); err != nil {
			return nil, fmt.Errorf("broker: %w", err)
		}
	}
	ports := make([]int, opts.Nodes)
	if opts.Port != 0 {
		for i := range ports {
			ports[i] = opts.Port + i
		}
	}
	if err := b.open(ports); err != nil {
		return nil, err
	}
	return b, nil
}

func advertiseFor(host string) string {
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		return "127.0.0.1"
	}
	return host
}

// open starts kfake on the given ports (0 for random) and records the
// node-to-port map.
func (b *Broker) open(ports []int) error {
	c, err := kfake.NewCluster(b.kfakeOptions(ports, b.listen)...)
	if err != nil {
		return describeListenError(err)
	}
	b.c = c
	autoCreateOldMetadata(c)
	b.aborter.install(c)
	b.ends.install(c)
	if b.decisions != nil {
		b.decisions.install(c)
	}
	b.installReplication(c)
	b.installNodes(c)
	b.ports = map[int32]int{}
	for i, addr := range c.ListenAddrs() {
		_, p, _ := net.SplitHostPort(addr)
		b.ports[int32(i)], _ = strconv.Atoi(p)
	}
	b.publishViewLocked()
	return nil
}

func (b *Broker) kfakeOptions(ports []int, listen func(network, address string) (net.Listener, error)) []kfake.Opt {
	o := b.opts
	opts := []kfake.Opt{
		kfake.Ports(ports...),
		kfake.ListenFn(listen),
		kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(o.Partitions),
		kfake.ClusterID(clusterID(o.ClusterID)),
		kfake.GroupMinSessionTimeout(minSessionTimeout),
		kfake.BrokerConfigs(map[string]string{"log.segment.bytes": strconv.Itoa(segmentBytes)}),
	}
	for name, parts := range o.SeedTopics {
		opts = append(opts, kfake.SeedTopics(parts, name))
	}
	if o.DataDir != "" {
		opts = append(opts, kfake.DataDir(o.DataDir))
	}
	if b.oauth != nil {
		opts = append(opts, kfake.Superuser("PLAIN", oauthShadowUser, b.oauth.password))
		if len(o.Users) == 0 {
			opts = append(opts, kfake.EnableSASL())
		}
	}
	if o.Sync {
		opts = append(opts, kfake.SyncWrites())
	}
	if len(o.Users) > 0 {
		opts = append(opts, kfake.EnableSASL())
		for _, u := range o.Users {
			for _, m := range []string{"SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN"} {
				opts = append(opts, kfake.Superuser(m, u.Name, u.Password))
			}
		}
	}
	if o.Log != nil {
		level := kfake.LogLevelWarn
		if o.Debug {
			level = kfake.LogLevelDebug
		}
		opts = append(opts, kfake.WithLogger(kfake.BasicLogger(o.Log, level)))
	}
	return opts
}

// autoCreateOldMetadata makes Metadata requests older than v4 create
// unknown topics, as Kafka does: those versions have no
// AllowAutoTopicCreation field, which kfake reads as false (kafka-python
// sends v1).
func autoCreateOldMetadata(c *kfake.Cluster) {
	c.ControlKey(int16(kmsg.Metadata), func(req kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		if m, ok := req.(*kmsg.MetadataRequest); ok && m.Version < 4 {
			m.AllowAutoTopicCreation = true
		}
		return nil, nil, false
	})
}

func clusterID(id string) string {
	if id == "" {
		return "kq"
	}
	return id
}

// describeListenError turns "address already in use" into a message that
// names the port.
func describeListenError(err error) error {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "listen" {
		return fmt.Errorf("broker: cannot listen on %v: %w", opErr.Addr, opErr.Err)
	}
	return fmt.Errorf("broker: %w", err)
}

// Addrs returns the advertised host:port of every live node, in node order.
func (b *Broker) Addrs() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var addrs []string
	for _, id := range b.nodeIDsLocked() {
		if !b.stopped[id] {
			addrs = append(addrs, net.JoinHostPort(b.opts.AdvertiseHost, strconv.Itoa(b.ports[id])))
		}
	}
	return addrs
}

// RecoveredPartitions returns the number of partitions in which Start
// wrote an abort marker for a transaction that a crash had left open.
func (b *Broker) RecoveredPartitions() int { return b.recovered }

// CompletedPartitions returns the number of partitions in which Start
// wrote a commit marker for a transaction whose commit a crash had
// interrupted (its EndTxn was logged, not all its markers written).
func (b *Broker) CompletedPartitions() int { return b.completed }

// Bootstrap returns the comma-separated addresses of every live node, the
// value for --brokers or KQ_BROKERS.
func (b *Broker) Bootstrap() string { return strings.Join(b.Addrs(), ",") }

// NodeIDs returns the ids of all nodes, stopped ones included, in order.
func (b *Broker) NodeIDs() []int32 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.nodeIDsLocked()
}

func (b *Broker) nodeIDsLocked() []int32 {
	ids := make([]int32, 0, len(b.ports))
	for i := int32(0); int(i) < len(b.ports); i++ {
		ids = append(ids, i)
	}
	return ids
}

// Close stops the cluster, persisting its state when it has a DataDir, and
// cuts every client connection. Closing twice is a no-op.
func (b *Broker) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	b.c.Close()
	b.conns.cutAll()
	if b.decisions != nil {
		b.decisions.close()
	}
	return nil
}

// cluster returns the current kfake cluster (it changes on RestartCluster).
func (b *Broker) cluster() *kfake.Cluster {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.c
}
