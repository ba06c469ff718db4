// Package cmd is kq's command-line interface: cobra commands, flag parsing,
// viper configuration, rendering and the mapping of errors to exit codes.
//
// Commands are thin: each has an options struct, a constructor
// NewCmdX(f *Factory, runF func(*XOptions) error) whose runF is a test seam
// (as in GitHub CLI), and a run function that calls a library package and
// renders its typed result. Only [Main] turns errors into exit codes.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/output"
	"github.com/kq-dev/kq/schemas"
)

// Main runs kq with the process's arguments and streams and returns the
// exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first Ctrl-C cancels ctx and the command winds down (a producer
	// flushes for up to --flush-timeout); from then on signals have their
	// default effect, so a second Ctrl-C ends kq at once.
	context.AfterFunc(ctx, stop)
	// A closed stdout (kq consume | head) makes writes fail with EPIPE
	// instead of killing kq, so a group member commits what it wrote and
	// leaves its group before it exits.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	defer startProfiles(os.LookupEnv)()
	return Run(ctx, NewFactory(output.System(), os.LookupEnv), os.Args[1:])
}

// Run executes one kq command line with the factory's streams and returns
// the exit code. Errors are printed to ErrOut as one line "kq: <message>";
// usage errors add a line pointing at the command's --help, and unknown
// commands and flags print the command's usage.
func Run(ctx context.Context, f *Factory, args []string) int {
	root := NewCmdRoot(f)
	if isCompletionRequest(args) {
		registerCompletions(root, f)
	}
	root.SetArgs(args)
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	c, err := root.ExecuteContextC(ctx)
	if err == nil {
		return kqerr.CodeOK
	}
	if kqerr.IsBrokenPipe(err) {
		return kqerr.CodeBrokenPipe // the reader of stdout has gone: nothing to say
	}
	if ctx.Err() != nil && !errors.Is(err, kqerr.ErrInterrupted) {
		err = fmt.Errorf("%w: %w", kqerr.ErrInterrupted, err)
	}
	err = classifyCobra(err)
	err = plainRegistryError(err)
	if !errors.Is(err, errSilent) {
		fmt.Fprintf(f.IO.ErrOut, "kq: %s\n", oneLineFor(c, err))
	}
	printUsageHint(f.IO.ErrOut, c, err)
	return kqerr.Code(err)
}

// printUsageHint follows a usage error about the command line: the full
// usage for an unknown command or flag, one line pointing at --help for
// anything else.
func printUsageHint(w io.Writer, c *cobra.Command, err error) {
	if !errors.Is(err, kqerr.ErrUsage) || c == nil || errors.Is(err, errNoUsage) || errors.Is(err, errSilent) {
		return
	}
	if errors.Is(err, errFullUsage) {
		fmt.Fprintf(w, "\n%s", c.UsageString())
		return
	}
	fmt.Fprintf(w, "Run '%s --help' for usage.\n", c.CommandPath())
}

// errSilent marks an error whose message was already shown (for example a
// verify report), so Main only sets the exit code.
var errSilent = errors.New("silent")

// errNoUsage marks a usage error that is about input data rather than the
// command line, so printing the usage would not help.
var errNoUsage = errors.New("no usage")

// errFullUsage marks a usage error after which the whole usage helps: an
// unknown command or flag.
var errFullUsage = errors.New("full usage")

// withoutUsage marks err so that Main prints no usage after it: the
// error is about input data, not the command line.
func withoutUsage(err error) error { return marked{err, errNoUsage} }

// marked keeps err's message and matches both err and mark.
type marked struct{ err, mark error }

func (e marked) Error() string   { return e.err.Error() }
func (e marked) Unwrap() []error { return []error{e.err, e.mark} }

// classifyCobra turns cobra's own plain errors (unknown commands, bad
// flags) into usage errors.
func classifyCobra(err error) error {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag"} {
		if strings.Contains(msg, p) {
			if !errors.Is(err, kqerr.ErrUsage) {
				err = fmt.Errorf("%w: %w", kqerr.ErrUsage, err)
			}
			return marked{err, errFullUsage}
		}
	}
	if errors.Is(err, kqerr.ErrUsage) {
		return err
	}
	for _, p := range []string{"invalid argument", "flag needs an argument", "required flag", "accepts ", "requires at least", "if any flags in the group"} {
		if strings.Contains(msg, p) {
			return fmt.Errorf("%w: %w", kqerr.ErrUsage, err)
		}
	}
	return err
}

// oneLine strips kqerr's sentinel prefixes (also where a caller's context
// precedes them) and folds the message onto one
// line.
func oneLine(err error) string { return oneLineFor(nil, err) }

// oneLineFor is oneLine for the error of command c, whose flags it
// spells as flagOfFor does.
func oneLineFor(c *cobra.Command, err error) string {
	msg := kqerr.RenderSettings(err, flagOfFor(c))
	for _, s := range []error{kqerr.ErrUsage, kqerr.ErrUnreachable, kqerr.ErrCheckFailed, kqerr.ErrInconclusive} {
		msg = strings.TrimPrefix(msg, s.Error()+": ")
		msg = strings.ReplaceAll(msg, ": "+s.Error()+": ", ": ")
	}
	return strings.Join(strings.Fields(msg), " ")
}

// usageArgs wraps a cobra argument validator so its errors are usage
// errors.
func usageArgs(v cobra.PositionalArgs) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if err := v(c, args); err != nil {
			return fmt.Errorf("%w: %w", kqerr.ErrUsage, err)
		}
		return nil
	}
}

// plainRegistryError shortens an unreachable Schema Registry's error to
// its own words: the registry client wraps it in the request's method and
// URL twice over.
func plainRegistryError(err error) error {
	var ue *schemas.UnreachableError
	if errors.As(err, &ue) && !errors.Is(err, kqerr.ErrInterrupted) {
		return ue
	}
	return err
}
