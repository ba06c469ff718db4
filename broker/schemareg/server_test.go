package schemareg_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/kq-dev/kq/broker/schemareg"
)

const userV1 = `{"type":"record","name":"User","fields":[{"name":"name","type":"string"}]}`

// userV2Bad adds a field without a default: BACKWARD-incompatible.
const userV2Bad = `{"type":"record","name":"User","fields":[{"name":"name","type":"string"},{"name":"age","type":"int"}]}`

// userV2 adds a field with a default: BACKWARD-compatible.
const userV2 = `{"type":"record","name":"User","fields":[{"name":"name","type":"string"},{"name":"age","type":"int","default":0}]}`

func start(t *testing.T, dir string) (*schemareg.Server, *sr.Client) {
	t.Helper()
	s, err := schemareg.Start(schemareg.Options{Addr: "127.0.0.1:0", DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	cl, err := sr.NewClient(sr.URLs(s.URL()))
	if err != nil {
		t.Fatal(err)
	}
	return s, cl
}

func avro(text string) sr.Schema { return sr.Schema{Schema: text, Type: sr.TypeAvro} }

func TestJournalRestoresIDsAndVersions(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s, cl := start(t, dir)
	a, err := cl.CreateSchema(ctx, "users-value", avro(userV1))
	if err != nil {
		t.Fatal(err)
	}
	b, err := cl.CreateSchema(ctx, "users-value", avro(userV2))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.CreateSchema(ctx, "gone-value", avro(`"string"`)); err != nil {
		t.Fatal(err)
	}
	if _, err := cl.DeleteSubject(ctx, "gone-value", sr.SoftDelete); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	_, cl = start(t, dir)
	got, err := cl.SchemaByVersion(ctx, "users-value", 2)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != b.ID || got.Schema.Schema != userV2 {
		t.Fatalf("after restart version 2 is id %d %q, want id %d", got.ID, got.Schema.Schema, b.ID)
	}
	byID, err := cl.SchemaByID(ctx, a.ID)
	if err != nil || byID.Schema != userV1 {
		t.Fatalf("after restart id %d = %q, %v", a.ID, byID.Schema, err)
	}
	subjects, err := cl.Subjects(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(subjects) != 1 || subjects[0] != "users-value" {
		t.Fatalf("subjects after restart = %v, want [users-value] (gone-value was deleted)", subjects)
	}
	c, err := cl.CreateSchema(ctx, "other-value", avro(`"long"`))
	if err != nil {
		t.Fatal(err)
	}
	if c.ID <= b.ID {
		t.Fatalf("new schema after restart got id %d, not after %d", c.ID, b.ID)
	}
}

func TestTornJournalLineIsIgnored(t *testing.T) {
	dir := t.TempDir()
	s, cl := start(t, dir)
	if _, err := cl.CreateSchema(context.Background(), "a-value", avro(userV1)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	f, err := os.OpenFile(filepath.Join(dir, "schema-registry", "journal.jsonl"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"method":"POST","path":"/subjects/b-val`)
	f.Close()
	_, cl = start(t, dir)
	if v, err := cl.SubjectVersions(context.Background(), "a-value"); err != nil || len(v) != 1 {
		t.Fatalf("versions after torn journal = %v, %v", v, err)
	}
}

func TestRegistrationHonoursCompatibility(t *testing.T) {
	_, cl := start(t, "")
	ctx := context.Background()
	if _, err := cl.CreateSchema(ctx, "users-value", avro(userV1)); err != nil {
		t.Fatal(err)
	}
	_, err := cl.CreateSchema(ctx, "users-value", avro(userV2Bad))
	var re *sr.ResponseError
	if !errors.As(err, &re) || re.StatusCode != 409 {
		t.Fatalf("incompatible registration: err %v, want a 409", err)
	}
	res, err := cl.CheckCompatibility(ctx, "users-value", -1, avro(userV2Bad))
	if err != nil || res.Is {
		t.Fatalf("check of an incompatible schema = %+v, %v; want is_compatible false", res, err)
	}
	res, err = cl.CheckCompatibility(ctx, "users-value", -1, avro(userV2))
	if err != nil || !res.Is {
		t.Fatalf("check of a compatible schema = %+v, %v", res, err)
	}
	if _, err := cl.CreateSchema(ctx, "users-value", avro(userV2)); err != nil {
		t.Fatalf("compatible registration: %v", err)
	}
	if r := cl.SetCompatibility(ctx, sr.SetCompatibility{Level: sr.CompatNone}, "users-value"); r[0].Err != nil {
		t.Fatal(r[0].Err)
	}
	if _, err := cl.CreateSchema(ctx, "users-value", avro(`"string"`)); err != nil {
		t.Fatalf("registration under NONE: %v", err)
	}
}

func TestInvalidSchemaIsRejected(t *testing.T) {
	_, cl := start(t, "")
	ctx := context.Background()
	for _, s := range []sr.Schema{
		avro(`{"type":"record","name":"X","fields":[{"name":"a","type":"nope"}]}`),
		{Schema: `syntax = "proto3"; message A { strin a = 1; }`, Type: sr.TypeProtobuf},
		{Schema: `{"type": 12}`, Type: sr.TypeJSON},
	} {
		_, err := cl.CreateSchema(ctx, "bad-value", s)
		var re *sr.ResponseError
		if !errors.As(err, &re) || re.StatusCode != 422 {
			t.Errorf("%s schema %q: err %v, want a 422", s.Type, s.Schema, err)
		}
	}
}
