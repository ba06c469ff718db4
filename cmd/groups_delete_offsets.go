package cmd

import (
	"context"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/groups"
	"github.com/kq-dev/kq/internal/offsets"
)

// GroupsDeleteOffsetsOptions are the options of `kq groups delete-offsets`.
type GroupsDeleteOffsetsOptions struct {
	f *Factory
	// Group is the group whose offsets are deleted.
	Group string
	// Scope is the topic and optionally partitions.
	Scope groups.TopicScope
	// Output is table or json.
	Output string
}

// DeletedOffsets is what `kq groups delete-offsets -o json` prints.
type DeletedOffsets struct {
	// Group is the group id.
	Group string `json:"group"`
	// Deleted are the partitions whose committed offsets were deleted.
	Deleted []offsets.TopicPartition `json:"deleted"`
}

// NewCmdGroupsDeleteOffsets returns `kq groups delete-offsets`.
func NewCmdGroupsDeleteOffsets(f *Factory, runF func(*GroupsDeleteOffsetsOptions) error) *cobra.Command {
	opts := &GroupsDeleteOffsetsOptions{f: f}
	var topic string
	c := &cobra.Command{
		Use:   "delete-offsets GROUP --topic TOPIC[:P,...]",
		Short: "Delete a group's committed offsets for a topic",
		Long: `Deletes the group's committed offsets for the topic (all partitions it
committed, or those listed). The broker refuses while active members of
the group consume the topic.`,
		Example: `  kq groups delete-offsets billing --topic orders
  kq groups delete-offsets billing --topic orders:0,1`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Group = args[0]
			s, err := groups.ParseTopicScope(topic)
			if err != nil {
				return err
			}
			opts.Scope = s
			if runF != nil {
				return runF(opts)
			}
			return groupsDeleteOffsetsRun(c.Context(), opts)
		},
	}
	c.Flags().StringVar(&topic, "topic", "", "topic whose offsets to delete, TOPIC or TOPIC:P,P")
	_ = c.MarkFlagRequired("topic")
	addOutputFlag(c, &opts.Output)
	return c
}

func groupsDeleteOffsetsRun(ctx context.Context, opts *GroupsDeleteOffsetsOptions) error {
	p, gc, err := printerAndConnect(opts.f, opts.Output, groups.Open)
	if err != nil {
		return err
	}
	defer gc.Close()
	done, err := gc.DeleteOffsets(ctx, opts.Group, opts.Scope)
	if err != nil {
		return err
	}
	if p.Format == "json" {
		return p.JSON(DeletedOffsets{Group: opts.Group, Deleted: done})
	}
	rows := make([][]string, 0, len(done))
	for _, tp := range done {
		rows = append(rows, []string{tp.Topic, strconv.Itoa(int(tp.Partition))})
	}
	if err := p.Table([]string{"topic", "partition"}, rows); err != nil {
		return err
	}
	opts.f.Infof("deleted %s of group %s", plural(len(done), "committed offset"), opts.Group)
	return nil
}
