package cmd

import (
	"strconv"
	"strings"

	"github.com/spf13/cobra"
)

// NewCmdGroups returns `kq groups` with its subcommands; on its own it
// lists the groups, as `kq groups list` does.
func NewCmdGroups(f *Factory) *cobra.Command {
	list := NewCmdGroupsList(f, nil)
	c := &cobra.Command{
		Use:     "groups",
		Aliases: []string{"group"},
		Short:   "List, describe, check and repair consumer groups",
		Long: `Consumer groups and their offsets, as kafka-consumer-groups.sh shows and
changes them. On its own, kq groups lists the groups (see kq groups list).

Lag is counted in offsets from the group's committed offset (or, without
one, from the log start) to the last stable offset: the end a
read_committed consumer reads to, which equals the log end when no
transaction is open. It is never negative.`,
		Example: `  kq groups
  kq groups describe billing
  kq groups lag billing --max-lag 1000
  kq groups reset billing --topic orders --to-earliest --execute`,
		Args: usageArgs(cobra.NoArgs),
		RunE: list.RunE,
	}
	c.Flags().AddFlagSet(list.Flags())
	c.AddCommand(
		list,
		NewCmdGroupsDescribe(f, nil),
		NewCmdGroupsLag(f, nil),
		NewCmdGroupsReset(f, nil),
		NewCmdGroupsDelete(f, nil),
		NewCmdGroupsDeleteOffsets(f, nil),
	)
	return c
}

// partitionList prints partitions as "0,1,2".
func partitionList(ps []int32) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = strconv.Itoa(int(p))
	}
	return strings.Join(s, ",")
}

// dashIfEmpty prints "-" for an empty cell.
func dashIfEmpty(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// plural returns "1 offset" or "2 offsets".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
