// Package acls lists, creates and deletes Kafka ACLs in Kafka's model: a
// principal (User:alice) is allowed or denied an operation (read, write,
// describe, ...) on a resource (topic, group, cluster, transactional id)
// named literally or by prefix, from a host. Requests go through
// franz-go's kadm (package internal/kadmin).
package acls

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/internal/kqerr"
)

// Admin runs the ACL requests.
type Admin struct{ cl *kadm.Client }

// New returns an Admin over a kadm client.
func New(cl *kadm.Client) *Admin { return &Admin{cl: cl} }

// Spec selects ACLs (list, delete) or describes new ones (create). Empty
// fields match anything when filtering.
type Spec struct {
	// Topics, Groups and TransactionalIDs name resources; Cluster is the
	// cluster resource.
	Topics, Groups, TransactionalIDs []string
	// Cluster selects the cluster resource.
	Cluster bool
	// Principals are e.g. User:alice.
	Principals []string
	// Hosts are the hosts the ACLs apply to (create: default *).
	Hosts []string
	// Operations are read, write, create, delete, alter, describe,
	// cluster_action, describe_configs, alter_configs, idempotent_write
	// or all.
	Operations []string
	// Pattern is literal, prefixed, any or match ("": literal to create
	// and delete, any to list).
	Pattern string
	// Permission is allow or deny ("": allow to create, both to filter).
	Permission string
}

// ACL is one access control entry.
type ACL struct {
	// Principal is who it applies to, e.g. User:alice.
	Principal string `json:"principal"`
	// Host is the host it applies to (* for any).
	Host string `json:"host"`
	// ResourceType is topic, group, cluster or transactional_id.
	ResourceType string `json:"resource_type"`
	// ResourceName is the resource's name (or prefix).
	ResourceName string `json:"resource_name"`
	// Pattern is literal or prefixed.
	Pattern string `json:"pattern"`
	// Operation is what is allowed or denied.
	Operation string `json:"operation"`
	// Permission is allow or deny.
	Permission string `json:"permission"`
}

func lower(s fmt.Stringer) string { return strings.ToLower(s.String()) }

// builder turns a spec into kadm's builder; filter selects list/delete
// semantics (empty means any).
func (s Spec) builder(filter bool) (*kadm.ACLBuilder, error) {
	b := kadm.NewACLs()
	hasResource := len(s.Topics)+len(s.Groups)+len(s.TransactionalIDs) > 0 || s.Cluster
	switch {
	case hasResource:
		b.MaybeTopics(s.Topics...).MaybeGroups(s.Groups...).MaybeTransactionalIDs(s.TransactionalIDs...).MaybeClusters(s.Cluster)
	case filter:
		b.AnyResource()
	default:
		return nil, kqerr.Settingf("name a resource: {topic}, {group}, {transactional id} or {cluster}")
	}
	perm := strings.ToLower(s.Permission)
	switch perm {
	case "", "allow", "deny":
	default:
		return nil, kqerr.Usagef("unknown permission %q (want allow or deny)", s.Permission)
	}
	if !filter && len(s.Principals) == 0 {
		return nil, kqerr.Settingf("name a principal: {principal} User:NAME")
	}
	allow := perm == "allow" || perm == "" // create: allow by default
	deny := perm == "deny" || perm == "" && filter
	if allow {
		if filter {
			b.Allow(s.Principals...).AllowHosts(s.Hosts...)
		} else {
			b.Allow(s.Principals...).MaybeAllowHosts(s.Hosts...)
		}
	}
	if deny {
		if filter {
			b.Deny(s.Principals...).DenyHosts(s.Hosts...)
		} else {
			b.Deny(s.Principals...).MaybeDenyHosts(s.Hosts...)
		}
	}
	if err := s.operations(b, filter); err != nil {
		return nil, err
	}
	pattern, err := s.pattern(filter)
	if err != nil {
		return nil, err
	}
	b.ResourcePatternType(pattern)
	return b, nil
}

func (s Spec) operations(b *kadm.ACLBuilder, filter bool) error {
	var ops []kadm.ACLOperation
	for _, o := range s.Operations {
		op, err := kmsg.ParseACLOperation(strings.ReplaceAll(strings.ToLower(o), "-", "_"))
		if err != nil || op == kmsg.ACLOperationUnknown || op == kmsg.ACLOperationAny && !filter {
			return kqerr.Usagef("unknown operation %q (want read, write, create, delete, alter, describe, cluster_action, describe_configs, alter_configs, idempotent_write or all)", o)
		}
		ops = append(ops, op)
	}
	if len(ops) == 0 && !filter {
		return kqerr.Settingf("name an operation: {operation} read, write, all, ...")
	}
	b.Operations(ops...) // none: any, for filters
	return nil
}

