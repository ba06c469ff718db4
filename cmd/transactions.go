package cmd

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/offsets"
	"github.com/kq-dev/kq/internal/output"
	"github.com/kq-dev/kq/transactions"
)

// TransactionsOptions are the options of the `kq transactions` subcommands
// and `kq producers`.
type TransactionsOptions struct {
	f *Factory
	// Output is table or json.
	Output string
	// States filters list by transaction state.
	States []string
	// Abort names the transaction abort ends.
	Abort transactions.AbortOptions
	// Args are the positional arguments (transactional ids, topics).
	Args []string
}

// NewCmdTransactions returns `kq transactions`.
func NewCmdTransactions(f *Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "transactions",
		Short: "List, describe and abort transactions (hanging ones included)",
		Long: `Shows the cluster's transactional ids and their open transactions, and
aborts a hanging transaction (one whose producer is gone and that holds back
a partition's last stable offset, so read_committed consumers stall) by
writing an abort marker on the partition, as kafka-transactions.sh abort
does. kq producers TOPIC shows each partition's active producers and where
their open transactions start; kq offsets shows which transaction blocks a
partition.`,
		Example: `  kq transactions list
  kq transactions describe payments-1 -o json
  kq producers orders
  kq transactions abort --topic orders --partition 0 --start-offset 1041`,
	}
	c.AddCommand(newCmdTxnList(f, nil), newCmdTxnDescribe(f, nil), newCmdTxnAbort(f, nil))
	return c
}

// txnCommand wires a subcommand's run.
func txnCommand(f *Factory, c *cobra.Command, o *TransactionsOptions, runF func(*TransactionsOptions) error, run func(context.Context, *TransactionsOptions, []string) error) *cobra.Command {
	return argsCommand(c, o, &o.Args, &o.Output, runF, run)
}

// open returns the transactions admin and the printer.
func (o *TransactionsOptions) open() (*transactions.Admin, *output.Printer, func(), error) {
	p, err := o.f.Printer(o.Output)
	if err != nil {
		return nil, nil, nil, err
	}
	cl, closeFn, err := o.f.Kadmin()
	if err != nil {
		return nil, nil, nil, err
	}
	return transactions.New(cl), p, closeFn, nil
}

func newCmdTxnList(f *Factory, runF func(*TransactionsOptions) error) *cobra.Command {
	o := &TransactionsOptions{f: f}
	c := &cobra.Command{
		Use: "list", Short: "List transactional ids with producer id and state", Args: usageArgs(cobra.NoArgs),
		Example: "  kq transactions list\n  kq transactions list --state Ongoing -o json",
	}
	c.Flags().StringSliceVar(&o.States, "state", nil, "only these states (Ongoing, Empty, CompleteCommit, ...)")
	return txnCommand(f, c, o, runF, func(ctx context.Context, o *TransactionsOptions, _ []string) error {
		a, p, closeFn, err := o.open()
		if err != nil {
			return err
		}
		defer closeFn()
		txns, err := a.List(ctx, o.States...)
		if err != nil {
			return err
		}
		if p.Format == output.JSON {
			return p.JSON(nonNil(txns))
		}
		rows := make([][]string, len(txns))
		for i, t := range txns {
			rows[i] = []string{t.TransactionalID, strconv.FormatInt(t.ProducerID, 10), t.State, strconv.Itoa(int(t.Coordinator))}
		}
		return p.Table([]string{"TRANSACTIONAL ID", "PRODUCER ID", "STATE", "COORDINATOR"}, rows)
	})
}

func newCmdTxnDescribe(f *Factory, runF func(*TransactionsOptions) error) *cobra.Command {
	o := &TransactionsOptions{f: f}
	c := &cobra.Command{
		Use: "describe TRANSACTIONAL-ID...", Short: "Show state, producer, timeout, start and partitions of transactions",
		Args: usageArgs(cobra.MinimumNArgs(1)), Example: "  kq transactions describe payments-1\n  kq transactions describe a b -o json",
	}
	return txnCommand(f, c, o, runF, func(ctx context.Context, o *TransactionsOptions, ids []string) error {
		a, p, closeFn, err := o.open()
		if err != nil {
			return err
		}
		defer closeFn()
		ds, err := a.Describe(ctx, ids...)
		if err != nil {
			return err
		}
		if p.Format == output.JSON {
			return p.JSON(nonNil(ds))
		}
		rows := make([][]string, len(ds))
		for i, d := range ds {
			rows[i] = []string{d.TransactionalID, d.State, fmt.Sprintf("%d/%d", d.ProducerID, d.ProducerEpoch),
				(time.Duration(d.TimeoutMs) * time.Millisecond).String(), startTime(d.StartTimestamp), txnPartitions(d.Partitions), d.Error}
		}
		return p.Table([]string{"TRANSACTIONAL ID", "STATE", "PRODUCER/EPOCH", "TIMEOUT", "STARTED", "PARTITIONS", "ERROR"}, rows)
	})
}

