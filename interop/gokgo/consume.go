package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

func runConsume(ctx context.Context, args []string) error {
	var c common
	var grace time.Duration
	fs := flag.NewFlagSet("consume", flag.ContinueOnError)
	c.register(fs)
	fs.DurationVar(&grace, "grace", time.Second, "keep reading this long after -count records to catch extras")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := c.validate(); err != nil {
		return fmt.Errorf("consume: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(c.seeds()...),
		kgo.ClientID("interop-kgo"),
		kgo.ConsumeTopics(c.topic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
	)
	if err != nil {
		return fmt.Errorf("new client: %w", err)
	}
	defer cl.Close()
	got, err := consumeN(ctx, cl, c.count, grace)
	if err != nil {
		return err
	}
	if got < c.count {
		return fmt.Errorf("got %d of %d records before the time limit", got, c.count)
	}
	return nil
}

// consumeN prints records until n were read and then for grace more; it
// returns how many it printed. Running out of time is not an error here.
func consumeN(ctx context.Context, cl *kgo.Client, n int, grace time.Duration) (int, error) {
	got := 0
	pollCtx := ctx
	for {
		fetches := cl.PollFetches(pollCtx)
		if err := fetchErr(fetches); err != nil {
			return got, err
		}
		for it := fetches.RecordIter(); !it.Done(); {
			if err := writeRecord(os.Stdout, it.Next()); err != nil {
				return got, err
			}
			got++
		}
		if pollCtx.Err() != nil {
			return got, nil
		}
		if got >= n && pollCtx == ctx {
			var cancel context.CancelFunc
			pollCtx, cancel = context.WithTimeout(ctx, grace)
			defer cancel()
		}
	}
}

// fetchErr returns the first fetch error other than the end of the poll.
func fetchErr(fetches kgo.Fetches) error {
	for _, fe := range fetches.Errors() {
		if errors.Is(fe.Err, context.DeadlineExceeded) || errors.Is(fe.Err, context.Canceled) {
			continue
		}
		return fmt.Errorf("fetch %s/%d: %w", fe.Topic, fe.Partition, fe.Err)
	}
	return nil
}
