package cmd

import (
	"bufio"
	"errors"
	"fmt"
	"strings"

	"github.com/kq-dev/kq/topics"
	"github.com/spf13/cobra"
)

// TopicsDeleteOptions are the options of `kq topics delete`.
type TopicsDeleteOptions struct {
	f *Factory
	// Topics are the topics to delete.
	Topics []string
	// Yes skips the confirmation.
	Yes bool
	// IfExists makes a missing topic a success.
	IfExists bool
	// Output is table or json.
	Output string
}

// NewCmdTopicsDelete returns `kq topics delete`.
func NewCmdTopicsDelete(f *Factory, runF func(*TopicsDeleteOptions) error) *cobra.Command {
	opts := &TopicsDeleteOptions{f: f}
	c := &cobra.Command{
		Use:   "delete TOPIC...",
		Short: "Delete topics and all their records",
		Long: `Deletes topics with their records. On a terminal kq asks for confirmation
unless --yes is given; when standard input is not a terminal (scripts, CI)
--yes is required, so that nothing is deleted by accident. Every topic is
tried; the exit code is 1 when any could not be deleted, except topics that
do not exist with --if-exists.`,
		Example: `  kq topics delete orders-test
  kq topics delete tmp-1 tmp-2 --yes
  kq topics delete tmp-1 --yes --if-exists`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Topics = args
			if runF != nil {
				return runF(opts)
			}
			return topicsDeleteRun(opts)
		},
	}
	c.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "delete without asking")
	c.Flags().BoolVar(&opts.IfExists, "if-exists", false, "a topic that does not exist is no error")
	addOutputFlag(c, &opts.Output)
	return c
}

func topicsDeleteRun(opts *TopicsDeleteOptions) error {
	p, err := opts.f.Printer(opts.Output)
	if err != nil {
		return err
	}
	if ok, err := confirmDelete(opts); !ok || err != nil {
		return err
	}
	a, err := connect(opts.f, topics.Open)
	if err != nil {
		return err
	}
	defer a.Close()
	res, delErr := a.DeleteTopics(opts.Topics, opts.IfExists)
	if p.Format == "json" {
		err = p.JSON(res)
	} else {
		rows := make([][]string, 0, len(res))
		for _, r := range res {
			result := "deleted"
			switch {
			case r.Missing:
				result = "does not exist"
			case !r.Deleted:
				result = "not deleted: " + r.Error
			}
			rows = append(rows, []string{r.Topic, result})
		}
		err = p.Table([]string{"topic", "result"}, rows)
	}
	if err != nil {
		return err
	}
	return delErr
}

// confirmDelete asks on a terminal; without one it needs --yes.
func confirmDelete(opts *TopicsDeleteOptions) (bool, error) {
	io := opts.f.IO
	switch {
	case opts.Yes:
		return true, nil
	case !io.IsStdinTTY():
		return false, errors.New("refusing to delete topics without confirmation: standard input is not a terminal; pass --yes")
	}
	fmt.Fprintf(io.ErrOut, "Delete topic(s) %s and all their records? [y/N] ", strings.Join(opts.Topics, ", "))
	line, _ := bufio.NewReader(io.In).ReadString('\n')
	if a := strings.ToLower(strings.TrimSpace(line)); a == "y" || a == "yes" {
		return true, nil
	}
	fmt.Fprintln(io.ErrOut, "nothing deleted")
	return false, nil
}
