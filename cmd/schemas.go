package cmd

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/output"
	"github.com/kq-dev/kq/schemas"
)

// SchemasOptions are the options shared by the `kq schemas` subcommands.
type SchemasOptions struct {
	f *Factory
	// Output is table or json.
	Output string
	// Version is a subject version ("latest" or a number).
	Version string
	// ID fetches a schema by its registry id.
	ID int
	// Type is the schema type of a file (avro, protobuf, json; default:
	// from the file's extension).
	Type string
	// Permanent makes delete hard-delete.
	Permanent bool
	// Args are the positional arguments (subject, schema file, level).
	Args []string
}

// NewCmdSchemas returns `kq schemas` and its subcommands.
func NewCmdSchemas(f *Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "schemas",
		Short: "List, show, register, check and delete Schema Registry schemas",
		Long: `Works with the Schema Registry named by --schema-registry, KQ_SCHEMA_REGISTRY
or the profile key schema-registry (basic auth: --schema-registry-user and
KQ_SCHEMA_REGISTRY_PASSWORD; https with --schema-registry-ca and friends).
kq broker --schema-registry runs one locally. Schema files are Avro (.avsc),
Protobuf (.proto) or JSON Schema (.json), or say --type.`,
		Example: `  kq schemas list
  kq schemas versions orders-value
  kq schemas get orders-value --version latest
  kq schemas get --id 7 -o json
  kq schemas register orders-value order.avsc
  kq schemas check orders-value order-v2.avsc
  kq schemas delete orders-value --permanent`,
	}
	for _, sub := range []func(*Factory, func(*SchemasOptions) error) *cobra.Command{
		newCmdSchemasList, newCmdSchemasVersions, newCmdSchemasGet,
		newCmdSchemasRegister, newCmdSchemasCheck, newCmdSchemasCompatibility, newCmdSchemasDelete,
	} {
		c.AddCommand(sub(f, nil))
	}
	return c
}

// schemasCommand builds one subcommand whose run is runF or run.
func schemasCommand(f *Factory, c *cobra.Command, opts *SchemasOptions, runF func(*SchemasOptions) error, run func(context.Context, *SchemasOptions, []string) error) *cobra.Command {
	return argsCommand(c, opts, &opts.Args, &opts.Output, runF, run)
}

func newCmdSchemasList(f *Factory, runF func(*SchemasOptions) error) *cobra.Command {
	opts := &SchemasOptions{f: f}
	c := &cobra.Command{Use: "list", Short: "List subjects", Args: usageArgs(cobra.NoArgs),
		Example: "  kq schemas list\n  kq schemas list -o json"}
	return schemasCommand(f, c, opts, runF, func(ctx context.Context, o *SchemasOptions, _ []string) error {
		a, p, err := o.open("kq schemas list")
		if err != nil {
			return err
		}
		subjects, err := a.Subjects(ctx)
		if err != nil {
			return err
		}
		if p.Format == "json" {
			return p.JSON(nonNil(subjects))
		}
		rows := make([][]string, len(subjects))
		for i, s := range subjects {
			rows[i] = []string{s}
		}
		return p.Table([]string{"SUBJECT"}, rows)
	})
}

func newCmdSchemasVersions(f *Factory, runF func(*SchemasOptions) error) *cobra.Command {
	opts := &SchemasOptions{f: f}
	c := &cobra.Command{Use: "versions SUBJECT", Short: "List a subject's versions", Args: usageArgs(cobra.ExactArgs(1)),
		Example: "  kq schemas versions orders-value"}
	return schemasCommand(f, c, opts, runF, func(ctx context.Context, o *SchemasOptions, args []string) error {
		a, p, err := o.open("kq schemas versions")
		if err != nil {
			return err
		}
		versions, err := a.Versions(ctx, args[0])
		if err != nil {
			return err
		}
		if p.Format == "json" {
			return p.JSON(nonNil(versions))
		}
		rows := make([][]string, len(versions))
		for i, v := range versions {
			rows[i] = []string{strconv.Itoa(v)}
		}
		return p.Table([]string{"VERSION"}, rows)
	})
}

