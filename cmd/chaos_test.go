package cmd

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/chaos"
	"github.com/kq-dev/kq/internal/clusterinfo"
	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/output"
	"github.com/kq-dev/kq/internal/testutil"
)

// chaosRun is one kq invocation run in process.
type chaosRun struct {
	out, errOut *syncBuffer
	code        chan int
}

// startKQ runs kq with args and env in the background until ctx ends.
func startKQ(ctx context.Context, env map[string]string, args ...string) *chaosRun {
	r := &chaosRun{out: &syncBuffer{}, errOut: &syncBuffer{}, code: make(chan int, 1)}
	ios := &output.IOStreams{In: strings.NewReader(""), Out: r.out, ErrOut: r.errOut}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	go func() { r.code <- Run(ctx, NewFactory(ios, lookup), args) }()
	return r
}

// runKQ runs kq with args to the end and returns its exit code and output.
func runKQ(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	r := startKQ(context.Background(), env, args...)
	select {
	case code = <-r.code:
	case <-time.After(30 * time.Second):
		t.Fatalf("kq %v did not finish", args)
	}
	return code, r.out.String(), r.errOut.String()
}

// chaosProxy is a `kq chaos proxy` running in process.
type chaosProxy struct {
	*chaosRun
	bootstrap, control string
	stop               context.CancelFunc
}

// startChaosProxy runs `kq chaos proxy` with random ports in front of b
// and waits for its ready line; the test stops it at cleanup.
func startChaosProxy(t *testing.T, b *broker.Broker, extra ...string) *chaosProxy {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	args := append([]string{"chaos", "proxy", "--upstream", b.Bootstrap(), "--listen", "127.0.0.1:0", "--control", "127.0.0.1:0"}, extra...)
	p := &chaosProxy{chaosRun: startKQ(ctx, nil, args...), stop: cancel}
	t.Cleanup(func() { p.shutdown(t) })
	testutil.Eventually(t, 20*time.Second, "the proxy's ready line", func() bool {
		out := p.out.String()
		if strings.Contains(out, "ready: ") {
			p.control = lineValue(out, "control: ")
			p.bootstrap = lineValue(out, "ready: ")
			return true
		}
		select {
		case code := <-p.code:
			t.Fatalf("proxy exited with %d: %s", code, p.errOut.String())
		default:
		}
		return false
	})
	return p
}

// shutdown interrupts the proxy and checks it exits 0 (once).
func (p *chaosProxy) shutdown(t *testing.T) {
	t.Helper()
	if p.stop == nil {
		return
	}
	p.stop()
	p.stop = nil
	select {
	case code := <-p.code:
		if code != 0 {
			t.Errorf("proxy exit code %d, want 0; stderr:\n%s", code, p.errOut.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("proxy did not stop")
	}
}

// lineValue returns the rest of the first line of text starting with
// prefix.
func lineValue(text, prefix string) string {
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, prefix); ok {
			return v
		}
	}
	return ""
}

// describeVia describes the cluster through the given bootstrap address.
func describeVia(addr string) (clusterinfo.Info, error) {
	return clusterinfo.Describe(conn.Factory{
		Profile: conn.Profile{Brokers: []string{addr}, Timeout: 3 * time.Second},
		Tweak: func(c *sarama.Config) {
			c.Metadata.Retry.Max = 1
			c.Metadata.Retry.Backoff = 50 * time.Millisecond
		},
	})
}

