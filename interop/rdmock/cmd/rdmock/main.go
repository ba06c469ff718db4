// Command rdmock runs librdkafka's mock cluster (a second Kafka
// implementation, independent of kq's own) until stdin closes or it is
// signalled, printing "ready: <bootstrap addresses>" on stdout once it
// listens. The mock creates no topic on request, so -topic creates them.
//
//	go run ./cmd/rdmock -brokers 3 -topic orders:3 < /dev/tty
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
)

// topicList collects repeated -topic name:partitions flags.
type topicList []string

func (l *topicList) String() string     { return strings.Join(*l, ",") }
func (l *topicList) Set(s string) error { *l = append(*l, s); return nil }

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "rdmock:", err)
		os.Exit(1)
	}
}

func run() error {
	brokers := flag.Int("brokers", 3, "number of mock brokers")
	var topics topicList
	flag.Var(&topics, "topic", "topic to create, name:partitions (repeatable)")
	flag.Parse()
	mc, err := kafka.NewMockCluster(*brokers)
	if err != nil {
		return fmt.Errorf("start mock cluster: %w", err)
	}
	defer mc.Close()
	for _, t := range topics {
		if err := createTopic(mc, t); err != nil {
			return err
		}
	}
	fmt.Printf("ready: %s\n", mc.BootstrapServers())
	waitForEnd()
	return nil
}

func createTopic(mc *kafka.MockCluster, spec string) error {
	name, parts, _ := strings.Cut(spec, ":")
	n, err := strconv.Atoi(parts)
	if err != nil || n < 1 || name == "" {
		return fmt.Errorf("-topic %q: want name:partitions", spec)
	}
	if err := mc.CreateTopic(name, n, 1); err != nil {
		return fmt.Errorf("create topic %s: %w", name, err)
	}
	return nil
}

// waitForEnd returns when stdin reaches its end or on SIGINT/SIGTERM.
func waitForEnd() {
	done := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); close(done) }()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	select {
	case <-done:
	case <-sig:
	}
}
