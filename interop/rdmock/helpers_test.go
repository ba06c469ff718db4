package rdmock

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/confluentinc/confluent-kafka-go/v2/kafka"

	"github.com/kq-dev/kq/internal/conn"
)

// workingVersion is the highest --kafka-version under which kq's sarama
// clients can decode every response of the mock (see TestKafkaVersions).
const workingVersion = "2.3.0"

// startMock starts a three-broker mock cluster with the given topics (three
// partitions each: the mock creates no topic on request) and returns its
// bootstrap list.
func startMock(t *testing.T, topics ...string) string {
	t.Helper()
	mc, err := kafka.NewMockCluster(3)
	if err != nil {
		t.Fatalf("start mock cluster: %v", err)
	}
	t.Cleanup(mc.Close)
	for _, topic := range topics {
		if err := mc.CreateTopic(topic, 3, 1); err != nil {
			t.Fatalf("create topic %s: %v", topic, err)
		}
	}
	return mc.BootstrapServers()
}

// kqFactory is kq's connection factory for the mock at a protocol version,
// with short timeouts and no producer retries (a retry would hide a failed
// response behind a duplicate).
func kqFactory(bootstrap, version string) conn.Factory {
	p := conn.Profile{Brokers: conn.SplitBrokers(bootstrap), KafkaVersion: version, Timeout: 5 * time.Second}
	return conn.Factory{Profile: p.WithDefaults(), Tweak: func(c *sarama.Config) {
		c.Producer.Retry.Max = 0
		c.Metadata.Retry.Max = 1
		c.Metadata.Retry.Backoff = 100 * time.Millisecond
	}}
}

// kqResult is the outcome of one kq run.
type kqResult struct {
	stdout, stderr string
	code           int
}

// runKQ runs the kq binary with stdin, bounded to a minute, with no config
// file and no KQ_ variables from the environment.
func runKQ(t *testing.T, stdin string, args ...string) kqResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Getenv("KQ_BIN"), args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "XDG_CONFIG_HOME=" + t.TempDir(), "NO_COLOR=1"}
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	res := kqResult{stdout: out.String(), stderr: errOut.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		res.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("run kq %v: %v", args, err)
	}
	return res
}

// record is a record reduced to what the tests compare.
type record struct {
	key, value *string
	headers    []string // "k=v"
}

func (r record) String() string {
	show := func(s *string) string {
		if s == nil {
			return "<null>"
		}
		return *s
	}
	return fmt.Sprintf("%s|%s|%s", show(r.key), show(r.value), strings.Join(r.headers, ","))
}

func fromSarama(m *sarama.ConsumerMessage) record {
	str := func(b []byte) *string {
		if b == nil {
			return nil
		}
		s := string(b)
		return &s
	}
	r := record{key: str(m.Key), value: str(m.Value)}
	for _, h := range m.Headers {
		r.headers = append(r.headers, string(h.Key)+"="+string(h.Value))
	}
	return r
}

// sameRecords fails the test unless got and want hold the same records,
// in any order.
func sameRecords(t *testing.T, got, want []record) {
	t.Helper()
	g, w := strs(got), strs(want)
	if !slices.Equal(g, w) {
		t.Fatalf("records differ:\n got %d: %q\nwant %d: %q", len(g), g, len(w), w)
	}
}

func strs(rs []record) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.String())
	}
	slices.Sort(out)
	return out
}