func TestChaosProxyRewritesAndTakesFaults(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 3})
	p := startChaosProxy(t, b, "--faults", "latency,api=fetch,delay=20ms")

	info, err := describeVia(p.bootstrap)
	if err != nil {
		t.Fatalf("describe through the proxy: %v", err)
	}
	ctx := context.Background()
	pi, err := chaos.ControlClient{Addr: p.control}.Proxy(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(info.Brokers) != 3 || len(pi.Brokers) != 3 {
		t.Fatalf("brokers through the proxy %v, proxy map %v; want 3 of each", info.Brokers, pi.Brokers)
	}
	for i, br := range info.Brokers {
		if slices.Contains(b.Addrs(), br.Address) || br.Address != pi.Brokers[i].Local {
			t.Errorf("node %d at %s, want the proxy's %s", br.ID, br.Address, pi.Brokers[i].Local)
		}
		if !strings.Contains(p.errOut.String(), "at "+br.Address+"\n") {
			t.Errorf("stderr maps no node to %s:\n%s", br.Address, p.errOut.String())
		}
	}

	env := map[string]string{chaosControlEnv: p.control}
	code, out, errOut := runKQ(t, env, "chaos", "set", "reset,api=metadata,p=1")
	if code != 0 || out != "f2\n" || !strings.Contains(errOut, "set f2: reset,api=metadata,p=1") {
		t.Fatalf("chaos set: code %d, stdout %q, stderr %q", code, out, errOut)
	}
	if _, err := describeVia(p.bootstrap); err == nil {
		t.Fatal("describe through the proxy worked although every metadata request is reset")
	}
	if code, _, errOut := runKQ(t, env, "chaos", "clear", "f2"); code != 0 || errOut != "cleared f2\n" {
		t.Fatalf("chaos clear: code %d, stderr %q", code, errOut)
	}
	if _, err := describeVia(p.bootstrap); err != nil {
		t.Fatalf("describe after clear: %v", err)
	}

	code, out, _ = runKQ(t, nil, "chaos", "list", "-o", "json", "--control", p.control)
	var active []chaos.Active
	if code != 0 || json.Unmarshal([]byte(out), &active) != nil {
		t.Fatalf("chaos list: code %d, stdout %q", code, out)
	}
	if len(active) != 1 || active[0].ID != "f1" || active[0].Fault.String() != "latency,api=fetch,p=1,delay=20ms" {
		t.Fatalf("active faults %+v, want only f1, the --faults latency", active)
	}

	p.shutdown(t)
	if !strings.Contains(p.errOut.String(), "stopping; every fault healed") {
		t.Errorf("stderr has no stopping line:\n%s", p.errOut.String())
	}
}

func TestChaosProxySchedule(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 3})
	p := startChaosProxy(t, b, "--faults", "partition", "--fault-interval", "20ms", "--fault-duration", "50ms", "--seed", "3")
	testutil.Eventually(t, 20*time.Second, "a window to open and close", func() bool {
		return strings.Contains(p.errOut.String(), " end\n")
	})
	p.shutdown(t)
	stderr := p.errOut.String()
	if !strings.Contains(stderr, "seed 3 (--seed 3 replays it)") || !strings.Contains(stderr, "fault windows run; seed 3") {
		t.Errorf("stderr lacks the seed lines:\n%s", stderr)
	}
	var targets []string
	for _, line := range strings.Split(stderr, "\n") {
		if _, rest, ok := strings.Cut(line, " partition target="); ok {
			targets = append(targets, strings.Fields(rest)[0])
		}
	}
	if len(targets) == 0 {
		t.Fatalf("no partition window in:\n%s", stderr)
	}
	for _, tg := range targets {
		if tg != "0" && tg != "1" && tg != "2" {
			t.Errorf("window target %q is not one of the cluster's node ids", tg)
		}
	}
}

func TestChaosProxyUsageErrors(t *testing.T) {
	base := []string{"chaos", "proxy", "--upstream", "127.0.0.1:1", "--listen", "127.0.0.1:0", "--control", "127.0.0.1:0"}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--faults", "kill-node"}, "fault kill-node is a broker fault"},
		{[]string{"--faults", "latency,crash-producer"}, "fault crash-producer is a client fault"},
		{[]string{"--faults", "exec"}, "fault exec runs commands in kq verify"},
		{[]string{"--faults", "nosuch"}, `unknown fault "nosuch"`},
		{[]string{"--faults", "latency,p=2"}, "not a probability"},
		{[]string{"--fault-duration", "1s"}, "none are given"},
		{[]string{"--faults", "latency", "--fault-duration", "0s"}, "--fault-duration must be positive"},
		{[]string{"--listen", "nohostport"}, `--listen "nohostport": want host:port`},
		{[]string{"--listen", "127.0.0.1:70000"}, "port must be a number from 0 to 65535"},
		{[]string{"--upstream", "nohostport"}, `--upstream "nohostport": want host:port`},
		{[]string{"--control", "10.1.2.3:5"}, "must be on a loopback address"},
	}
	for _, c := range cases {
		code, out, errOut := runKQ(t, nil, append(slices.Clone(base), c.args...)...)
		if code != kqerr.CodeUsage || !strings.Contains(errOut, c.want) || out != "" {
			t.Errorf("%v: code %d, stdout %q, stderr %q; want 2 and %q", c.args, code, out, errOut, c.want)
		}
	}
}

