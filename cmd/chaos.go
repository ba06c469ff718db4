package cmd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/chaos"
	"github.com/kq-dev/kq/internal/kqerr"
)

// Chaos control endpoint defaults, shared by `kq chaos proxy` and the
// commands that talk to it.
const (
	// defaultChaosControl is where the proxy's control endpoint listens
	// and where set, clear and list look for it.
	defaultChaosControl = "127.0.0.1:19099"
	// chaosControlEnv names the variable that overrides the default.
	chaosControlEnv = "KQ_CHAOS_CONTROL"
	// chaosControlTimeout bounds one control request.
	chaosControlTimeout = 10 * time.Second
)

// chaosSpelling documents the --faults spelling in help texts.
const chaosSpelling = `Faults are spelled as a comma-separated list: an item without "=" names a
fault, an item with "=" is a parameter of the fault before it, and a list
inside a value joins with "+", so no quoting is needed:

  drop-response,p=0.3,latency,api=produce+fetch,delay=200ms,jitter=50ms

Parameters (each fault takes only some; kq chaos faults lists them with
their defaults; a parameter left out takes its default):

  api=produce+fetch       Kafka APIs the fault applies to (names or keys)
  target=1                a broker: node id, or host:port as the cluster advertises it
  p=0.3                   probability per matching request, in (0, 1]
  delay=200ms             latency (broker-slow: delay)
  jitter=50ms             latency spread (±)
  rate=64KiB              bandwidth in bytes per second (B, KB, KiB, MB, MiB, GB, GiB)
  code=REQUEST_TIMED_OUT  Kafka error name or number
  n=10                    broker-error: requests failed per API`

// NewCmdChaos returns `kq chaos` and its subcommands.
func NewCmdChaos(f *Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "chaos",
		Short: "Inject network faults into Kafka traffic through a protocol-aware proxy",
		Long: `kq chaos proxy stands in front of any Kafka cluster and rewrites the broker
addresses in its responses, so every client connection goes through it; the
faults it applies know Kafka's protocol (drop the response of a produce,
delay fetches, partition one broker). kq chaos set, clear and list change
the faults of a running proxy through its control endpoint (loopback only;
default ` + defaultChaosControl + `, or --control, or $` + chaosControlEnv + `).
kq chaos faults lists the catalogue; broker, client and exec faults are for
kq verify.

` + chaosSpelling,
		Example: `  kq chaos proxy --upstream kafka-1:9092 --listen 127.0.0.1:19092 &
  kq cluster -b 127.0.0.1:19092                   # the brokers, as proxy addresses
  kq chaos set drop-response,p=0.5                # prints the fault id, e.g. f1
  kq chaos list
  kq chaos clear f1
  kq chaos faults`,
		Args: usageArgs(cobra.NoArgs),
	}
	c.AddCommand(
		NewCmdChaosProxy(f, nil),
		NewCmdChaosSet(f, nil),
		NewCmdChaosClear(f, nil),
		NewCmdChaosList(f, nil),
		NewCmdChaosFaults(f, nil),
	)
	return c
}

// addControlFlag adds --control to a command that talks to a proxy.
func addControlFlag(c *cobra.Command, dst *string) {
	c.Flags().StringVar(dst, "control", "", "control endpoint of the running kq chaos proxy (default "+defaultChaosControl+"; env "+chaosControlEnv+")")
}

// chaosControl returns a client for the control endpoint: the flag's
// address, else $KQ_CHAOS_CONTROL, else the default.
func chaosControl(f *Factory, flag string) chaos.ControlClient {
	addr := flag
	if addr == "" {
		if v, ok := f.LookupEnv(chaosControlEnv); ok && v != "" {
			addr = v
		}
	}
	if addr == "" {
		addr = defaultChaosControl
	}
	return chaos.ControlClient{Addr: addr, HTTP: &http.Client{Timeout: chaosControlTimeout}}
}

// controlCtx bounds one command's talk with the control endpoint.
func controlCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, chaosControlTimeout)
}

// controlFailure words an error of the control client: an unreachable
// endpoint gets one short line with a hint; other errors, prefixed with
// what was done, pass as they are.
func controlFailure(cc chaos.ControlClient, what string, err error) error {
	if !errors.Is(err, kqerr.ErrUnreachable) {
		if what == "" {
			return err
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	cause := err.Error()
	if op := (*net.OpError)(nil); errors.As(err, &op) {
		cause = op.Err.Error()
	}
	return fmt.Errorf("%w: no chaos control endpoint at %s (%s); is kq chaos proxy running? (--control, %s)",
		kqerr.ErrUnreachable, cc.Addr, cause, chaosControlEnv)
}

// parseNetworkFaults reads a fault list and rejects the faults a proxy
// cannot apply, naming them and what applies them instead.
func parseNetworkFaults(spec string) ([]chaos.Fault, error) {
	faults, err := chaos.ParseFaults(spec)
	if err != nil {
		return nil, err
	}
	for _, fl := range faults {
		if err := networkOnly(fl.Kind); err != nil {
			return nil, err
		}
	}
	return faults, nil
}

// networkOnly returns a usage error for a kind the proxy cannot apply.
func networkOnly(k chaos.Kind) error {
	switch k.Layer() {
	case chaos.LayerNetwork:
		return nil
	case chaos.LayerBroker:
		return kqerr.Usagef("fault %s is a broker fault: it needs kq's built-in broker (kq verify); the chaos proxy applies network faults only", k)
	case chaos.LayerClient:
		return kqerr.Usagef("fault %s is a client fault: only kq verify can crash its own clients; the chaos proxy applies network faults only", k)
	case chaos.LayerExec:
		return kqerr.Usagef("fault exec runs commands in kq verify schedules (--fault-exec); the chaos proxy applies network faults only")
	}
	return kqerr.Usagef("unknown fault %q", k)
}
