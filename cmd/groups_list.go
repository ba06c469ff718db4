package cmd

import (
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/groups"
)

// GroupsListOptions are the options of `kq groups list`.
type GroupsListOptions struct {
	f *Factory
	// State is a comma-separated list of states to keep.
	State string
	// Topic keeps the groups that consume this topic.
	Topic string
	// Output is table or json.
	Output string
}

// NewCmdGroupsList returns `kq groups list`.
func NewCmdGroupsList(f *Factory, runF func(*GroupsListOptions) error) *cobra.Command {
	opts := &GroupsListOptions{f: f}
	c := &cobra.Command{
		Use:   "list",
		Short: "List consumer groups with state, members, topics and total lag",
		Example: `  kq groups list
  kq groups list --state stable,empty
  kq groups list --topic orders -o json`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return groupsListRun(c, opts)
		},
	}
	c.Flags().StringVar(&opts.State, "state", "", "keep groups in these states (comma-separated: stable, empty, preparingrebalance, ...)")
	c.Flags().StringVar(&opts.Topic, "topic", "", "keep groups that are assigned or have committed offsets for this topic")
	addOutputFlag(c, &opts.Output)
	return c
}

func groupsListRun(c *cobra.Command, opts *GroupsListOptions) error {
	p, err := opts.f.Printer(opts.Output)
	if err != nil {
		return err
	}
	states, err := groups.ParseStates(opts.State)
	if err != nil {
		return err
	}
	gc, err := connect(opts.f, groups.Open)
	if err != nil {
		return err
	}
	defer gc.Close()
	list, err := gc.List(c.Context(), groups.ListOptions{States: states, Topic: opts.Topic})
	if err != nil {
		return err
	}
	if p.Format == "json" {
		return p.JSON(list)
	}
	rows := make([][]string, 0, len(list))
	for _, g := range list {
		rows = append(rows, []string{g.Group, g.State, dashIfEmpty(g.Protocol), strconv.Itoa(g.Members),
			dashIfEmpty(strings.Join(g.Topics, ",")), g.TotalLag.String()})
	}
	return p.Table([]string{"group", "state", "protocol", "members", "topics", "lag"}, rows)
}
