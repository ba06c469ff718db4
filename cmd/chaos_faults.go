package cmd

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/chaos"
)

// ChaosFaultsOptions are the options of `kq chaos faults`.
type ChaosFaultsOptions struct {
	f *Factory
	// Output is table or json.
	Output string
}

// ChaosFaultKind is one kind of the catalogue as `kq chaos faults -o json`
// shows it.
type ChaosFaultKind struct {
	// Kind is the fault's name in the --faults spelling.
	Kind chaos.Kind `json:"kind"`
	// Layer is what applies it: network, broker, client or exec.
	Layer string `json:"layer"`
	// Params are the parameters it takes, with their defaults.
	Params []chaos.Param `json:"params"`
	// Description says what it does.
	Description string `json:"description"`
}

// NewCmdChaosFaults returns `kq chaos faults`.
func NewCmdChaosFaults(f *Factory, runF func(*ChaosFaultsOptions) error) *cobra.Command {
	opts := &ChaosFaultsOptions{f: f}
	c := &cobra.Command{
		Use:   "faults",
		Short: "List the fault catalogue: every fault, its layer, parameters and defaults",
		Long: `Lists every fault kq knows, the layer that applies it, the parameters it
takes with their defaults, and what it does. Network faults apply through
kq chaos proxy and kq verify; broker faults need kq's built-in broker (kq
verify without --brokers); client faults crash kq verify's own clients;
exec runs kq verify's --fault-exec commands. In the parameter defaults,
"all" means every API or broker and "random" a node a schedule picks.

` + chaosSpelling,
		Example: `  kq chaos faults
  kq chaos faults -o json | jq -r '.[] | select(.layer == "network") | .kind'`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return chaosFaultsRun(opts)
		},
	}
	addOutputFlag(c, &opts.Output)
	return c
}

// chaosCatalogue returns every kind of the catalogue, in documentation
// order.
func chaosCatalogue() []ChaosFaultKind {
	kinds := chaos.Kinds()
	out := make([]ChaosFaultKind, len(kinds))
	for i, k := range kinds {
		params := k.Params()
		if params == nil {
			params = []chaos.Param{}
		}
		out[i] = ChaosFaultKind{Kind: k, Layer: k.Layer().String(), Params: params, Description: k.Description()}
	}
	return out
}

func chaosFaultsRun(opts *ChaosFaultsOptions) error {
	p, err := opts.f.Printer(opts.Output)
	if err != nil {
		return err
	}
	cat := chaosCatalogue()
	if p.Format == "json" {
		return p.JSON(cat)
	}
	rows := make([][]string, len(cat))
	for i, k := range cat {
		params := make([]string, len(k.Params))
		for j, pa := range k.Params {
			params[j] = pa.Name + "=" + pa.Default
		}
		rows[i] = []string{string(k.Kind), k.Layer, orDash(strings.Join(params, " ")), k.Description}
	}
	return p.Table([]string{"fault", "layer", "parameters", "description"}, rows)
}
