package rdmock

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/internal/clusterinfo"
)

// TestNoController: the mock names controller 0, which is no broker, so
// sarama builds no ClusterAdmin, and every kq command that needs one fails
// with "controller is not available" (kq consume needs it to list offsets
// by isolation level).
func TestNoController(t *testing.T) {
	boot := startMock(t, "t")
	if _, err := kqFactory(boot, workingVersion).Admin(); !errors.Is(err, sarama.ErrControllerNotAvailable) {
		t.Fatalf("admin: %v, want %v", err, sarama.ErrControllerNotAvailable)
	}
	for _, args := range [][]string{
		{"consume", "t", "-e"},
		{"consume", "t", "-g", "g", "-e"},
		{"groups", "list"},
		{"groups", "describe", "g"},
		{"topics", "list"},
		{"offsets", "t"},
	} {
		args = append(args, "-b", boot, "--kafka-version", workingVersion)
		res := runKQ(t, "", args...)
		if res.code == 0 || !strings.Contains(res.stderr, "controller is not available") {
			t.Errorf("kq %s: exit %d, stderr %q; want no controller (if this works now, update the known limits)",
				strings.Join(args[:2], " "), res.code, res.stderr)
		}
	}
}

// TestMissingAPIs: the mock serves no group or topic administration API,
// so kq groups and kq topics could not work even with a controller.
func TestMissingAPIs(t *testing.T) {
	boot := startMock(t)
	res := runKQ(t, "", "cluster", "--apis", "-o", "json", "-b", boot, "--kafka-version", workingVersion)
	if res.code != 0 {
		t.Fatalf("kq cluster --apis: exit %d: %s", res.code, res.stderr)
	}
	var info clusterinfo.Info
	if err := json.Unmarshal([]byte(res.stdout), &info); err != nil {
		t.Fatal(err)
	}
	has := map[int16]bool{}
	for _, a := range info.APIs {
		has[a.Key] = true
	}
	for _, key := range []int16{0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 22, 24, 25, 26, 28} {
		if !has[key] {
			t.Errorf("API %d (%s) missing; the mock served it before", key, kmsg.NameForKey(key))
		}
	}
	missing := map[int16]string{15: "DescribeGroups", 16: "ListGroups", 19: "CreateTopics", 20: "DeleteTopics",
		32: "DescribeConfigs", 37: "CreatePartitions", 42: "DeleteGroups", 47: "OffsetDelete", 60: "DescribeCluster"}
	for key, name := range missing {
		if has[key] {
			t.Errorf("the mock serves %s (%d) now: update the known limits", name, key)
		}
	}
}
