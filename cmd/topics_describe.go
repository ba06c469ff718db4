package cmd

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/internal/output"
	"github.com/kq-dev/kq/topics"
)

// TopicsDescribeOptions are the options of `kq topics describe`.
type TopicsDescribeOptions struct {
	f *Factory
	// Topic is the topic to describe.
	Topic string
	// Output is table or json.
	Output string
}

// NewCmdTopicsDescribe returns `kq topics describe`.
func NewCmdTopicsDescribe(f *Factory, runF func(*TopicsDescribeOptions) error) *cobra.Command {
	opts := &TopicsDescribeOptions{f: f}
	c := &cobra.Command{
		Use:   "describe TOPIC",
		Short: "Show a topic's partitions (leader, replicas, ISR, watermarks) and non-default configs",
		Example: `  kq topics describe orders
  kq topics describe orders -o json | jq '.partitions[] | select(.isr != .replicas)'`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Topic = args[0]
			if runF != nil {
				return runF(opts)
			}
			return topicsDescribeRun(opts)
		},
	}
	addOutputFlag(c, &opts.Output)
	return c
}

func topicsDescribeRun(opts *TopicsDescribeOptions) error {
	p, a, err := printerAndConnect(opts.f, opts.Output, topics.Open)
	if err != nil {
		return err
	}
	defer a.Close()
	d, err := a.Describe(opts.Topic)
	if err != nil {
		return err
	}
	if p.Format == "json" {
		return p.JSON(d)
	}
	return renderTopic(p, d)
}

func renderTopic(p *output.Printer, d topics.Description) error {
	kv := [][2]string{{"topic", d.Name}, {"id", dashIfEmpty(d.ID)}, {"partitions", strconv.Itoa(len(d.Partitions))},
		{"replication", strconv.Itoa(d.ReplicationFactor)}, {"internal", strconv.FormatBool(d.Internal)}}
	if err := p.KV(kv); err != nil {
		return err
	}
	fmt.Fprintln(p.IO.Out)
	rows := make([][]string, 0, len(d.Partitions))
	for _, pt := range d.Partitions {
		isr := partitionList(pt.ISR)
		if len(pt.ISR) < len(pt.Replicas) {
			isr = p.Warn(isr)
		}
		rows = append(rows, []string{strconv.Itoa(int(pt.ID)), leaderCell(p, pt.Leader), partitionList(pt.Replicas), isr,
			pt.LogStart.String(), pt.LogEnd.String(), pt.LastStable.String()})
	}
	if err := p.Table([]string{"partition", "leader", "replicas", "isr", "log start", "log end", "last stable"}, rows); err != nil {
		return err
	}
	fmt.Fprintln(p.IO.Out)
	if len(d.Configs) == 0 {
		fmt.Fprintln(p.IO.Out, "configs: all defaults")
		return nil
	}
	crows := make([][]string, 0, len(d.Configs))
	for _, c := range d.Configs {
		v := c.Value
		if c.Sensitive {
			v = "(sensitive)"
		}
		crows = append(crows, []string{c.Name, v, c.Source})
	}
	return p.Table([]string{"config", "value", "source"}, crows)
}

func leaderCell(p *output.Printer, leader int32) string {
	if leader < 0 {
		return p.Bad("none")
	}
	return strconv.Itoa(int(leader))
}
