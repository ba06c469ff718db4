package cmd

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kq-dev/kq/groups"
	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/offsets"
	"github.com/kq-dev/kq/internal/output"
)

func testFactory() (*Factory, *output.IOStreams) {
	ios, _, _, _ := output.Test()
	return NewFactory(ios, func(string) (string, bool) { return "", false }), ios
}

// parseReset runs `kq groups reset` flag parsing and returns the options
// the command would run with.
func parseReset(t *testing.T, args ...string) (*GroupsResetOptions, error) {
	t.Helper()
	return parseOptions(t, NewCmdGroupsReset, args...)
}

func TestGroupsResetFlags(t *testing.T) {
	o, err := parseReset(t, "g", "--topic", "orders:0,2", "--topic", "audit", "--shift-by", "-5", "--execute", "--export", "p.csv")
	if err != nil {
		t.Fatal(err)
	}
	s := o.Spec
	if o.Group != "g" || !o.Execute || o.Export != "p.csv" || s.Mode != groups.ShiftBy || s.Offset != -5 ||
		len(s.Topics) != 2 || s.Topics[0].Topic != "orders" || len(s.Topics[0].Partitions) != 2 || s.Topics[1].Topic != "audit" {
		t.Errorf("options = %+v", o)
	}
	o, err = parseReset(t, "g", "--all-topics", "--to-datetime", "2026-11-01T00:00:00Z")
	if err != nil || !o.Spec.Time.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) || !o.Spec.AllTopics {
		t.Errorf("to-datetime: %+v, %v", o, err)
	}
	o, err = parseReset(t, "g", "--all-topics", "--by-duration", "PT90M")
	if err != nil || o.Spec.Mode != groups.ByDuration || o.Spec.Duration != 90*time.Minute {
		t.Errorf("by-duration: %+v, %v", o, err)
	}
	o, err = parseReset(t, "g", "--all-topics", "--to-offset", "0")
	if err != nil || o.Spec.Mode != groups.ToOffset || o.Spec.Offset != 0 {
		t.Errorf("to-offset 0: %+v, %v", o, err)
	}
	plan := filepath.Join(t.TempDir(), "plan.csv")
	if err := os.WriteFile(plan, []byte("orders,1,5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	o, err = parseReset(t, "g", "--from-file", plan)
	if err != nil || o.Spec.Mode != groups.FromFile || len(o.Spec.Entries) != 1 || o.Spec.Entries[0].New != 5 {
		t.Errorf("from-file: %+v, %v", o, err)
	}
}

func TestGroupsResetFlagErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte("[{\"topic\": \"t\"}]"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := [][]string{
		{"g", "--topic", "t"},
		{"g", "--to-earliest"},
		{"g", "--topic", "t", "--all-topics", "--to-earliest"},
		{"g", "--topic", "t", "--to-earliest", "--to-current"},
		{"g", "--topic", "t", "--to-offset", "-1"},
		{"g", "--topic", "t:", "--to-earliest"},
		{"g", "--topic", "t", "--to-datetime", "noon"},
		{"g", "--topic", "t", "--by-duration", "-1h"},
		{"g", "--from-file", bad},
	}
	for _, args := range cases {
		if _, err := parseReset(t, args...); !errors.Is(err, kqerr.ErrUsage) {
			t.Errorf("reset %q: %v, want a usage error", args, err)
		}
	}
	_, err := parseReset(t, "g", "--from-file", bad)
	if !errors.Is(err, errNoUsage) || !strings.HasPrefix(err.Error(), "plan file "+bad+": entry 1: ") {
		t.Errorf("bad plan file: %q should name the file and entry and print no usage", err)
	}
}

func TestGroupsLagFlags(t *testing.T) {
	parse := func(args ...string) (*GroupsLagOptions, error) {
		return parseOptions(t, NewCmdGroupsLag, args...)
	}
	if o, err := parse("g"); err != nil || o.MaxLag != -1 || o.Watch != 0 {
		t.Errorf("defaults: %+v, %v", o, err)
	}
	if o, err := parse("g", "--max-lag", "0", "--watch", "2s"); err != nil || o.MaxLag != 0 || o.Watch != 2*time.Second {
		t.Errorf("max-lag 0, watch 2s: %+v, %v", o, err)
	}
	for _, args := range [][]string{{"g", "--max-lag", "-3"}, {"g", "--watch", "-1s"}} {
		if _, err := parse(args...); !errors.Is(err, kqerr.ErrUsage) {
			t.Errorf("lag %q: %v, want a usage error", args, err)
		}
	}
}

func TestOverLagError(t *testing.T) {
	limit := int64(5)
	r := LagReport{Group: "g", MaxLag: &limit, Over: []groups.PartitionLag{
		{TopicPartition: offsets.TopicPartition{Topic: "t", Partition: 0}, Lag: 9},
		{TopicPartition: offsets.TopicPartition{Topic: "t", Partition: 2}, Lag: 6},
	}}
	err := overLagError(r)
	if !errors.Is(err, kqerr.ErrCheckFailed) || !strings.HasSuffix(err.Error(), "group g lags more than --max-lag 5 on 2 partitions (t/0: 9, t/2: 6)") {
		t.Errorf("error = %v", err)
	}
	if err := overLagError(LagReport{Group: "g", MaxLag: &limit}); err != nil {
		t.Errorf("no partition over: %v", err)
	}
}

func TestConfirmTopicDelete(t *testing.T) {
	cases := []struct {
		tty   bool
		yes   bool
		input string
		ok    bool
		fails bool // with an error that is no usage error
	}{
		{tty: false, yes: true, ok: true},
		{tty: false, fails: true},
		{tty: true, input: "y\n", ok: true},
		{tty: true, input: "YES\n", ok: true},
		{tty: true, input: "n\n"},
		{tty: true, input: ""},
	}
	for _, c := range cases {
		ios, in, _, errOut := output.Test()
		ios.SetTTY(c.tty, c.tty, c.tty)
		in.WriteString(c.input)
		f := NewFactory(ios, func(string) (string, bool) { return "", false })
		ok, err := confirmDelete(&TopicsDeleteOptions{f: f, Topics: []string{"a", "b"}, Yes: c.yes})
		if ok != c.ok || (err != nil) != c.fails || errors.Is(err, kqerr.ErrUsage) {
			t.Errorf("%+v: ok %v, err %v", c, ok, err)
		}
		if c.tty && !c.yes && !strings.Contains(errOut.String(), "Delete topic(s) a, b and all their records? [y/N]") {
			t.Errorf("%+v: no prompt in %q", c, errOut.String())
		}
	}
}

func TestTopicsArgs(t *testing.T) {
	for _, args := range [][]string{{"t", "x"}, {"t", "0"}, {"t"}} {
		if _, err := parseOptions(t, NewCmdTopicsAddPartitions, args...); !errors.Is(err, kqerr.ErrUsage) {
			t.Errorf("add-partitions %q: %v, want a usage error", args, err)
		}
	}
	got, err := parseOptions(t, NewCmdTopicsCreate, "t", "-p", "6", "-r", "3", "--config", "retention.ms=5", "--config", "cleanup.policy=compact")
	if err != nil || got.Create.Partitions != 6 || got.Create.ReplicationFactor != 3 || len(got.Create.Configs) != 2 {
		t.Errorf("create: %+v, %v", got, err)
	}
}
