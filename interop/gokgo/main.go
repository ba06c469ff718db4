// Command gokgo is the franz-go (kgo) client of kq's interop suite.
//
//	gokgo txn -brokers B -topic T -count N -aborted-out FILE
//	gokgo consume -brokers B -topic T -count N
//
// txn writes N records in a transaction of an idempotent transactional
// producer and commits it, then N more in a second transaction and aborts
// it; it prints the committed records on stdout and the aborted ones to
// FILE. consume reads N records with isolation read_committed from the
// earliest offsets, keeps reading for a grace period to catch extra records,
// and prints what it read. Records are printed one per line in kq's JSON form
// (key, value, headers), so the suite can compare them with what kq reads
// and writes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "gokgo:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return errors.New("usage: gokgo txn|consume [flags]")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch args[0] {
	case "txn":
		return runTxn(ctx, args[1:])
	case "consume":
		return runConsume(ctx, args[1:])
	}
	return fmt.Errorf("unknown subcommand %q (want txn or consume)", args[0])
}

// common are the flags every subcommand takes.
type common struct {
	brokers string
	topic   string
	count   int
	timeout time.Duration
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.brokers, "brokers", "", "bootstrap brokers, comma-separated")
	fs.StringVar(&c.topic, "topic", "", "topic")
	fs.IntVar(&c.count, "count", 20, "records to write or read")
	fs.DurationVar(&c.timeout, "timeout", 30*time.Second, "overall time limit")
}

func (c *common) validate() error {
	if c.brokers == "" || c.topic == "" || c.count < 1 {
		return errors.New("-brokers, -topic and a positive -count are required")
	}
	return nil
}

func (c *common) seeds() []string { return strings.Split(c.brokers, ",") }
