package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kq-dev/kq/acls"
	"github.com/kq-dev/kq/internal/output"
)

// ACLsOptions are the options of the `kq acls` subcommands.
type ACLsOptions struct {
	f *Factory
	// Output is table or json.
	Output string
	// Spec selects (list, delete) or describes (create) ACLs.
	Spec acls.Spec
}

// NewCmdACLs returns `kq acls`.
func NewCmdACLs(f *Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "acls",
		Short: "List, create and delete ACLs (principal, resource, pattern, operation)",
		Long: `Kafka's ACL model: a principal (User:alice) is allowed or denied an
operation (read, write, create, delete, alter, describe, cluster_action,
describe_configs, alter_configs, idempotent_write, all) on a resource (a
topic, group, transactional id or the cluster) named literally or by prefix
(--pattern prefixed), from a host (default *). list and delete take the same
flags as filters: what is left out matches anything.`,
		Example: `  kq acls list
  kq acls list --principal User:alice -o json
  kq acls create --principal User:alice --operation read --operation describe --topic orders
  kq acls create --principal User:etl --operation all --group etl- --pattern prefixed
  kq acls create --principal User:mallory --permission deny --operation write --topic orders
  kq acls delete --principal User:alice --topic orders`,
	}
	c.AddCommand(newCmdACLsRun(f, "list", "List the ACLs matching the flags (all by default)", aclsList),
		newCmdACLsRun(f, "create", "Create ACLs: --principal, --operation and a resource are required", aclsCreate),
		newCmdACLsRun(f, "delete", "Delete the ACLs matching the flags (a resource or --principal is required)", aclsDelete))
	return c
}

func newCmdACLsRun(f *Factory, use, short string, run func(context.Context, *acls.Admin, acls.Spec) ([]acls.ACL, error)) *cobra.Command {
	o := &ACLsOptions{f: f}
	c := &cobra.Command{
		Use: use, Short: short, Args: usageArgs(cobra.NoArgs),
		Example: "  kq acls " + use + " --principal User:alice --topic orders --operation read",
		RunE: func(cc *cobra.Command, _ []string) error {
			p, err := o.f.Printer(o.Output)
			if err != nil {
				return err
			}
			cl, closeFn, err := o.f.Kadmin()
			if err != nil {
				return err
			}
			defer closeFn()
			list, err := run(cc.Context(), acls.New(cl), o.Spec)
			if err != nil {
				return err
			}
			return renderACLs(p, list)
		},
	}
	fl := c.Flags()
	fl.StringArrayVar(&o.Spec.Topics, "topic", nil, "topic resource (repeatable)")
	fl.StringArrayVar(&o.Spec.Groups, "group", nil, "consumer group resource (repeatable)")
	fl.StringArrayVar(&o.Spec.TransactionalIDs, "transactional-id", nil, "transactional id resource (repeatable)")
	fl.BoolVar(&o.Spec.Cluster, "cluster", false, "the cluster resource")
	fl.StringArrayVar(&o.Spec.Principals, "principal", nil, "principal, e.g. User:alice (repeatable)")
	fl.StringArrayVar(&o.Spec.Hosts, "host", nil, "host the ACL applies to (default *; repeatable)")
	fl.StringArrayVar(&o.Spec.Operations, "operation", nil, "operation: read, write, create, delete, alter, describe, ..., all (repeatable)")
	fl.StringVar(&o.Spec.Pattern, "pattern", "", "resource name pattern: literal or prefixed (filters also any, match)")
	fl.StringVar(&o.Spec.Permission, "permission", "", "allow or deny (create default: allow; filters: both)")
	addOutputFlag(c, &o.Output)
	return c
}

func aclsList(ctx context.Context, a *acls.Admin, s acls.Spec) ([]acls.ACL, error) {
	return a.List(ctx, s)
}

func aclsCreate(ctx context.Context, a *acls.Admin, s acls.Spec) ([]acls.ACL, error) {
	return a.Create(ctx, s)
}

func aclsDelete(ctx context.Context, a *acls.Admin, s acls.Spec) ([]acls.ACL, error) {
	return a.Delete(ctx, s)
}

func renderACLs(p *output.Printer, list []acls.ACL) error {
	if p.Format == output.JSON {
		return p.JSON(nonNil(list))
	}
	rows := make([][]string, len(list))
	for i, a := range list {
		rows[i] = []string{a.Principal, a.Permission, a.Operation, a.ResourceType, a.ResourceName, a.Pattern, a.Host}
	}
	if err := p.Table([]string{"PRINCIPAL", "PERMISSION", "OPERATION", "RESOURCE TYPE", "RESOURCE", "PATTERN", "HOST"}, rows); err != nil {
		return fmt.Errorf("write acls: %w", err)
	}
	return nil
}