func startTime(ms int64) string {
	if ms < 0 {
		return "-"
	}
	return time.UnixMilli(ms).UTC().Format(time.RFC3339)
}

func txnPartitions(ps []offsets.TopicPartition) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = fmt.Sprintf("%s/%d", p.Topic, p.Partition)
	}
	return strings.Join(parts, ",")
}

func newCmdTxnAbort(f *Factory, runF func(*TransactionsOptions) error) *cobra.Command {
	o := &TransactionsOptions{f: f}
	c := &cobra.Command{
		Use:   "abort --topic TOPIC --partition N (--start-offset OFFSET | --producer-id ID)",
		Short: "Abort a hanging transaction on a partition by writing an abort marker",
		Args:  usageArgs(cobra.NoArgs),
		Example: `  kq producers orders        # find the open transaction's start offset
  kq transactions abort --topic orders --partition 0 --start-offset 1041`,
	}
	fl := c.Flags()
	fl.StringVar(&o.Abort.Topic, "topic", "", "topic of the hanging transaction")
	fl.Int32Var(&o.Abort.Partition, "partition", -1, "partition of the hanging transaction")
	fl.Int64Var(&o.Abort.StartOffset, "start-offset", -1, "first offset of the transaction on the partition")
	fl.Int64Var(&o.Abort.ProducerID, "producer-id", -1, "producer id holding the transaction open")
	return txnCommand(f, c, o, runF, func(ctx context.Context, o *TransactionsOptions, _ []string) error {
		if o.Abort.Topic == "" || o.Abort.Partition < 0 {
			return kqerr.Usagef("--topic and --partition are required")
		}
		a, p, closeFn, err := o.open()
		if err != nil {
			return err
		}
		defer closeFn()
		res, err := a.Abort(ctx, o.Abort)
		if err != nil {
			return err
		}
		if p.Format == output.JSON {
			return p.JSON(res)
		}
		_, err = fmt.Fprintf(o.f.IO.Out, "aborted the transaction of producer %d (epoch %d) on %s/%d that started at offset %d\n",
			res.ProducerID, res.ProducerEpoch, res.Topic, res.TopicPartition.Partition, res.StartOffset)
		return err
	})
}

// NewCmdProducers returns `kq producers`.
func NewCmdProducers(f *Factory) *cobra.Command {
	o := &TransactionsOptions{f: f}
	c := &cobra.Command{
		Use:   "producers TOPIC...",
		Short: "Show the active producers of each partition and their open transactions",
		Args:  usageArgs(cobra.MinimumNArgs(1)),
		Example: `  kq producers orders
  kq producers orders payments -o json`,
	}
	return txnCommand(f, c, o, nil, func(ctx context.Context, o *TransactionsOptions, topics []string) error {
		a, p, closeFn, err := o.open()
		if err != nil {
			return err
		}
		defer closeFn()
		ps, err := a.Producers(ctx, topics...)
		if err != nil {
			return err
		}
		if p.Format == output.JSON {
			return p.JSON(nonNil(ps))
		}
		rows := make([][]string, len(ps))
		for i, x := range ps {
			open := "-"
			if x.TxnStartOffset >= 0 {
				open = strconv.FormatInt(x.TxnStartOffset, 10)
			}
			rows[i] = []string{x.Topic, strconv.Itoa(int(x.TopicPartition.Partition)), strconv.FormatInt(x.ProducerID, 10),
				strconv.Itoa(int(x.ProducerEpoch)), strconv.Itoa(int(x.LastSequence)), startTime(x.LastTimestamp), open}
		}
		return p.Table([]string{"TOPIC", "PARTITION", "PRODUCER ID", "EPOCH", "LAST SEQUENCE", "LAST WRITE", "OPEN TXN START"}, rows)
	})
}
