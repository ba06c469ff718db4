package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/broker/schemareg"
	"github.com/kq-dev/kq/cmd"
	"github.com/kq-dev/kq/internal/testutil"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"kq": func() { os.Exit(cmd.Main()) },
	})
}

// TestScripts runs the end-to-end scripts under testdata/script. Each
// script gets its own in-process built-in broker (three nodes on random
// 127.0.0.1 ports) with KQ_BROKERS exported, and a private config dir.
func TestScripts(t *testing.T) {
	t.Parallel()
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup:               setupScript,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode":  cmdExitCode,
			"waitready": cmdWaitReady,
			"fault":     cmdFault,
			"opentxn":   cmdOpenTxn,
			"silent":    cmdSilent,
			"waitmatch": cmdWaitMatch,
			"netns":     cmdNetns,
		},
		Condition: func(cond string) (bool, error) {
			if cond == "netns" {
				return netnsCondition()
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	})
}

// brokerKey is where a script's broker is kept in the script's values.
type brokerKey struct{}

// isrKey is where a script keeps the *isrRestore of its isr-shrink fault.
type isrKey struct{}

// isrRestore ends a script's isr-shrink fault (nil: none is on).
type isrRestore struct{ restore func() }

func setupScript(env *testscript.Env) error {
	b, err := broker.Start(broker.Options{Nodes: 3, Port: 0, Partitions: 3, ReplicaLag: broker.DefaultReplicaLag})
	if err != nil {
		return err
	}
	env.Defer(func() { b.Close() })
	env.Values[brokerKey{}] = b
	env.Values[isrKey{}] = &isrRestore{}
	// A Schema Registry for the scripts that ask for it (KQ_SCHEMA_REGISTRY
	// is theirs to set: most scripts run without one).
	reg, err := schemareg.Start(schemareg.Options{Addr: "127.0.0.1:0"})
	if err != nil {
		return err
	}
	env.Defer(func() { reg.Close() })
	env.Setenv("SR_URL", reg.URL())
	env.Setenv("SR_ADDR", strings.TrimPrefix(reg.URL(), "http://"))
	env.Setenv("KQ_BROKERS", b.Bootstrap())
	env.Setenv("XDG_CONFIG_HOME", filepath.Join(env.WorkDir, ".config"))
	env.Setenv("NO_COLOR", "1")
	// A -race binary sleeps a second at exit by default; scripts run kq
	// many times.
	env.Setenv("GORACE", "atexit_sleep_ms=0")
	return nil
}

// cmdExitCode runs a command and asserts its exact exit code:
//
//	exitcode N kq args...
//
// stdout and stderr are kept for the following stdout/stderr assertions.
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: bad code %q", args[0])
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("exitcode: %v", err)
	}
	if got != want {
		ts.Fatalf("exit code %d, want %d", got, want)
	}
}

// cmdWaitReady waits until FILE holds a line "ready: ADDRS" (as written by
// kq broker) and exports ADDRS as the environment variable VAR, and the
// URL of a "schema-registry: URL" line before it as VAR_SR:
//
//	waitready FILE VAR
func cmdWaitReady(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: waitready FILE VAR")
	}
	path := ts.MkAbs(args[0])
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if addrs, sr, ok := readyLine(path); ok {
			ts.Setenv(args[1], addrs)
			ts.Setenv(args[1]+"_SR", sr)
			first := strings.Split(addrs, ",")[0]
			ts.Setenv(args[1]+"_PORT", first[strings.LastIndex(first, ":")+1:])
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	ts.Fatalf("no ready line in %s after 20s", args[0])
}

func readyLine(path string) (addrs, sr string, ok bool) {
	f, err := os.Open(path)
	if err != nil {
		return "", "", false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if u, found := strings.CutPrefix(sc.Text(), "schema-registry: "); found {
			sr = u
		}
		if addrs, ok := strings.CutPrefix(sc.Text(), "ready: "); ok {
			return addrs, sr, true
		}
	}
	return "", "", false
}

