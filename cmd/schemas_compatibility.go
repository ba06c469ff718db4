package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/kq-dev/kq/schemas"
)

func newCmdSchemasCompatibility(f *Factory, runF func(*SchemasOptions) error) *cobra.Command {
	opts := &SchemasOptions{f: f}
	c := &cobra.Command{
		Use:   "compatibility SUBJECT [LEVEL]",
		Short: "Show or set a subject's compatibility level",
		Long: `Shows a subject's compatibility level (the registry's default when it sets
none) or, with LEVEL, sets it: BACKWARD, BACKWARD_TRANSITIVE, FORWARD,
FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE or NONE. Registration and kq
schemas check are judged under it.`,
		Args: usageArgs(cobra.RangeArgs(1, 2)),
		Example: `  kq schemas compatibility orders-value
  kq schemas compatibility orders-value FULL_TRANSITIVE`,
	}
	return schemasCommand(f, c, opts, runF, schemasCompatibilityRun)
}

func schemasCompatibilityRun(ctx context.Context, o *SchemasOptions, args []string) error {
	set := len(args) == 2
	var want sr.CompatibilityLevel
	if set {
		var err error
		if want, err = schemas.ParseLevel(args[1]); err != nil {
			return err
		}
	}
	a, p, err := o.open("kq schemas compatibility")
	if err != nil {
		return err
	}
	var level schemas.Level
	if set {
		level, err = a.SetLevel(ctx, args[0], want)
	} else {
		level, err = a.Level(ctx, args[0])
	}
	if err != nil {
		return err
	}
	if p.Format == "json" {
		return p.JSON(level)
	}
	verb := "is"
	if set {
		verb = "set to"
	}
	_, err = fmt.Fprintf(o.f.IO.Out, "%s compatibility %s %s\n", level.Subject, verb, level.Level)
	return err
}
