package cmd

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/output"
	"github.com/kq-dev/kq/internal/setting"
	"github.com/kq-dev/kq/internal/testutil"
)

func TestProduceFlags(t *testing.T) {
	got, err := parseOptions(t, NewCmdProduce, "orders", "--key", "", "-H", "a=b", "-p", "2", "--acks", "1", "--gen", "5", "--seq")
	if err != nil {
		t.Fatal(err)
	}
	if got.Topic != "orders" || !got.KeySet || got.Key != "" || got.Partition != 2 || got.Acks != "1" || !got.generating() ||
		!got.cmdChanged("seq") || got.cmdChanged("size") {
		t.Errorf("options %+v", got)
	}
	tmpl, err := got.template()
	if err != nil || tmpl.Key == nil || len(tmpl.Key) != 0 || *tmpl.Partition != 2 || string(tmpl.Headers[0].Value) != "b" {
		t.Errorf("template %+v, %v", tmpl, err)
	}
	po, err := got.runOptions()
	if err != nil || po.Settings.Acks != setting.AcksLeader || po.Topic != "orders" {
		t.Errorf("run options %+v, %v", po, err)
	}
}

func TestParseRate(t *testing.T) {
	for in, want := range map[string]float64{"": 0, "100": 100, "2.5/s": 2.5} {
		if got, err := parseRate(in); err != nil || got != want {
			t.Errorf("parseRate(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"fast", "-1", "10/m"} {
		if _, err := parseRate(in); kqerr.Code(err) != kqerr.CodeUsage {
			t.Errorf("parseRate(%q): %v", in, err)
		}
	}
}

// TestProduceInterrupt: Ctrl-C while the input is still open flushes what
// was read, reports every acked record and exits 130.
func TestProduceInterrupt(t *testing.T) {
	b := testutil.StartBroker(t, &broker.Options{Nodes: 1, SeedTopics: map[string]int32{"t": 1}})
	inR, inW := io.Pipe()
	defer inW.Close()
	var out, errOut bytes.Buffer
	ios := &output.IOStreams{In: inR, Out: &out, ErrOut: &errOut}
	env := map[string]string{"XDG_CONFIG_HOME": t.TempDir()}
	f := NewFactory(ios, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	code := make(chan int, 1)
	go func() { code <- Run(ctx, f, []string{"produce", "t", "--report", "-b", b.Bootstrap()}) }()
	go io.WriteString(inW, "a\nb\nc\n") // fails once the test closes the pipe
	testutil.Eventually(t, 10*time.Second, "3 records in the topic", func() bool {
		select {
		case c := <-code:
			t.Fatalf("produce ended early with code %d: %s", c, errOut.String())
		default:
		}
		_, high, _, err := b.PartitionOffsets("t", 0)
		return err == nil && high == 3
	})
	cancel()
	select {
	case c := <-code:
		if c != kqerr.CodeInterrupted {
			t.Errorf("exit code %d, stderr %s", c, errOut.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("produce did not stop after the interrupt")
	}
	if n := strings.Count(out.String(), "\n"); n != 4 || !strings.Contains(out.String(), "line 3") {
		t.Errorf("report:\n%s", out.String())
	}
	e := errOut.String()
	if !strings.Contains(e, "sent 3, acked 3, failed 0") || !strings.Contains(e, "kq: interrupted: stopped after reading 3 records") {
		t.Errorf("stderr:\n%s", e)
	}
}
