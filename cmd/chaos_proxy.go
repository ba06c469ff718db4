package cmd

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/chaos"
	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/kqerr"
)

// defaultChaosListen is where `kq chaos proxy` listens by default: the
// bootstrap port, the brokers on the ports after it.
const defaultChaosListen = "127.0.0.1:19092"

// ChaosProxyOptions are the options of `kq chaos proxy`.
type ChaosProxyOptions struct {
	f *Factory
	// Upstream are the cluster's bootstrap brokers, comma-separated; ""
	// means the connection's brokers (-b, KQ_BROKERS, profile).
	Upstream string
	// Listen is host:port of the bootstrap port; port 0 makes every port
	// random.
	Listen string
	// AdvertiseHost is the host written into rewritten responses.
	AdvertiseHost string
	// Faults are the faults to apply, in the --faults spelling.
	Faults string
	// Schedule applies Faults in windows of FaultDuration every
	// FaultInterval (on average) instead of for good.
	Schedule bool
	// FaultInterval and FaultDuration shape the schedule's windows.
	FaultInterval, FaultDuration time.Duration
	// Seed seeds the schedule and the fault probabilities; 0 picks one.
	Seed uint64
	// Control is the loopback host:port of the control endpoint.
	Control string
}

// NewCmdChaosProxy returns `kq chaos proxy`.
func NewCmdChaosProxy(f *Factory, runF func(*ChaosProxyOptions) error) *cobra.Command {
	opts := &ChaosProxyOptions{f: f}
	c := &cobra.Command{
		Use:   "proxy",
		Short: "Run a fault-injecting Kafka proxy in front of a cluster",
		Long: `Runs a Kafka proxy until SIGINT or SIGTERM, then heals every fault and exits 0.

Clients bootstrap from the --listen address; each upstream broker gets its
own proxy port (the ports after the bootstrap port, or random ones with
port 0), opened when a response first names the broker. Broker addresses in
Metadata, FindCoordinator and DescribeCluster responses are rewritten to the
proxy's, so clients reach the cluster only through the proxy. The proxy
asks the cluster for its brokers at start, so the port map is known early.

Stdout gets two lines, "control: <address>" and then "ready: <bootstrap>";
everything else goes to stderr: the port map, the faults set, and a line as
each scheduled fault window opens and closes.

--faults without --fault-interval or --fault-duration sets the faults for
the whole run; with either, a schedule applies one of them at a time, in
windows of --fault-duration separated by gaps of about --fault-interval,
reproducibly from --seed. Only network faults apply here (kq chaos faults).
While the proxy runs, kq chaos set, clear and list change its faults
through the control endpoint (--control; loopback only, no authentication).

Caveat: over TLS the frames are opaque, so addresses cannot be rewritten;
use the proxy with plaintext (optionally SASL) listeners.

` + chaosSpelling,
		Example: `  kq chaos proxy --upstream kafka-1:9092,kafka-2:9092    # bootstrap 127.0.0.1:19092
  kq chaos proxy --faults latency,api=fetch,delay=200ms
  kq chaos proxy --faults drop-response,p=0.5,partition --fault-interval 10s --fault-duration 5s --seed 7
  kq chaos proxy --listen 127.0.0.1:0 --control 127.0.0.1:0 > proxy.out   # random ports`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Schedule = c.Flags().Changed("fault-interval") || c.Flags().Changed("fault-duration")
			if runF != nil {
				return runF(opts)
			}
			return chaosProxyRun(c.Context(), opts)
		},
	}
	fl := c.Flags()
	fl.StringVar(&opts.Upstream, "upstream", "", "the cluster's bootstrap brokers, comma-separated host:port (default: the connection's brokers, -b or KQ_BROKERS)")
	fl.StringVar(&opts.Listen, "listen", defaultChaosListen, "bootstrap host:port; brokers get the next ports (port 0: random ports)")
	fl.StringVar(&opts.AdvertiseHost, "advertise-host", "", "host to advertise to clients (default: the --listen host, or 127.0.0.1 for a wildcard)")
	fl.StringVar(&opts.Faults, "faults", "", "network faults to apply, e.g. latency,delay=200ms,drop-response,p=0.5")
	fl.DurationVar(&opts.FaultInterval, "fault-interval", chaos.DefaultInterval, "schedule: mean quiet time before each fault window")
	fl.DurationVar(&opts.FaultDuration, "fault-duration", chaos.DefaultDuration, "schedule: length of each fault window")
	fl.Uint64Var(&opts.Seed, "seed", 0, "seed of the schedule and of fault probabilities (default: random; a schedule prints it)")
	fl.StringVar(&opts.Control, "control", defaultChaosControl, "loopback host:port of the control endpoint (port 0: random)")
	return c
}

