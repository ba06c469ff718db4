package verify_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kq-dev/kq/chaos"
	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/setting"
	"github.com/kq-dev/kq/verify"
	"github.com/kq-dev/kq/verify/check"
)

// anyBroker stands for the built-in broker where only its presence
// matters.
type anyBroker struct{ chaos.BrokerTarget }

func TestPresetsMatchDesign(t *testing.T) {
	cases := []struct {
		s    check.Semantics
		want verify.Client
	}{
		{check.AtMostOnce, verify.Client{Acks: setting.AcksLeader, Retries: 0, MaxInFlight: 5, Commit: setting.CommitBefore, Isolation: setting.ReadUncommitted}},
		{check.AtLeastOnce, verify.Client{Acks: setting.AcksAll, Retries: 50, MaxInFlight: 5, Commit: setting.CommitAfter, Isolation: setting.ReadUncommitted}},
		{check.ExactlyOnce, verify.Client{Acks: setting.AcksAll, Idempotent: true, Retries: 50, MaxInFlight: 1, Commit: setting.CommitTxn, Isolation: setting.ReadCommitted}},
	}
	for _, tc := range cases {
		got, err := verify.Preset(tc.s)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("%s preset = %+v, want %+v", tc.s, got, tc.want)
		}
	}
	if _, err := verify.Preset("at-least-twice"); !errors.Is(err, kqerr.ErrUsage) {
		t.Errorf("unknown semantics: err = %v, want a usage error", err)
	}
}

func TestResolveOverrides(t *testing.T) {
	set, err := verify.Resolve(verify.Options{RunSettings: verify.RunSettings{Semantics: check.ExactlyOnce, Faults: verify.FaultChoice{Mode: verify.FaultsNone}, Overrides: verify.Overrides{Idempotent: ptr(false), Isolation: ptr(setting.ReadUncommitted)}}})
	if err != nil {
		t.Fatal(err)
	}
	if set.Idempotent || set.Isolation != setting.ReadUncommitted || set.Acks != setting.AcksAll || set.Commit != setting.CommitTxn {
		t.Errorf("overrides not applied over the preset: %+v", set.Client)
	}
	if !slices.Equal(set.Overridden, []string{"idempotent", "isolation"}) {
		t.Errorf("overridden = %v, want [idempotent isolation]", set.Overridden)
	}
	// Turning idempotence on brings acks=all and one request in flight
	// along, unless they were set too.
	set, err = verify.Resolve(verify.Options{RunSettings: verify.RunSettings{Semantics: check.AtMostOnce, Faults: verify.FaultChoice{Mode: verify.FaultsNone}, Overrides: verify.Overrides{Idempotent: ptr(true)}}})
	if err != nil {
		t.Fatal(err)
	}
	if set.Acks != setting.AcksAll || set.MaxInFlight != 1 || set.Retries < 1 {
		t.Errorf("idempotent at-most-once = %+v, want acks=all, one in flight, retries", set.Client)
	}
	set, err = verify.Resolve(verify.Options{RunSettings: verify.RunSettings{Faults: verify.FaultChoice{Mode: verify.FaultsNone}}})
	if err != nil || set.Semantics != check.AtLeastOnce || len(set.Overridden) != 0 {
		t.Errorf("no semantics: %+v, %v; want at-least-once, nothing overridden", set, err)
	}
}

func TestResolveRejects(t *testing.T) {
	cases := map[string]verify.Options{
		"idempotent with acks=1":    {RunSettings: verify.RunSettings{Overrides: verify.Overrides{Idempotent: ptr(true), Acks: ptr(setting.AcksLeader)}}},
		"idempotent with 6 flying":  {RunSettings: verify.RunSettings{Overrides: verify.Overrides{Idempotent: ptr(true), MaxInFlight: ptr(6)}}},
		"negative retries":          {RunSettings: verify.RunSettings{Overrides: verify.Overrides{Retries: ptr(-1)}}},
		"auto-commit in a txn":      {RunSettings: verify.RunSettings{Semantics: check.ExactlyOnce, Overrides: verify.Overrides{AutoCommit: ptr(true)}}},
		"no producers":              {RunSettings: verify.RunSettings{Workload: verify.Workload{Producers: -1}}},
		"abort rate 1":              {RunSettings: verify.RunSettings{Semantics: check.ExactlyOnce, Workload: verify.Workload{AbortRate: 1}}},
		"broker fault, no broker":   {RunSettings: verify.RunSettings{Faults: mustFaults("leader-move")}},
		"crash-copier, no pipeline": {RunSettings: verify.RunSettings{Faults: mustFaults("crash-copier")}},
		"exec without a command":    {RunSettings: verify.RunSettings{Faults: mustFaults("exec")}},
		"negative fault interval":   {RunSettings: verify.RunSettings{FaultInterval: -1}},
		"unknown semantics":         {RunSettings: verify.RunSettings{Semantics: "maybe-once"}},
		"process time over 1s":      {RunSettings: verify.RunSettings{Workload: verify.Workload{ProcessTime: 2 * time.Second}}},
	}
	for name, opts := range cases {
		if _, err := verify.Resolve(opts); !errors.Is(err, kqerr.ErrUsage) {
			t.Errorf("%s: err = %v, want a usage error", name, err)
		}
	}
	if _, err := verify.ParseFaultChoice("gremlins"); !errors.Is(err, kqerr.ErrUsage) {
		t.Errorf("unknown fault: err = %v, want a usage error", err)
	}
}

