package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/internal/kqerr"
)

// ChaosClearOptions are the options of `kq chaos clear`.
type ChaosClearOptions struct {
	f *Factory
	// IDs are the faults to clear.
	IDs []string
	// All clears every fault.
	All bool
	// Control is the control endpoint's address ("" for the default).
	Control string
}

// NewCmdChaosClear returns `kq chaos clear`.
func NewCmdChaosClear(f *Factory, runF func(*ChaosClearOptions) error) *cobra.Command {
	opts := &ChaosClearOptions{f: f}
	c := &cobra.Command{
		Use:   "clear {ID... | --all}",
		Short: "Clear faults of a running kq chaos proxy",
		Long: `Clears faults of a running kq chaos proxy by id (as kq chaos set printed
them and kq chaos list shows them), or every fault with --all. Connections a
blackhole froze are cut, so their clients notice and reconnect. An unknown
id is a usage error.`,
		Example: `  kq chaos clear f1 f3
  kq chaos clear --all
  kq chaos clear --all --control 127.0.0.1:29099`,
		Args: usageArgs(cobra.ArbitraryArgs),
		RunE: func(c *cobra.Command, args []string) error {
			opts.IDs = args
			if runF != nil {
				return runF(opts)
			}
			return chaosClearRun(c.Context(), opts)
		},
	}
	c.Flags().BoolVar(&opts.All, "all", false, "clear every fault")
	addControlFlag(c, &opts.Control)
	return c
}

func chaosClearRun(ctx context.Context, opts *ChaosClearOptions) error {
	switch {
	case opts.All && len(opts.IDs) > 0:
		return kqerr.Usagef("name fault ids or --all, not both")
	case !opts.All && len(opts.IDs) == 0:
		return kqerr.Usagef("name the fault ids to clear (kq chaos list shows them), or --all")
	}
	ctx, cancel := controlCtx(ctx)
	defer cancel()
	cc := chaosControl(opts.f, opts.Control)
	if opts.All {
		if err := cc.ClearAll(ctx); err != nil {
			return controlFailure(cc, "", err)
		}
		fmt.Fprintln(opts.f.IO.ErrOut, "cleared every fault")
		return nil
	}
	for _, id := range opts.IDs {
		if err := cc.Clear(ctx, id); err != nil {
			return controlFailure(cc, "clear "+id, err)
		}
		fmt.Fprintf(opts.f.IO.ErrOut, "cleared %s\n", id)
	}
	return nil
}