// proxyPlan is a checked ChaosProxyOptions.
type proxyPlan struct {
	proxy  chaos.ProxyOptions
	faults []chaos.Fault
	cf     conn.Factory // the connection profile, to ask the cluster for its brokers
}

func chaosProxyRun(ctx context.Context, opts *ChaosProxyOptions) error {
	plan, err := opts.plan()
	if err != nil {
		return err
	}
	log := &lockedWriter{w: opts.f.IO.ErrOut}
	plan.proxy.Engine = chaos.NewEngine(chaos.EngineOptions{Seed: opts.seed()})
	plan.proxy.Log = log
	p, err := chaos.StartProxy(plan.proxy)
	if err != nil {
		return err
	}
	defer p.Close()
	ctl, err := chaos.StartControl(chaos.ControlOptions{Addr: opts.Control, Engine: p.Engine(), Proxy: p})
	if err != nil {
		return err
	}
	defer ctl.Close()
	fmt.Fprintf(log, "kq chaos proxy: %s -> %s; control at %s; Ctrl-C stops it\n",
		p.Bootstrap(), strings.Join(plan.proxy.Upstreams, ","), ctl.Addr())
	nodes := discoverNodes(ctx, plan.cf, p.Bootstrap(), log)
	var sched *chaos.ScheduleOptions
	if opts.Schedule {
		sched = &chaos.ScheduleOptions{Interval: opts.FaultInterval, Duration: opts.FaultDuration, Seed: opts.Seed, Nodes: nodes,
			Replay: func(seed uint64) string { return fmt.Sprintf("--seed %d replays it", seed) }}
	}
	wait, err := chaos.Apply(ctx, p.Engine(), plan.faults, sched, log)
	if err != nil {
		return err
	}
	out := opts.f.IO.Out
	fmt.Fprintf(out, "control: %s\nready: %s\n", ctl.Addr(), p.Bootstrap())
	<-ctx.Done()
	wait()
	p.Engine().ClearAll()
	fmt.Fprintln(log, "kq chaos proxy: stopping; every fault healed")
	return nil
}

// plan checks the options and resolves the upstream brokers.
func (o *ChaosProxyOptions) plan() (proxyPlan, error) {
	var plan proxyPlan
	host, port, err := splitListen(o.Listen)
	if err != nil {
		return plan, err
	}
	if o.Faults != "" {
		if plan.faults, err = parseNetworkFaults(o.Faults); err != nil {
			return plan, err
		}
	}
	if o.Schedule && len(plan.faults) == 0 {
		return plan, kqerr.Usagef("--fault-interval and --fault-duration schedule the --faults, but none are given")
	}
	if plan.cf, err = o.f.Conn(); err != nil {
		return plan, err
	}
	upstreams := conn.SplitBrokers(o.Upstream)
	if len(upstreams) == 0 {
		upstreams = plan.cf.Profile.WithDefaults().Brokers
	}
	for _, u := range upstreams {
		if _, _, err := net.SplitHostPort(u); err != nil {
			return plan, kqerr.Usagef("--upstream %q: want host:port", u)
		}
	}
	plan.proxy = chaos.ProxyOptions{Upstreams: upstreams, ListenHost: host, AdvertiseHost: o.AdvertiseHost, FirstPort: port}
	return plan, nil
}

// splitListen reads --listen: host:port, port 0 to 65535; an empty host
// means every interface.
func splitListen(s string) (string, int, error) {
	host, ps, err := net.SplitHostPort(s)
	if err != nil {
		return "", 0, kqerr.Usagef("--listen %q: want host:port", s)
	}
	port, err := strconv.Atoi(ps)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, kqerr.Usagef("--listen %q: port must be a number from 0 to 65535", s)
	}
	if host == "" {
		host = "0.0.0.0"
	}
	return host, port, nil
}

// seed returns the --seed value, or a random one, remembered.
func (o *ChaosProxyOptions) seed() uint64 {
	if o.Seed == 0 {
		o.Seed = rand.Uint64()
	}
	return o.Seed
}
