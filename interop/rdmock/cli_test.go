package rdmock

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/kq-dev/kq/internal/clusterinfo"
)

// TestKQCluster: kq cluster lists the mock's three brokers at the addresses
// it bootstraps from. The controller the mock reports (0) is no broker.
func TestKQCluster(t *testing.T) {
	boot := startMock(t)
	res := runKQ(t, "", "cluster", "-b", boot, "--kafka-version", workingVersion, "-o", "json")
	if res.code != 0 {
		t.Fatalf("kq cluster: exit %d: %s", res.code, res.stderr)
	}
	var info clusterinfo.Info
	if err := json.Unmarshal([]byte(res.stdout), &info); err != nil {
		t.Fatalf("kq cluster -o json: %v\n%s", err, res.stdout)
	}
	var addrs []string
	for i, b := range info.Brokers {
		if b.ID != int32(i+1) {
			t.Errorf("broker %d has id %d, want %d", i, b.ID, i+1)
		}
		if b.ID == info.Controller {
			t.Errorf("controller %d is a broker now: update the known limits", info.Controller)
		}
		addrs = append(addrs, b.Address)
	}
	want := strings.Split(boot, ",")
	slices.Sort(addrs)
	slices.Sort(want)
	if !slices.Equal(addrs, want) {
		t.Fatalf("brokers at %v, want %v", addrs, want)
	}
	if !strings.HasPrefix(info.ClusterID, "mockCluster") {
		t.Errorf("cluster id %q, want the mock's", info.ClusterID)
	}
}

// TestKQProduce: kq produce --input json writes keys, values, headers, a
// null key and a tombstone; kq's sarama consumer reads exactly them back.
func TestKQProduce(t *testing.T) {
	boot := startMock(t, "orders")
	input := `{"key":"k1","value":"v1 \u00e9","headers":[{"key":"h","value":"x"},{"key":"h","value":"y"}]}
{"key":null,"value":"no key"}
{"key":"gone","value":null}
{"key":"k2","value":"v2"}
`
	res := runKQ(t, input, "produce", "orders", "--input", "json", "-b", boot, "--kafka-version", workingVersion)
	if res.code != 0 {
		t.Fatalf("kq produce: exit %d: %s", res.code, res.stderr)
	}
	if !strings.Contains(res.stderr, "acked 4") {
		t.Errorf("kq produce summary %q does not report 4 acked", res.stderr)
	}
	got, err := readAll(kqFactory(boot, workingVersion), "orders", 0)
	if err != nil {
		t.Fatal(err)
	}
	s := func(v string) *string { return &v }
	want := []record{
		{key: s("k1"), value: s("v1 \u00e9"), headers: []string{"h=x", "h=y"}},
		{value: s("no key")},
		{key: s("gone")},
		{key: s("k2"), value: s("v2")},
	}
	sameRecords(t, got, want)
}

// TestKQProduceNoTopic: the mock creates no topic on request, so kq
// produce needs the topic to exist, and --create needs a controller.
func TestKQProduceNoTopic(t *testing.T) {
	boot := startMock(t)
	res := runKQ(t, "x\n", "produce", "missing", "-b", boot, "--kafka-version", workingVersion)
	if res.code == 0 || !strings.Contains(res.stderr, "does not exist") {
		t.Fatalf("kq produce to a missing topic: exit %d, stderr %q; want a missing-topic error", res.code, res.stderr)
	}
	res = runKQ(t, "x\n", "produce", "missing", "--create", "-b", boot, "--kafka-version", workingVersion)
	if res.code == 0 || !strings.Contains(res.stderr, "controller is not available") {
		t.Fatalf("kq produce --create: exit %d, stderr %q; want no controller", res.code, res.stderr)
	}
}
