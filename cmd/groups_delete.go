package cmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/groups"
)

// GroupsDeleteOptions are the options of `kq groups delete`.
type GroupsDeleteOptions struct {
	f *Factory
	// Groups are the groups to delete.
	Groups []string
	// Output is table or json.
	Output string
}

// NewCmdGroupsDelete returns `kq groups delete`.
func NewCmdGroupsDelete(f *Factory, runF func(*GroupsDeleteOptions) error) *cobra.Command {
	opts := &GroupsDeleteOptions{f: f}
	c := &cobra.Command{
		Use:   "delete GROUP...",
		Short: "Delete consumer groups and their committed offsets",
		Long: `Deletes each group with its committed offsets. A group with active
members is not deleted: stop them first. Every group is tried; the exit
code is 1 when any could not be deleted.`,
		Example: `  kq groups delete old-billing
  kq groups delete test-1 test-2 -o json`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Groups = args
			if runF != nil {
				return runF(opts)
			}
			return groupsDeleteRun(c.Context(), opts)
		},
	}
	addOutputFlag(c, &opts.Output)
	return c
}

func groupsDeleteRun(ctx context.Context, opts *GroupsDeleteOptions) error {
	p, gc, err := printerAndConnect(opts.f, opts.Output, groups.Open)
	if err != nil {
		return err
	}
	defer gc.Close()
	res, delErr := gc.DeleteGroups(ctx, opts.Groups)
	if p.Format == "json" {
		err = p.JSON(res)
	} else {
		err = p.Table([]string{"group", "result"}, deleteRows(res))
	}
	if err != nil {
		return err
	}
	return delErr
}

func deleteRows(res []groups.DeleteResult) [][]string {
	rows := make([][]string, 0, len(res))
	for _, r := range res {
		result := "deleted"
		if !r.Deleted {
			result = "not deleted: " + r.Error
		}
		rows = append(rows, []string{r.Group, result})
	}
	return rows
}