func TestChaosControlErrors(t *testing.T) {
	cases := []struct {
		env  map[string]string
		args []string
		code int
		want string
	}{
		{nil, []string{"chaos", "list", "--control", "127.0.0.1:1"}, kqerr.CodeUnreachable, "no chaos control endpoint at 127.0.0.1:1 (connect: connection refused)"},
		{map[string]string{chaosControlEnv: "127.0.0.1:1"}, []string{"chaos", "set", "latency"}, kqerr.CodeUnreachable, "no chaos control endpoint at 127.0.0.1:1 (connect: connection refused)"},
		{map[string]string{chaosControlEnv: "127.0.0.1:1"}, []string{"chaos", "clear", "--all"}, kqerr.CodeUnreachable, "no chaos control endpoint at 127.0.0.1:1 (connect: connection refused)"},
		{nil, []string{"chaos", "set", "kill-node,target=1"}, kqerr.CodeUsage, "fault kill-node is a broker fault"},
		{nil, []string{"chaos", "set"}, kqerr.CodeUsage, "accepts 1 arg"},
		{nil, []string{"chaos", "clear"}, kqerr.CodeUsage, "name the fault ids to clear"},
		{nil, []string{"chaos", "clear", "f1", "--all"}, kqerr.CodeUsage, "not both"},
	}
	for _, c := range cases {
		code, _, errOut := runKQ(t, c.env, c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: code %d, stderr %q; want %d and %q", c.args, code, errOut, c.code, c.want)
		}
		if first := strings.SplitN(errOut, "\n", 2)[0]; !strings.HasPrefix(first, "kq: ") {
			t.Errorf("%v: first stderr line %q is not a kq: line", c.args, first)
		}
	}
}

func TestChaosFaultsCatalogue(t *testing.T) {
	code, out, _ := runKQ(t, nil, "chaos", "faults", "-o", "json")
	var cat []ChaosFaultKind
	if code != 0 || json.Unmarshal([]byte(out), &cat) != nil {
		t.Fatalf("chaos faults -o json: code %d, stdout %q", code, out)
	}
	if len(cat) != len(chaos.Kinds()) {
		t.Fatalf("%d kinds listed, want %d", len(cat), len(chaos.Kinds()))
	}
	layers := map[string]int{}
	for i, k := range cat {
		if k.Kind != chaos.Kinds()[i] || k.Description == "" || k.Params == nil {
			t.Errorf("entry %d: %+v", i, k)
		}
		layers[k.Layer]++
	}
	if want := map[string]int{"network": 9, "broker": 7, "client": 3, "exec": 1}; !maps.Equal(layers, want) {
		t.Errorf("layers %v, want %v", layers, want)
	}
	code, out, _ = runKQ(t, nil, "chaos", "faults")
	if code != 0 || !strings.Contains(out, "drop-response      network  api=produce target=all p=0.3") ||
		!strings.Contains(out, "leader-move        broker   -") {
		t.Errorf("chaos faults table: code %d:\n%s", code, out)
	}
}

func TestSplitListen(t *testing.T) {
	for in, want := range map[string]struct {
		host string
		port int
	}{"127.0.0.1:19092": {"127.0.0.1", 19092}, ":0": {"0.0.0.0", 0}, "[::1]:9": {"::1", 9}} {
		host, port, err := splitListen(in)
		if err != nil || host != want.host || port != want.port {
			t.Errorf("splitListen(%q) = %q, %d, %v; want %v", in, host, port, err, want)
		}
	}
	for _, in := range []string{"", "host", "h:-1", "h:x", "h:65536"} {
		if _, _, err := splitListen(in); kqerr.Code(err) != kqerr.CodeUsage {
			t.Errorf("splitListen(%q) err = %v, want a usage error", in, err)
		}
	}
}
