package acls_test

import (
	"context"
	"errors"
	"testing"

	"github.com/kq-dev/kq/acls"
	"github.com/kq-dev/kq/broker"
	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/testutil"
)

func admin(t *testing.T) *acls.Admin {
	t.Helper()
	return acls.New(testutil.KAdmin(t, testutil.StartBroker(t, &broker.Options{Nodes: 1})))
}

func TestCreateListDelete(t *testing.T) {
	a := admin(t)
	ctx := context.Background()
	made, err := a.Create(ctx, acls.Spec{Topics: []string{"orders"}, Principals: []string{"User:alice"}, Operations: []string{"read", "describe"}})
	if err != nil || len(made) != 2 {
		t.Fatalf("Create = %+v, %v", made, err)
	}
	if _, err := a.Create(ctx, acls.Spec{Groups: []string{"billing-"}, Pattern: "prefixed", Principals: []string{"User:bob"},
		Operations: []string{"read"}, Permission: "deny", Hosts: []string{"10.0.0.1"}}); err != nil {
		t.Fatal(err)
	}
	all, err := a.List(ctx, acls.Spec{})
	if err != nil || len(all) != 3 {
		t.Fatalf("List all = %+v, %v; want 3", all, err)
	}
	want := acls.ACL{Principal: "User:bob", Host: "10.0.0.1", ResourceType: "group", ResourceName: "billing-", Pattern: "prefixed", Operation: "read", Permission: "deny"}
	if all[0] != want {
		t.Fatalf("first ACL = %+v, want %+v", all[0], want)
	}
	alice, err := a.List(ctx, acls.Spec{Principals: []string{"User:alice"}})
	if err != nil || len(alice) != 2 || alice[0].ResourceName != "orders" || alice[0].Permission != "allow" || alice[0].Host != "*" {
		t.Fatalf("List alice = %+v, %v", alice, err)
	}
	gone, err := a.Delete(ctx, acls.Spec{Topics: []string{"orders"}, Operations: []string{"read"}})
	if err != nil || len(gone) != 1 || gone[0].Operation != "read" {
		t.Fatalf("Delete = %+v, %v", gone, err)
	}
	if left, _ := a.List(ctx, acls.Spec{}); len(left) != 2 {
		t.Fatalf("after delete %d ACLs left, want 2", len(left))
	}
}

func TestBadSpecsAreUsageErrors(t *testing.T) {
	a := admin(t)
	ctx := context.Background()
	for name, s := range map[string]acls.Spec{
		"no resource":  {Principals: []string{"User:a"}, Operations: []string{"read"}},
		"no principal": {Topics: []string{"t"}, Operations: []string{"read"}},
		"no operation": {Topics: []string{"t"}, Principals: []string{"User:a"}},
		"bad op":       {Topics: []string{"t"}, Principals: []string{"User:a"}, Operations: []string{"fly"}},
		"bad pattern":  {Topics: []string{"t"}, Principals: []string{"User:a"}, Operations: []string{"read"}, Pattern: "any"},
		"bad perm":     {Topics: []string{"t"}, Principals: []string{"User:a"}, Operations: []string{"read"}, Permission: "maybe"},
	} {
		if _, err := a.Create(ctx, s); !errors.Is(err, kqerr.ErrUsage) {
			t.Errorf("%s: err %v, want a usage error", name, err)
		}
	}
	if _, err := a.Delete(ctx, acls.Spec{}); !errors.Is(err, kqerr.ErrUsage) {
		t.Errorf("delete everything without naming it: err %v", err)
	}
}
