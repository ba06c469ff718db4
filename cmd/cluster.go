package cmd

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/internal/clusterinfo"
	"github.com/kq-dev/kq/internal/output"
)

// ClusterOptions are the options of `kq cluster`.
type ClusterOptions struct {
	f *Factory
	// Output is table or json.
	Output string
	// APIs also lists the supported API versions in table output.
	APIs bool
}

// NewCmdCluster returns `kq cluster`.
func NewCmdCluster(f *Factory, runF func(*ClusterOptions) error) *cobra.Command {
	opts := &ClusterOptions{f: f}
	c := &cobra.Command{
		Use:   "cluster",
		Short: "Show the cluster id, controller, brokers and supported API versions",
		Example: `  kq cluster
  kq cluster --apis
  kq cluster -b kafka-1:9092 -o json | jq .controller`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return clusterRun(opts)
		},
	}
	addOutputFlag(c, &opts.Output)
	c.Flags().BoolVar(&opts.APIs, "apis", false, "also list the API versions the cluster supports (always in JSON)")
	return c
}

func clusterRun(opts *ClusterOptions) error {
	p, info, err := printerAndConnect(opts.f, opts.Output, clusterinfo.Describe)
	if err != nil {
		return err
	}
	if p.Format == "json" {
		return p.JSON(info)
	}
	return renderCluster(p, info, opts.APIs)
}

func renderCluster(p *output.Printer, info clusterinfo.Info, apis bool) error {
	if err := p.KV([][2]string{{"cluster id", info.ClusterID}, {"controller", strconv.Itoa(int(info.Controller))}}); err != nil {
		return err
	}
	fmt.Fprintln(p.IO.Out)
	rows := make([][]string, 0, len(info.Brokers))
	for _, b := range info.Brokers {
		rows = append(rows, []string{strconv.Itoa(int(b.ID)), b.Address, b.Rack, controllerMark(b.ID, info.Controller)})
	}
	if err := p.Table([]string{"id", "address", "rack", "role"}, rows); err != nil {
		return err
	}
	if !apis {
		return nil
	}
	fmt.Fprintln(p.IO.Out)
	rows = rows[:0]
	for _, a := range info.APIs {
		rows = append(rows, []string{strconv.Itoa(int(a.Key)), a.Name, strconv.Itoa(int(a.MinVersion)), strconv.Itoa(int(a.MaxVersion))})
	}
	return p.Table([]string{"key", "api", "min", "max"}, rows)
}

func controllerMark(id, controller int32) string {
	if id == controller {
		return "controller"
	}
	return ""
}