// cmdFault applies a fault to the script's broker:
//
//	fault stop-node ID | restart-node ID | move-leaders | isr-shrink | isr-restore | fail API N CODE | delay API DURATION
//
// A delay holds every request of API for DURATION until the script ends;
// isr-shrink takes the followers out of the ISR until isr-restore or the
// end of the script.
func cmdFault(ts *testscript.TestScript, neg bool, args []string) {
	b := ts.Value(brokerKey{}).(*broker.Broker)
	if neg || len(args) == 0 {
		ts.Fatalf("usage: fault stop-node ID | restart-node ID | move-leaders | isr-shrink | isr-restore | fail API N CODE | delay API DURATION")
	}
	atoi := func(s string) int {
		n, err := strconv.Atoi(s)
		ts.Check(err)
		return n
	}
	switch {
	case args[0] == "stop-node" && len(args) == 2:
		ts.Check(b.StopNode(int32(atoi(args[1]))))
	case args[0] == "restart-node" && len(args) == 2:
		ts.Check(b.RestartNode(int32(atoi(args[1]))))
	case args[0] == "delay" && len(args) == 3:
		d, err := time.ParseDuration(args[2])
		ts.Check(err)
		stop := b.DelayRequests(int16(atoi(args[1])), d)
		ts.Defer(stop)
	case args[0] == "move-leaders":
		b.MoveLeaders()
	case args[0] == "isr-shrink" && len(args) == 1:
		restore, err := b.ShrinkISR()
		ts.Check(err)
		ts.Defer(restore)
		ts.Value(isrKey{}).(*isrRestore).restore = restore
	case args[0] == "isr-restore" && len(args) == 1:
		h := ts.Value(isrKey{}).(*isrRestore)
		if h.restore == nil {
			ts.Fatalf("fault isr-restore: no isr-shrink before")
		}
		h.restore()
		h.restore = nil
	case args[0] == "fail" && len(args) == 4:
		ts.Check(b.FailRequests(int16(atoi(args[1])), atoi(args[2]), int16(atoi(args[3]))))
	default:
		ts.Fatalf("fault: unknown %q", strings.Join(args, " "))
	}
}

// cmdSilent starts a TCP listener on 127.0.0.1 that accepts connections and
// never answers (a broker behind a TLS or SASL mismatch looks like this)
// and exports its address as VAR; it is closed when the script ends:
//
//	silent VAR
func cmdSilent(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: silent VAR")
	}
	addr, stop, err := testutil.ListenSilent()
	ts.Check(err)
	ts.Defer(stop)
	ts.Setenv(args[0], addr)
}

// cmdWaitMatch waits until FILE (written by a background command) has a
// line matching REGEXP, polling, and fails the script after 30s:
//
//	waitmatch FILE REGEXP
func cmdWaitMatch(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: waitmatch FILE REGEXP")
	}
	re, err := regexp.Compile("(?m)" + args[1])
	ts.Check(err)
	path := ts.MkAbs(args[0])
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil && re.Match(b) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	b, _ := os.ReadFile(path)
	ts.Fatalf("no line matching %q in %s after 30s; it holds:\n%s", args[1], args[0], b)
}

// cmdOpenTxn leaves a transaction open on partition 0 of TOPIC with N
// records, its producer alive until the script ends (a hanging
// transaction as far as the script's kq commands can tell):
//
//	opentxn TOPIC TRANSACTIONAL-ID N
func cmdOpenTxn(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: opentxn TOPIC TRANSACTIONAL-ID N")
	}
	n, err := strconv.Atoi(args[2])
	ts.Check(err)
	b := ts.Value(brokerKey{}).(*broker.Broker)
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(b.Bootstrap(), ",")...), kgo.TransactionalID(args[1]),
		kgo.TransactionTimeout(5*time.Minute), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	ts.Check(err)
	ts.Defer(cl.Close)
	ts.Check(cl.BeginTransaction())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for i := 0; i < n; i++ {
		ts.Check(cl.ProduceSync(ctx, &kgo.Record{Topic: args[0], Partition: 0, Value: []byte(strconv.Itoa(i))}).FirstErr())
	}
}