func TestDefaultFaultsFitTheTarget(t *testing.T) {
	set, err := verify.Resolve(verify.Options{RunSettings: verify.RunSettings{Semantics: check.ExactlyOnce}})
	if err != nil {
		t.Fatal(err)
	}
	if set.Faults.Spec != "drop-response,crash-consumer,crash-producer,crash-copier" {
		t.Errorf("exactly-once on a real cluster schedules %q", set.Faults.Spec)
	}
	if len(set.Faults.Skipped) != 2 || !strings.Contains(set.Faults.Skipped[0].String(), "leader-move needs the built-in broker") {
		t.Errorf("skipped = %q, want leader-move and coordinator-move named", set.Faults.Skipped)
	}
	set, err = verify.Resolve(verify.Options{RunSettings: verify.RunSettings{Semantics: check.AtLeastOnce}, Broker: anyBroker{}})
	if err != nil {
		t.Fatal(err)
	}
	if set.Faults.Spec != "drop-response,leader-move,crash-consumer" || len(set.Faults.Skipped) != 0 {
		t.Errorf("at-least-once on the built-in broker: %q, skipped %q", set.Faults.Spec, set.Faults.Skipped)
	}
	if set.Faults.Seed == 0 || set.Faults.Seed > 1<<32 {
		t.Errorf("random seed %d, want in [1, 2^32]", set.Faults.Seed)
	}
	set, _ = verify.Resolve(verify.Options{RunSettings: verify.RunSettings{Faults: verify.FaultChoice{Mode: verify.FaultsNone}, Seed: 42}})
	if !set.Faults.None() || set.Faults.Spec != "none" || set.Faults.Seed != 42 {
		t.Errorf("--faults none: %+v", set.Faults)
	}
	kinds := verify.DefaultFaults(check.ExactlyOnce)
	for _, k := range []chaos.Kind{chaos.CrashProducer, chaos.CrashCopier, chaos.CoordinatorMove, chaos.CrashConsumer, chaos.DropResponse} {
		if !slices.Contains(kinds, k) {
			t.Errorf("exactly-once defaults lack %s", k)
		}
	}
}

func TestWorkloadDefaults(t *testing.T) {
	set, err := verify.Resolve(verify.Options{RunSettings: verify.RunSettings{Faults: verify.FaultChoice{Mode: verify.FaultsNone}}})
	if err != nil {
		t.Fatal(err)
	}
	w := set.Workload
	if w.Messages != verify.DefaultMessages || w.Rate != verify.DefaultRate || w.AbortRate != 0 || w.Partitions != verify.DefaultPartitions {
		t.Errorf("at-least-once workload = %+v", w)
	}
	set, _ = verify.Resolve(verify.Options{RunSettings: verify.RunSettings{Semantics: check.ExactlyOnce, Faults: verify.FaultChoice{Mode: verify.FaultsNone}, Workload: verify.Workload{Rate: -1, AbortRate: -1}}})
	if set.Workload.Rate != 0 || set.Workload.AbortRate != 0 {
		t.Errorf("negative rate and abort rate should mean none: %+v", set.Workload)
	}
	set, _ = verify.Resolve(verify.Options{RunSettings: verify.RunSettings{Semantics: check.ExactlyOnce, Faults: verify.FaultChoice{Mode: verify.FaultsNone}}})
	if set.Workload.AbortRate != verify.DefaultAbortRate {
		t.Errorf("exactly-once abort rate = %v", set.Workload.AbortRate)
	}
	if w.ProcessTime != verify.DefaultProcessTime || set.Workload.ProcessTime != 0 {
		t.Errorf("process time %v for consumers, %v for copiers; want the default and none", w.ProcessTime, set.Workload.ProcessTime)
	}
	set, _ = verify.Resolve(verify.Options{RunSettings: verify.RunSettings{Faults: verify.FaultChoice{Mode: verify.FaultsNone}, Workload: verify.Workload{ProcessTime: -1}}})
	if set.Workload.ProcessTime != 0 || set.Map()["process_time"] != "" {
		t.Errorf("a negative process time should mean none: %v, %q", set.Workload.ProcessTime, set.Map()["process_time"])
	}
}

