package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/twmb/franz-go/pkg/kgo"
)

func runTxn(ctx context.Context, args []string) error {
	var c common
	var abortedOut, txnID, prefix string
	fs := flag.NewFlagSet("txn", flag.ContinueOnError)
	c.register(fs)
	fs.StringVar(&abortedOut, "aborted-out", "", "file to write the aborted records to")
	fs.StringVar(&txnID, "transactional-id", "interop-kgo", "transactional id")
	fs.StringVar(&prefix, "prefix", "kgo", "key and value prefix")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := c.validate(); err != nil {
		return fmt.Errorf("txn: %w", err)
	}
	if abortedOut == "" {
		return errors.New("txn: -aborted-out is required")
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	cl, err := kgo.NewClient(
		kgo.SeedBrokers(c.seeds()...),
		kgo.ClientID("interop-kgo"),
		kgo.TransactionalID(txnID),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.AllowAutoTopicCreation(),
	)
	if err != nil {
		return fmt.Errorf("new client: %w", err)
	}
	defer cl.Close()
	committed := makeRecords(c.topic, prefix+"-committed", c.count)
	aborted := makeRecords(c.topic, prefix+"-aborted", c.count)
	if err := oneTxn(ctx, cl, committed, kgo.TryCommit); err != nil {
		return fmt.Errorf("committed transaction: %w", err)
	}
	if err := oneTxn(ctx, cl, aborted, kgo.TryAbort); err != nil {
		return fmt.Errorf("aborted transaction: %w", err)
	}
	return writeTxnResult(committed, aborted, abortedOut)
}

// oneTxn produces recs in one transaction and ends it with end.
func oneTxn(ctx context.Context, cl *kgo.Client, recs []*kgo.Record, end kgo.TransactionEndTry) error {
	if err := cl.BeginTransaction(); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		_ = cl.EndTransaction(ctx, kgo.TryAbort)
		return fmt.Errorf("produce: %w", err)
	}
	if end == kgo.TryCommit {
		if err := cl.Flush(ctx); err != nil {
			return fmt.Errorf("flush: %w", err)
		}
	} else if err := cl.AbortBufferedRecords(ctx); err != nil {
		return fmt.Errorf("abort buffered: %w", err)
	}
	if err := cl.EndTransaction(ctx, end); err != nil {
		return fmt.Errorf("end: %w", err)
	}
	return nil
}

func writeTxnResult(committed, aborted []*kgo.Record, abortedOut string) error {
	for _, r := range committed {
		if err := writeRecord(os.Stdout, r); err != nil {
			return err
		}
	}
	f, err := os.Create(abortedOut)
	if err != nil {
		return fmt.Errorf("aborted-out: %w", err)
	}
	for _, r := range aborted {
		if err := writeRecord(f, r); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}