func (s Spec) pattern(filter bool) (kadm.ACLPattern, error) {
	switch strings.ToLower(s.Pattern) {
	case "":
		if filter {
			return kadm.ACLPatternAny, nil
		}
		return kadm.ACLPatternLiteral, nil
	case "literal":
		return kadm.ACLPatternLiteral, nil
	case "prefixed":
		return kadm.ACLPatternPrefixed, nil
	case "any", "match":
		if !filter {
			return 0, kqerr.Settingf("{pattern} %s only filters: create with literal or prefixed", s.Pattern)
		}
		if strings.ToLower(s.Pattern) == "match" {
			return kadm.ACLPatternMatch, nil
		}
		return kadm.ACLPatternAny, nil
	}
	return 0, kqerr.Settingf("unknown {pattern} %q (want literal, prefixed, any or match)", s.Pattern)
}

// List lists the ACLs that s matches.
func (a *Admin) List(ctx context.Context, s Spec) ([]ACL, error) {
	b, err := s.builder(true)
	if err != nil {
		return nil, err
	}
	rs, err := a.cl.DescribeACLs(ctx, b)
	if err != nil {
		return nil, fmt.Errorf("describe acls: %w", err)
	}
	var out []ACL
	for _, r := range rs {
		if r.Err != nil {
			return nil, fmt.Errorf("describe acls: %w", r.Err)
		}
		for _, d := range r.Described {
			out = append(out, newACL(d.Principal, d.Host, d.Name, d.Type, d.Pattern, d.Operation, d.Permission))
		}
	}
	return sorted(out), nil
}

// Create creates the ACLs s describes.
func (a *Admin) Create(ctx context.Context, s Spec) ([]ACL, error) {
	b, err := s.builder(false)
	if err != nil {
		return nil, err
	}
	rs, err := a.cl.CreateACLs(ctx, b)
	if err != nil {
		return nil, fmt.Errorf("create acls: %w", err)
	}
	out := make([]ACL, 0, len(rs))
	for _, r := range rs {
		if r.Err != nil {
			return nil, fmt.Errorf("create acl for %s on %s %s: %w", r.Principal, lower(r.Type), r.Name, r.Err)
		}
		out = append(out, newACL(r.Principal, r.Host, r.Name, r.Type, r.Pattern, r.Operation, r.Permission))
	}
	return sorted(out), nil
}

// Delete deletes the ACLs s matches and returns them; a spec must name a
// resource or a principal (deleting every ACL takes --topic etc.).
func (a *Admin) Delete(ctx context.Context, s Spec) ([]ACL, error) {
	if len(s.Topics)+len(s.Groups)+len(s.TransactionalIDs)+len(s.Principals) == 0 && !s.Cluster {
		return nil, kqerr.Settingf("name what to delete: a resource ({topic}, {group}, {transactional id}, {cluster}) or {principal}")
	}
	b, err := s.builder(true)
	if err != nil {
		return nil, err
	}
	rs, err := a.cl.DeleteACLs(ctx, b)
	if err != nil {
		return nil, fmt.Errorf("delete acls: %w", err)
	}
	var out []ACL
	for _, r := range rs {
		if r.Err != nil {
			return nil, fmt.Errorf("delete acls: %w", r.Err)
		}
		for _, d := range r.Deleted {
			out = append(out, newACL(d.Principal, d.Host, d.Name, d.Type, d.Pattern, d.Operation, d.Permission))
		}
	}
	return sorted(out), nil
}

// newACL is the ACL an answer describes, its enums in lower case.
func newACL(principal, host, name string, typ, pattern, op, perm fmt.Stringer) ACL {
	return ACL{Principal: principal, Host: host, ResourceType: lower(typ), ResourceName: name,
		Pattern: lower(pattern), Operation: lower(op), Permission: lower(perm)}
}

func sorted(acls []ACL) []ACL {
	sort.Slice(acls, func(i, j int) bool {
		a, b := acls[i], acls[j]
		if a.ResourceType != b.ResourceType {
			return a.ResourceType < b.ResourceType
		}
		if a.ResourceName != b.ResourceName {
			return a.ResourceName < b.ResourceName
		}
		if a.Principal != b.Principal {
			return a.Principal < b.Principal
		}
		return a.Operation+a.Permission < b.Operation+b.Permission
	})
	if acls == nil {
		return []ACL{}
	}
	return acls
}