// TestDefaultReaders: two group consumers by default; in the copy
// pipeline one copier per partition up to MaxDefaultCopiers, divided
// among the workers; an explicit count is kept.
func TestDefaultReaders(t *testing.T) {
	for _, tc := range []struct {
		sem                            check.Semantics
		consumers, partitions, workers int
		want                           int
	}{
		{check.AtLeastOnce, 0, 0, 1, verify.DefaultConsumers},
		{check.AtLeastOnce, 0, 12, 1, verify.DefaultConsumers},
		{check.ExactlyOnce, 0, 0, 1, verify.DefaultPartitions},
		{check.ExactlyOnce, 0, 4, 1, 4},
		{check.ExactlyOnce, 0, 1, 1, 1},
		{check.ExactlyOnce, 0, 40, 1, verify.MaxDefaultCopiers},
		{check.ExactlyOnce, 0, 6, 4, 2},
		{check.ExactlyOnce, 0, 2, 3, 1},
		{check.ExactlyOnce, 3, 12, 1, 3},
		{check.AtLeastOnce, 5, 6, 2, 5},
	} {
		opts := verify.Options{RunSettings: verify.RunSettings{Semantics: tc.sem, Faults: verify.FaultChoice{Mode: verify.FaultsNone},
			Workload: verify.Workload{Consumers: tc.consumers, Partitions: tc.partitions}}}
		if tc.workers > 1 {
			opts.Worker = &verify.Worker{Index: 0, Count: tc.workers}
		}
		set, err := verify.Resolve(opts)
		if err != nil {
			t.Fatal(err)
		}
		if set.Workload.Consumers != tc.want {
			t.Errorf("%s, --consumers %d, %d partitions, %d workers: %d readers, want %d", tc.sem, tc.consumers, tc.partitions, tc.workers, set.Workload.Consumers, tc.want)
		}
	}
}

// TestValidateBeforeTheBroker: broker faults pass for a run that will
// have the built-in broker, and every other setting is checked as Resolve
// checks it.
func TestValidateBeforeTheBroker(t *testing.T) {
	if err := verify.Validate(verify.Options{RunSettings: verify.RunSettings{Faults: mustFaults("leader-move")}}, true); err != nil {
		t.Errorf("leader-move on the built-in broker: %v", err)
	}
	for _, opts := range []verify.Options{{RunSettings: verify.RunSettings{Faults: mustFaults("leader-move")}},
		{RunSettings: verify.RunSettings{Workload: verify.Workload{Producers: -1}}}} {
		if err := verify.Validate(opts, opts.Faults.String() != "leader-move"); !errors.Is(err, kqerr.ErrUsage) {
			t.Errorf("%+v: err = %v, want a usage error", opts, err)
		}
	}
	if _, err := verify.ParseFaultChoice("response-error,code=INVALID_RECORD"); !errors.Is(err, kqerr.ErrUsage) {
		t.Errorf("a response-error code a produce cannot get: err = %v, want a usage error", err)
	}
}

func TestSettingsMap(t *testing.T) {
	set, err := verify.Resolve(verify.Options{RunSettings: verify.RunSettings{Semantics: check.ExactlyOnce, Faults: mustFaults("drop-response,p=0.5"), Seed: 9, Overrides: verify.Overrides{Acks: ptr(setting.AcksAll)}}})
	if err != nil {
		t.Fatal(err)
	}
	m := set.Map()
	want := map[string]string{"acks": "all", "commit": "txn", "faults": "drop-response,p=0.5", "seed": "9", "messages": "100000", "abort_rate": "0.05"}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("settings[%s] = %q, want %q", k, m[k], v)
		}
	}
	if _, ok := m["overridden"]; ok {
		t.Errorf("acks=all on exactly-once changes nothing, yet overridden = %q", m["overridden"])
	}
}

func TestParsers(t *testing.T) {
	if a, err := setting.ParseAcks("-1"); err != nil || a != setting.AcksAll {
		t.Errorf("acks -1 = %q, %v", a, err)
	}
	if i, err := setting.ParseIsolation("Read-Committed"); err != nil || i != setting.ReadCommitted {
		t.Errorf("isolation = %q, %v", i, err)
	}
	for _, bad := range []func() error{
		func() error { _, err := setting.ParseAcks("2"); return err },
		func() error { _, err := verify.ParseCommitMode("never"); return err },
		func() error { _, err := setting.ParseIsolation("serializable"); return err },
	} {
		if err := bad(); !errors.Is(err, kqerr.ErrUsage) {
			t.Errorf("err = %v, want a usage error", err)
		}
	}
}

// mustFaults is the fault choice s spells; a test's own spelling that does
// not parse panics.
func mustFaults(s string) verify.FaultChoice {
	c, err := verify.ParseFaultChoice(s)
	if err != nil {
		panic(err)
	}
	return c
}