func newCmdSchemasGet(f *Factory, runF func(*SchemasOptions) error) *cobra.Command {
	opts := &SchemasOptions{f: f}
	c := &cobra.Command{
		Use:   "get SUBJECT | --id ID",
		Short: "Show a subject's version (default the latest) or a schema by id",
		Args:  usageArgs(cobra.MaximumNArgs(1)),
		Example: `  kq schemas get orders-value
  kq schemas get orders-value --version 2 -o json
  kq schemas get --id 7`,
	}
	c.Flags().StringVar(&opts.Version, "version", "latest", "version: latest or a number")
	c.Flags().IntVar(&opts.ID, "id", 0, "fetch the schema with this registry id instead")
	return schemasCommand(f, c, opts, runF, schemasGetRun)
}

func schemasGetRun(ctx context.Context, o *SchemasOptions, args []string) error {
	if (len(args) == 1) == (o.ID > 0) {
		return kqerr.Usagef("give a SUBJECT or --id, not both or neither")
	}
	version, err := parseSchemaVersion(o.Version)
	if err != nil {
		return err
	}
	a, p, err := o.open("kq schemas get")
	if err != nil {
		return err
	}
	var info schemas.SchemaInfo
	if o.ID > 0 {
		info, err = a.ByID(ctx, o.ID)
	} else {
		info, err = a.Get(ctx, args[0], version)
	}
	if err != nil {
		return err
	}
	if p.Format == "json" {
		return p.JSON(info)
	}
	pairs := [][2]string{{"id", strconv.Itoa(info.ID)}, {"type", info.Type}}
	if info.Subject != "" {
		pairs = append([][2]string{{"subject", info.Subject}, {"version", strconv.Itoa(info.Version)}}, pairs...)
	}
	for _, r := range info.References {
		pairs = append(pairs, [2]string{"reference", fmt.Sprintf("%s (%s version %d)", r.Name, r.Subject, r.Version)})
	}
	if err := p.KV(pairs); err != nil {
		return err
	}
	_, err = fmt.Fprintln(o.f.IO.Out, strings.TrimRight(info.Schema, "\n"))
	return err
}

func newCmdSchemasRegister(f *Factory, runF func(*SchemasOptions) error) *cobra.Command {
	opts := &SchemasOptions{f: f}
	c := &cobra.Command{
		Use:   "register SUBJECT FILE",
		Short: "Register a schema file under a subject (after checking that it compiles)",
		Args:  usageArgs(cobra.ExactArgs(2)),
		Example: `  kq schemas register orders-value order.avsc
  kq schemas register users-value user.proto
  kq schemas register events-value event.schema --type json`,
	}
	c.Flags().StringVar(&opts.Type, "type", "", "schema type: avro, protobuf or json (default: from the file extension)")
	return schemasCommand(f, c, opts, runF, func(ctx context.Context, o *SchemasOptions, args []string) error {
		s, err := schemas.ReadSchemaFile(args[1], o.Type)
		if err != nil {
			return withoutUsage(err)
		}
		a, p, err := o.open("kq schemas register")
		if err != nil {
			return err
		}
		info, err := a.Register(ctx, args[0], s)
		if err != nil {
			return withoutUsage(err)
		}
		if p.Format == "json" {
			return p.JSON(info)
		}
		_, err = fmt.Fprintf(o.f.IO.Out, "registered %s version %d (id %d)\n", info.Subject, info.Version, info.ID)
		return err
	})
}

