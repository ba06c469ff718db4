package cmd

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/internal/kqerr"
)

// parseOptions runs a command's flag and argument parsing through its runF
// seam and returns the options the command would run with (nil when the
// parsing failed before the seam).
func parseOptions[T any](t *testing.T, newCmd func(*Factory, func(*T) error) *cobra.Command, args ...string) (*T, error) {
	t.Helper()
	f, _ := testFactory()
	var got *T
	err := execute(newCmd(f, func(o *T) error { got = o; return nil }), args)
	return got, err
}

func TestGroupsDeleteOffsetsOptions(t *testing.T) {
	o, err := parseOptions(t, NewCmdGroupsDeleteOffsets, "billing", "--topic", "orders:0,2")
	if err != nil || o.Group != "billing" || o.Scope.Topic != "orders" || !slices.Equal(o.Scope.Partitions, []int32{0, 2}) {
		t.Errorf("options %+v, %v", o, err)
	}
	o, err = parseOptions(t, NewCmdGroupsDeleteOffsets, "billing", "--topic", "orders")
	if err != nil || o.Scope.Topic != "orders" || len(o.Scope.Partitions) != 0 {
		t.Errorf("whole topic: %+v, %v", o, err)
	}
	for _, bad := range [][]string{{"billing", "--topic", ":1"}, {"billing", "--topic", "orders:x"}, {"billing"}} {
		if o, err := parseOptions(t, NewCmdGroupsDeleteOffsets, bad...); err == nil || o != nil {
			t.Errorf("%q: ran with %+v, want an error", bad, o)
		}
	}
}

func TestTopicsOptions(t *testing.T) {
	ap, err := parseOptions(t, NewCmdTopicsAddPartitions, "orders", "3")
	if err != nil || ap.Topic != "orders" || ap.Add != 3 {
		t.Errorf("add-partitions: %+v, %v", ap, err)
	}
	ac, err := parseOptions(t, NewCmdTopicsAlterConfig, "orders", "retention.ms=5", "cleanup.policy=compact", "--delete", "segment.ms")
	if err != nil || ac.Topic != "orders" || len(ac.Set) != 2 || ac.Set["retention.ms"] != "5" || !slices.Equal(ac.Delete, []string{"segment.ms"}) {
		t.Errorf("alter-config: %+v, %v", ac, err)
	}
	if _, err := parseOptions(t, NewCmdTopicsAlterConfig, "orders", "retention.ms"); !errors.Is(err, kqerr.ErrUsage) {
		t.Errorf("alter-config KEY without =: %v, want a usage error", err)
	}
	if _, err := parseOptions(t, NewCmdTopicsCreate, "t", "-p", "-2"); !errors.Is(err, kqerr.ErrUsage) {
		t.Errorf("create -p -2: %v, want a usage error", err)
	}
}

func TestVerifyCheckOptions(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"w1.jsonl", "w2.jsonl", "other.txt"} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	o, err := parseOptions(t, NewCmdVerifyCheck, filepath.Join(dir, "w*.jsonl"), "plain.jsonl", "--semantics", "at-least-once")
	want := []string{filepath.Join(dir, "w1.jsonl"), filepath.Join(dir, "w2.jsonl"), "plain.jsonl"}
	if err != nil || !slices.Equal(o.Files, want) || o.Semantics != "at-least-once" || o.command == "" {
		t.Errorf("options %+v, %v; want files %q", o, err, want)
	}
	if _, err := parseOptions(t, NewCmdVerifyCheck, filepath.Join(dir, "none*.jsonl")); !errors.Is(err, kqerr.ErrUsage) {
		t.Errorf("a glob matching nothing: %v, want a usage error", err)
	}
}

func TestChaosOptions(t *testing.T) {
	o, err := parseOptions(t, NewCmdChaosProxy, "--faults", "latency")
	if err != nil || o.Schedule || o.Faults != "latency" {
		t.Errorf("proxy without a window flag: %+v, %v (want the faults for good)", o, err)
	}
	for _, flag := range []string{"--fault-interval", "--fault-duration"} {
		o, err := parseOptions(t, NewCmdChaosProxy, "--faults", "latency", flag, "2s")
		if err != nil || !o.Schedule {
			t.Errorf("proxy %s: %+v, %v (want a schedule)", flag, o, err)
		}
	}
	cl, err := parseOptions(t, NewCmdChaosClear, "f1", "f3")
	if err != nil || !slices.Equal(cl.IDs, []string{"f1", "f3"}) || cl.All {
		t.Errorf("clear: %+v, %v", cl, err)
	}
	set, err := parseOptions(t, NewCmdChaosSet, "latency:200ms")
	if err != nil || set.Spec != "latency:200ms" {
		t.Errorf("set: %+v, %v", set, err)
	}
}

func TestGroupsLagOptions(t *testing.T) {
	o, err := parseOptions(t, NewCmdGroupsLag, "billing")
	if err != nil || o.MaxLag != -1 {
		t.Errorf("no --max-lag: %+v, %v (want -1, no limit)", o, err)
	}
	o, err = parseOptions(t, NewCmdGroupsLag, "billing", "--max-lag", "0", "--watch", "2s")
	if err != nil || o.MaxLag != 0 || o.Watch != 2*time.Second {
		t.Errorf("--max-lag 0 --watch 2s: %+v, %v", o, err)
	}
	for _, bad := range [][]string{{"billing", "--max-lag", "-3"}, {"billing", "--watch", "0s"}} {
		if _, err := parseOptions(t, NewCmdGroupsLag, bad...); !errors.Is(err, kqerr.ErrUsage) {
			t.Errorf("%q: %v, want a usage error", bad, err)
		}
	}
}

func TestPositionalOptions(t *testing.T) {
	ab, err := parseOptions(t, newCmdTxnAbort, "--topic", "orders", "--partition", "2", "--start-offset", "41")
	if err != nil || ab.Abort.Topic != "orders" || ab.Abort.Partition != 2 || ab.Abort.StartOffset != 41 || ab.Abort.ProducerID != -1 {
		t.Errorf("transactions abort: %+v, %v", ab, err)
	}
	d, err := parseOptions(t, newCmdTxnDescribe, "payments-1", "payments-2")
	if err != nil || !slices.Equal(d.Args, []string{"payments-1", "payments-2"}) {
		t.Errorf("transactions describe: %+v, %v", d, err)
	}
	s, err := parseOptions(t, newCmdSchemasCompatibility, "orders-value", "backward")
	if err != nil || !slices.Equal(s.Args, []string{"orders-value", "backward"}) {
		t.Errorf("schemas compatibility: %+v, %v", s, err)
	}
	g, err := parseOptions(t, newCmdSchemasGet, "--id", "7")
	if err != nil || g.ID != 7 || len(g.Args) != 0 || g.Version != "latest" {
		t.Errorf("schemas get --id: %+v, %v", g, err)
	}
}
