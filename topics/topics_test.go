package topics

import (
	"errors"
	"reflect"
	"testing"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/offsets"
	"github.com/kq-dev/kq/internal/testutil"
)

func setup(t *testing.T, nodes int, topics map[string]int32) (*Admin, conn.Factory, *broker.Broker) {
	t.Helper()
	b, f := testutil.Cluster(t, &broker.Options{Nodes: nodes, SeedTopics: topics})
	a, err := Open(f)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { a.Close() })
	return a, f, b
}

func names(ss []Summary) []string {
	out := []string{}
	for _, s := range ss {
		out = append(out, s.Name)
	}
	return out
}

func TestCreateListDescribe(t *testing.T) {
	a, f, _ := setup(t, 3, nil)
	if err := a.Create("orders", CreateOptions{Partitions: 4, ReplicationFactor: 2, Configs: map[string]string{"retention.ms": "3600000"}}); err != nil {
		t.Fatalf("create: %v", err)
	}
	if err := a.Create("audit", CreateOptions{}); err != nil {
		t.Fatalf("create with broker defaults: %v", err)
	}
	err := a.Create("orders", CreateOptions{Partitions: 1})
	if !errors.Is(err, ErrTopicExists) || err.Error() != "topic orders already exists" {
		t.Errorf("create again: %v", err)
	}
	list, err := a.List(ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(list); !reflect.DeepEqual(got, []string{"audit", "orders"}) {
		t.Fatalf("list = %v", got)
	}
	if o := list[1]; o.Partitions != 4 || o.ReplicationFactor != 2 || o.Internal {
		t.Errorf("orders = %+v", o)
	}

	testutil.Produce(t, f, testutil.Msg("orders", 2, "", "x"), testutil.Msg("orders", 2, "", "x"), testutil.Msg("orders", 2, "", "x"))

	d, err := a.Describe("orders")
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "orders" || d.ID == "" || d.ReplicationFactor != 2 || len(d.Partitions) != 4 {
		t.Fatalf("describe = %+v", d)
	}
	p2 := d.Partitions[2]
	if p2.ID != 2 || p2.LogEnd != 3 || p2.LogStart != 0 || p2.LastStable != 3 || len(p2.Replicas) != 2 || len(p2.ISR) != 2 || p2.Leader < 0 {
		t.Errorf("partition 2 = %+v", p2)
	}
	if !reflect.DeepEqual(d.Configs, []Config{{Name: "retention.ms", Value: "3600000", Source: "Topic"}}) {
		t.Errorf("configs = %+v, want retention.ms only", d.Configs)
	}
	if _, err := a.Describe("nope"); !errors.Is(err, offsets.ErrTopicNotFound) || err.Error() != "topic nope does not exist" {
		t.Errorf("describe nope: %v", err)
	}
}

func TestListInternal(t *testing.T) {
	a, _, _ := setup(t, 1, map[string]int32{"t": 1})
	// kfake marks a topic internal by this config.
	if err := a.Create("__internal", CreateOptions{Partitions: 1, Configs: map[string]string{"kfake.is_internal": "true"}}); err != nil {
		t.Fatal(err)
	}
	list, err := a.List(ListOptions{})
	if err != nil || !reflect.DeepEqual(names(list), []string{"t"}) {
		t.Errorf("without --internal: %v, %v", names(list), err)
	}
	list, err = a.List(ListOptions{Internal: true})
	if err != nil || !reflect.DeepEqual(names(list), []string{"__internal", "t"}) || !list[0].Internal {
		t.Errorf("with --internal: %+v, %v", list, err)
	}
}

func TestDelete(t *testing.T) {
	a, _, _ := setup(t, 1, map[string]int32{"a": 1, "b": 1, "c": 1})
	res, err := a.Delete([]string{"a", "nope", "c"})
	if !errors.Is(err, offsets.ErrTopicNotFound) {
		t.Errorf("error = %v, want topic not found", err)
	}
	want := []DeleteResult{{Topic: "a", Deleted: true}, {Topic: "nope", Error: "topic nope does not exist"}, {Topic: "c", Deleted: true}}
	if !reflect.DeepEqual(res, want) {
		t.Errorf("results = %+v", res)
	}
	list, err := a.List(ListOptions{})
	if err != nil || !reflect.DeepEqual(names(list), []string{"b"}) {
		t.Errorf("after delete: %v, %v", names(list), err)
	}
}

func TestDeleteIfExists(t *testing.T) {
	a, _, _ := setup(t, 1, map[string]int32{"a": 1})
	res, err := a.DeleteTopics([]string{"nope", "a"}, true)
	want := []DeleteResult{{Topic: "nope", Missing: true}, {Topic: "a", Deleted: true}}
	if err != nil || !reflect.DeepEqual(res, want) {
		t.Errorf("DeleteTopics(ifExists) = %+v, %v; want %+v", res, err, want)
	}
}

func TestAddPartitions(t *testing.T) {
	a, _, _ := setup(t, 1, map[string]int32{"t": 2})
	ch, err := a.AddPartitions("t", 3)
	if err != nil || ch != (PartitionChange{Topic: "t", Before: 2, After: 5}) {
		t.Fatalf("add = %+v, %v", ch, err)
	}
	d, err := a.Describe("t")
	if err != nil || len(d.Partitions) != 5 {
		t.Errorf("partitions after add: %d, %v", len(d.Partitions), err)
	}
	if _, err := a.AddPartitions("nope", 1); !errors.Is(err, offsets.ErrTopicNotFound) {
		t.Errorf("add to nope: %v", err)
	}
	if _, err := a.AddPartitions("t", 0); !errors.Is(err, kqerr.ErrUsage) {
		t.Errorf("add 0: %v", err)
	}
}

func TestAlterConfig(t *testing.T) {
	a, _, _ := setup(t, 1, map[string]int32{"t": 1})
	if err := a.AlterConfig("t", map[string]string{"retention.ms": "1000", "cleanup.policy": "compact"}, nil); err != nil {
		t.Fatal(err)
	}
	d, err := a.Describe("t")
	if err != nil {
		t.Fatal(err)
	}
	want := []Config{{Name: "cleanup.policy", Value: "compact", Source: "Topic"}, {Name: "retention.ms", Value: "1000", Source: "Topic"}}
	if !reflect.DeepEqual(d.Configs, want) {
		t.Errorf("configs = %+v, want %+v", d.Configs, want)
	}
	if err := a.AlterConfig("t", nil, []string{"retention.ms"}); err != nil {
		t.Fatal(err)
	}
	if d, _ = a.Describe("t"); len(d.Configs) != 1 || d.Configs[0].Name != "cleanup.policy" {
		t.Errorf("after delete: %+v", d.Configs)
	}
	if err := a.AlterConfig("nope", map[string]string{"retention.ms": "1"}, nil); !errors.Is(err, offsets.ErrTopicNotFound) {
		t.Errorf("alter nope: %v", err)
	}
	if err := a.AlterConfig("t", nil, nil); !errors.Is(err, kqerr.ErrUsage) {
		t.Errorf("alter nothing: %v", err)
	}
	if err := a.AlterConfig("t", map[string]string{"a": "1"}, []string{"a"}); !errors.Is(err, kqerr.ErrUsage) {
		t.Errorf("set and delete one key: %v", err)
	}
}

func TestParseConfigs(t *testing.T) {
	got, err := ParseConfigs([]string{"retention.ms=100", "cleanup.policy=compact,delete", "x="})
	want := map[string]string{"retention.ms": "100", "cleanup.policy": "compact,delete", "x": ""}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ParseConfigs = %v, %v", got, err)
	}
	for _, bad := range [][]string{{"novalue"}, {"=1"}, {"a=1", "a=2"}} {
		if _, err := ParseConfigs(bad); !errors.Is(err, kqerr.ErrUsage) {
			t.Errorf("ParseConfigs(%q) = %v, want a usage error", bad, err)
		}
	}
}
