package cmd

import (
	"context"
	"fmt"
	"log"

	"github.com/IBM/sarama"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/output"
)

// Factory gives commands what they share: the IO streams, the environment,
// and — once flags are parsed — the resolved connection profile and
// printers.
type Factory struct {
	// IO are the streams of this invocation.
	IO *output.IOStreams
	// LookupEnv reads the environment (os.LookupEnv outside tests).
	LookupEnv func(string) (string, bool)

	global globalFlags
	// flags are the root's persistent flags, to tell set flags from
	// defaults.
	flags *pflag.FlagSet
	// settings and settingsErr are the settings resolved once per
	// invocation (resolving warns about readable secrets);
	// resolved says they are set.
	settings    *Settings
	settingsErr error
	resolved    bool
	// warnedTLS says the --tls-insecure warning was given.
	warnedTLS bool
	// bootstraps remembers which bootstrap addresses answered, for every
	// client of this invocation.
	bootstraps conn.Bootstraps
}

// NewFactory returns a factory over the given streams and environment.
func NewFactory(io *output.IOStreams, lookupEnv func(string) (string, bool)) *Factory {
	return &Factory{IO: io, LookupEnv: lookupEnv}
}

// globalFlags are the persistent flags every command has.
type globalFlags struct {
	configFile string
	profile    string
	color      string
	verbose    bool
	quiet      bool
	props      []string
}

// Settings resolves the configuration layers (flags, KQ_* environment,
// config-file profile, defaults), once per invocation: call it after the
// flags are parsed.
func (f *Factory) Settings() (*Settings, error) {
	if !f.resolved {
		f.settings, f.settingsErr = resolveSettings(f.flags, f.LookupEnv, f.global.configFile, f.global.profile, f.IO)
		f.resolved = true
	}
	return f.settings, f.settingsErr
}

// Conn resolves the connection profile and returns a client factory for it.
// With -v, sarama's log goes to stderr.
func (f *Factory) Conn() (conn.Factory, error) {
	s, err := f.Settings()
	if err != nil {
		return conn.Factory{}, err
	}
	props, err := conn.ParseProperties(f.global.props)
	if err != nil {
		return conn.Factory{}, err
	}
	p, err := s.Profile(f.IO)
	if err != nil {
		return conn.Factory{}, err
	}
	props.ApplyProfile(&p)
	if p.TLS.Insecure && !f.warnedTLS {
		f.warnedTLS = true
		f.Warnf("--tls-insecure: the brokers' certificates are not verified; anyone on the network path can read and change this traffic")
	}
	if f.global.verbose {
		sarama.Logger = log.New(f.IO.ErrOut, "[sarama] ", log.LstdFlags|log.Lmicroseconds)
	}
	return conn.Factory{Profile: p, Props: props, Bootstraps: &f.bootstraps}, nil
}

// Printer returns a printer for the given -o value; extra lists formats the
// command supports besides table and json.
func (f *Factory) Printer(format string, extra ...output.Format) (*output.Printer, error) {
	allowed := append([]output.Format{output.Table, output.JSON}, extra...)
	ff, err := output.ParseFormat(format, allowed...)
	if err != nil {
		return nil, err
	}
	mode, err := f.colorMode()
	if err != nil {
		return nil, err
	}
	return output.NewPrinter(f.IO, ff, mode), nil
}

func (f *Factory) colorMode() (output.ColorMode, error) {
	c := f.global.color
	if c == "" {
		c = "auto"
		if v, ok := f.LookupEnv("KQ_COLOR"); ok && v != "" {
			c = v
		}
	}
	return parseFlag("color", c, output.ParseColorMode)
}

// Warnf prints a warning line to stderr.
func (f *Factory) Warnf(format string, args ...any) {
	fmt.Fprintf(f.IO.ErrOut, "warning: "+format+"\n", args...)
}

// Infof prints an informational line (a summary, a confirmation) to
// stderr unless -q was given. Warnings and errors are never quieted.
func (f *Factory) Infof(format string, args ...any) {
	if !f.global.quiet {
		fmt.Fprintf(f.IO.ErrOut, format+"\n", args...)
	}
}

// Quiet reports whether -q was given.
func (f *Factory) Quiet() bool { return f.global.quiet }

// Verbose reports whether -v was given.
func (f *Factory) Verbose() bool { return f.global.verbose }

// connect calls open (groups.Open, topics.Open, clusterinfo.Describe, ...)
// with the connection of the resolved profile.
func connect[C any](f *Factory, open func(conn.Factory) (C, error)) (C, error) {
	cf, err := f.Conn()
	if err != nil {
		var none C
		return none, err
	}
	return open(cf)
}

// printerAndConnect resolves the printer for format first, so that a bad
// -o fails before any connection is tried, and then connects with open.
func printerAndConnect[C any](f *Factory, format string, open func(conn.Factory) (C, error)) (*output.Printer, C, error) {
	p, err := f.Printer(format)
	if err != nil {
		var none C
		return nil, none, err
	}
	c, err := connect(f, open)
	return p, c, err
}

// argsCommand wires c for a family of subcommands that share one options
// type O (kq transactions, kq schemas): the positional arguments go to
// *args, then a test's runF or else run is called; -o sets *format.
func argsCommand[O any](c *cobra.Command, o *O, args *[]string, format *string, runF func(*O) error, run func(context.Context, *O, []string) error) *cobra.Command {
	c.RunE = func(cc *cobra.Command, a []string) error {
		*args = a
		if runF != nil {
			return runF(o)
		}
		return run(cc.Context(), o, *args)
	}
	addOutputFlag(c, format)
	return c
}
