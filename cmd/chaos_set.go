package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/chaos"
)

// ChaosSetOptions are the options of `kq chaos set`.
type ChaosSetOptions struct {
	f *Factory
	// Spec is one fault or several, in the --faults spelling.
	Spec string
	// Control is the control endpoint's address ("" for the default).
	Control string
	// Output is table or json.
	Output string
}

// NewCmdChaosSet returns `kq chaos set`.
func NewCmdChaosSet(f *Factory, runF func(*ChaosSetOptions) error) *cobra.Command {
	opts := &ChaosSetOptions{f: f}
	c := &cobra.Command{
		Use:   "set FAULTS",
		Short: "Set faults on a running kq chaos proxy and print their ids",
		Long: `Sets one fault or several on a running kq chaos proxy; they stay until
kq chaos clear (or the proxy stops). Prints each fault's id on stdout, one
per line (with -o json: the faults as applied, defaults filled in), and the
faults on stderr. Only network faults apply (kq chaos faults).

` + chaosSpelling,
		Example: `  kq chaos set latency,api=fetch,delay=200ms,jitter=50ms
  kq chaos set drop-response,p=0.5,partition,target=2
  id=$(kq chaos set blackhole,target=1) && sleep 10 && kq chaos clear "$id"
  KQ_CHAOS_CONTROL=127.0.0.1:29099 kq chaos set reset,api=metadata`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Spec = args[0]
			if runF != nil {
				return runF(opts)
			}
			return chaosSetRun(c.Context(), opts)
		},
	}
	addControlFlag(c, &opts.Control)
	addOutputFlag(c, &opts.Output)
	return c
}

func chaosSetRun(ctx context.Context, opts *ChaosSetOptions) error {
	p, err := opts.f.Printer(opts.Output)
	if err != nil {
		return err
	}
	faults, err := parseNetworkFaults(opts.Spec)
	if err != nil {
		return err
	}
	ctx, cancel := controlCtx(ctx)
	defer cancel()
	cc := chaosControl(opts.f, opts.Control)
	set := make([]chaos.Active, 0, len(faults))
	for _, fl := range faults {
		a, err := cc.Set(ctx, fl)
		if err != nil {
			printSetIDs(opts.f, set)
			return controlFailure(cc, "set "+fl.String(), err)
		}
		set = append(set, a)
		fmt.Fprintf(opts.f.IO.ErrOut, "set %s: %s\n", a.ID, a.Fault)
	}
	if p.Format == "json" {
		return p.JSON(set)
	}
	printSetIDs(opts.f, set)
	return nil
}

// printSetIDs prints the ids of the faults set, one per line.
func printSetIDs(f *Factory, set []chaos.Active) {
	for _, a := range set {
		fmt.Fprintln(f.IO.Out, a.ID)
	}
}
