package cmd

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/chaos"
)

// ChaosListOptions are the options of `kq chaos list`.
type ChaosListOptions struct {
	f *Factory
	// Control is the control endpoint's address ("" for the default).
	Control string
	// Output is table or json.
	Output string
}

// NewCmdChaosList returns `kq chaos list`.
func NewCmdChaosList(f *Factory, runF func(*ChaosListOptions) error) *cobra.Command {
	opts := &ChaosListOptions{f: f}
	c := &cobra.Command{
		Use:   "list",
		Short: "List the faults a running kq chaos proxy applies",
		Long: `Lists the active faults of a running kq chaos proxy: id, the fault with its
defaults filled in, how long it has been set, and how many requests (for
bandwidth and partition: frames delayed, connections refused or cut) it
acted on. With -o json: [{"id", "fault": {"kind", ...}, "since", "hits"}].`,
		Example: `  kq chaos list
  kq chaos list -o json | jq -r '.[].id'`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return chaosListRun(c.Context(), opts)
		},
	}
	addControlFlag(c, &opts.Control)
	addOutputFlag(c, &opts.Output)
	return c
}

func chaosListRun(ctx context.Context, opts *ChaosListOptions) error {
	p, err := opts.f.Printer(opts.Output)
	if err != nil {
		return err
	}
	ctx, cancel := controlCtx(ctx)
	defer cancel()
	cc := chaosControl(opts.f, opts.Control)
	active, err := cc.List(ctx)
	if err != nil {
		return controlFailure(cc, "", err)
	}
	if p.Format == "json" {
		if active == nil {
			active = []chaos.Active{}
		}
		return p.JSON(active)
	}
	if len(active) == 0 {
		fmt.Fprintln(opts.f.IO.ErrOut, "no active faults")
		return nil
	}
	rows := make([][]string, len(active))
	for i, a := range active {
		rows[i] = []string{a.ID, a.Fault.String(), time.Since(a.Since).Round(time.Second).String(), strconv.FormatInt(a.Hits, 10)}
	}
	return p.Table([]string{"id", "fault", "since", "hits"}, rows)
}