func newCmdSchemasCheck(f *Factory, runF func(*SchemasOptions) error) *cobra.Command {
	opts := &SchemasOptions{f: f}
	c := &cobra.Command{
		Use:   "check SUBJECT FILE",
		Short: "Check a schema file's compatibility with a subject's version (exit 3 when incompatible)",
		Args:  usageArgs(cobra.ExactArgs(2)),
		Example: `  kq schemas check orders-value order-v2.avsc
  kq schemas check orders-value order-v2.avsc --version 1 -o json
  kq schemas check orders-value order-v3.proto --version all   # every version a *_TRANSITIVE level names`,
	}
	c.Flags().StringVar(&opts.Version, "version", "latest", "version to check against: latest, a number, or all (the versions the subject's level names: every one for the transitive levels)")
	c.Flags().StringVar(&opts.Type, "type", "", "schema type: avro, protobuf or json (default: from the file extension)")
	return schemasCommand(f, c, opts, runF, schemasCheckRun)
}

func schemasCheckRun(ctx context.Context, o *SchemasOptions, args []string) error {
	version := schemas.AllVersions
	if o.Version != "all" {
		var err error
		if version, err = parseSchemaVersion(o.Version); err != nil {
			return err
		}
	}
	s, err := schemas.ReadSchemaFile(args[1], o.Type)
	if err != nil {
		return withoutUsage(err)
	}
	a, p, err := o.open("kq schemas check")
	if err != nil {
		return err
	}
	res, err := a.Check(ctx, args[0], version, s)
	if err != nil {
		return err
	}
	if p.Format == "json" {
		err = p.JSON(res)
	} else {
		verdict := p.Good("compatible")
		if !res.Compatible {
			verdict = p.Bad("NOT compatible")
		}
		_, err = fmt.Fprintf(o.f.IO.Out, "%s with %s version %s\n", verdict, res.Subject, res.Version)
		for _, m := range res.Messages {
			fmt.Fprintf(o.f.IO.Out, "  %s\n", m)
		}
	}
	if err == nil && !res.Compatible {
		return withoutUsage(fmt.Errorf("%s is not compatible with %s: %w", args[1], args[0], kqerr.ErrCheckFailed))
	}
	return err
}

func newCmdSchemasDelete(f *Factory, runF func(*SchemasOptions) error) *cobra.Command {
	opts := &SchemasOptions{f: f}
	c := &cobra.Command{
		Use:   "delete SUBJECT",
		Short: "Delete a subject, or one version with --version (soft; --permanent also hard-deletes)",
		Args:  usageArgs(cobra.ExactArgs(1)),
		Example: `  kq schemas delete orders-value
  kq schemas delete orders-value --version 2 --permanent`,
	}
	c.Flags().StringVar(&opts.Version, "version", "", "delete only this version (a number)")
	c.Flags().BoolVar(&opts.Permanent, "permanent", false, "hard-delete after the soft delete")
	return schemasCommand(f, c, opts, runF, func(ctx context.Context, o *SchemasOptions, args []string) error {
		version := 0
		if o.Version != "" {
			v, err := strconv.Atoi(o.Version)
			if err != nil || v < 1 {
				return kqerr.Usagef("--version %q: want a version number", o.Version)
			}
			version = v
		}
		a, p, err := o.open("kq schemas delete")
		if err != nil {
			return err
		}
		deleted, err := a.Delete(ctx, args[0], version, o.Permanent)
		if err != nil {
			return err
		}
		if p.Format == "json" {
			return p.JSON(map[string]any{"subject": args[0], "versions": nonNil(deleted), "permanent": o.Permanent})
		}
		_, err = fmt.Fprintf(o.f.IO.Out, "deleted %s versions %v\n", args[0], deleted)
		return err
	})
}

// open returns the registry admin and the printer of a subcommand.
func (o *SchemasOptions) open(what string) (*schemas.Admin, *output.Printer, error) {
	p, err := o.f.Printer(o.Output)
	if err != nil {
		return nil, nil, err
	}
	cl, err := o.f.needRegistry(what)
	if err != nil {
		return nil, nil, err
	}
	return schemas.NewAdmin(cl), p, nil
}

// parseSchemaVersion parses "latest" (-1) or a version number.
func parseSchemaVersion(s string) (int, error) {
	if s == "" || s == "latest" {
		return -1, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 1 {
		return 0, kqerr.Usagef("--version %q: want latest or a version number", s)
	}
	return v, nil
}
