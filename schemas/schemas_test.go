package schemas_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/kq-dev/kq/broker/schemareg"
	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/produce"
	"github.com/kq-dev/kq/schemas"
)

const orderAvro = `{"type":"record","name":"Order","namespace":"shop","fields":[
 {"name":"id","type":"long"},
 {"name":"item","type":"string"},
 {"name":"qty","type":"int"},
 {"name":"note","type":["null","string"],"default":null},
 {"name":"state","type":{"type":"enum","name":"State","symbols":["NEW","PAID"]}},
 {"name":"tags","type":{"type":"array","items":"string"}}]}`

const orderProto = `syntax = "proto3";
package shop;
message Order { int64 id = 1; string item = 2; int32 qty = 3; repeated string tags = 4; }
message Other { string x = 1; }`

const orderJSONSchema = `{"type":"object","properties":{"id":{"type":"integer"},"item":{"type":"string"}},"required":["id","item"],"additionalProperties":false}`

func registry(t *testing.T) *sr.Client {
	t.Helper()
	s, err := schemareg.Start(schemareg.Options{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	cl, err := schemas.NewClient(schemas.RegistryOptions{URL: s.URL()})
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

func register(t *testing.T, cl *sr.Client, subject, text string, typ sr.SchemaType) int {
	t.Helper()
	got, err := schemas.NewAdmin(cl).Register(context.Background(), subject, sr.Schema{Schema: text, Type: typ})
	if err != nil {
		t.Fatal(err)
	}
	return got.ID
}

// sameJSON fails unless a and b are the same JSON value.
func sameJSON(t *testing.T, got, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("not json: %q: %v", got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if string(gb) != string(wb) {
		t.Fatalf("got %s\nwant %s", gb, wb)
	}
}

func roundTrip(t *testing.T, cl *sr.Client, spec, subject, in, want string) []byte {
	t.Helper()
	ctx := context.Background()
	enc, err := schemas.ResolveEncoder(ctx, cl, spec, subject)
	if err != nil {
		t.Fatal(err)
	}
	wire, err := enc.Encode([]byte(in))
	if err != nil {
		t.Fatalf("encode %s: %v", in, err)
	}
	if !schemas.IsWireFormat(wire) {
		t.Fatalf("encoded %x is not in wire format", wire)
	}
	out, ok, err := schemas.NewDecoder(cl).Decode(ctx, wire)
	if err != nil || !ok {
		t.Fatalf("decode: ok %v, %v", ok, err)
	}
	sameJSON(t, string(out), want)
	return wire
}

func TestAvroRoundTripBySubjectIDAndFile(t *testing.T) {
	cl := registry(t)
	id := register(t, cl, "orders-value", orderAvro, sr.TypeAvro)
	in := `{"id":12345678901,"item":"book","qty":2,"note":"gift","state":"PAID","tags":["a","b"]}`
	wire := roundTrip(t, cl, "orders-value", "", in, in)
	if got := int(wire[1])<<24 | int(wire[2])<<16 | int(wire[3])<<8 | int(wire[4]); got != id {
		t.Fatalf("wire header carries id %d, want %d", got, id)
	}
	// A missing field with a default takes it; Avro's JSON union form works.
	roundTrip(t, cl, "1", "", `{"id":1,"item":"pen","qty":1,"state":"NEW","tags":[]}`,
		`{"id":1,"item":"pen","qty":1,"note":null,"state":"NEW","tags":[]}`)
	roundTrip(t, cl, "1", "", `{"id":1,"item":"pen","qty":1,"note":{"string":"x"},"state":"NEW","tags":[]}`,
		`{"id":1,"item":"pen","qty":1,"note":"x","state":"NEW","tags":[]}`)

	file := filepath.Join(t.TempDir(), "ping.avsc")
	os.WriteFile(file, []byte(`{"type":"record","name":"Ping","fields":[{"name":"n","type":"int"}]}`), 0o644)
	roundTrip(t, cl, file, "pings-value", `{"n":7}`, `{"n":7}`)
	if v, err := cl.SubjectVersions(context.Background(), "pings-value"); err != nil || len(v) != 1 {
		t.Fatalf("a schema file is registered under the subject: versions %v, %v", v, err)
	}
}

func TestAvroEncodeRejectsRecordsThatDoNotMatch(t *testing.T) {
	cl := registry(t)
	register(t, cl, "orders-value", orderAvro, sr.TypeAvro)
	enc, err := schemas.ResolveEncoder(context.Background(), cl, "orders-value", "")
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		`{"id":1,"qty":1,"state":"NEW","tags":[]}`:                      `missing field "item"`,
		`{"id":"x","item":"a","qty":1,"state":"NEW","tags":[]}`:         "field id: want an integer",
		`{"id":1,"item":"a","qty":1,"state":"LOST","tags":[]}`:          "field state: want one of NEW, PAID",
		`{"id":1,"item":"a","qty":1,"state":"NEW","tags":[],"extra":1}`: `unknown field "extra"`,
		`{"id":1,"item":"a","qty":3000000000,"state":"NEW","tags":[]}`:  "does not fit an avro int",
		`{"id":1,"item":"a","qty":1,"state":"NEW","tags":[2]}`:          "field tags[0]: want a string",
		`not json`: "invalid json",
	} {
		if _, err := enc.Encode([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("encode %s: err %v, want %q", in, err, want)
		}
	}
}

func TestProtobufRoundTrip(t *testing.T) {
	cl := registry(t)
	register(t, cl, "orders-value", orderProto, sr.TypeProtobuf)
	in := `{"id":"42","item":"book","qty":3,"tags":["x"]}`
	wire := roundTrip(t, cl, "orders-value", "", in, in)
	if wire[5] != 0 {
		t.Fatalf("message index of the first message should be the 0 shortcut, got %x", wire[5])
	}
	enc, _ := schemas.ResolveEncoder(context.Background(), cl, "orders-value", "")
	if _, err := enc.Encode([]byte(`{"id":1,"nope":2}`)); err == nil || !strings.Contains(err.Error(), "shop.Order") {
		t.Fatalf("unknown protobuf field: err %v", err)
	}
}

func TestProtobufDecodesNestedMessageIndex(t *testing.T) {
	cl := registry(t)
	id := register(t, cl, "o-value", orderProto, sr.TypeProtobuf)
	// Index [1] is message Other; payload: field 1 (string) "hi".
	wire := []byte{0, byte(id >> 24), byte(id >> 16), byte(id >> 8), byte(id), 2, 2, 0x0a, 2, 'h', 'i'}
	out, ok, err := schemas.NewDecoder(cl).Decode(context.Background(), wire)
	if err != nil || !ok {
		t.Fatalf("decode: %v", err)
	}
	sameJSON(t, string(out), `{"x":"hi"}`)
}

func TestJSONSchemaValidates(t *testing.T) {
	cl := registry(t)
	register(t, cl, "orders-value", orderJSONSchema, sr.TypeJSON)
	roundTrip(t, cl, "orders-value", "", `{"id": 1, "item": "a"}`, `{"id":1,"item":"a"}`)
	enc, _ := schemas.ResolveEncoder(context.Background(), cl, "orders-value", "")
	if _, err := enc.Encode([]byte(`{"id":"one","item":"a"}`)); err == nil || !strings.Contains(err.Error(), "does not match the json schema") {
		t.Fatalf("json schema mismatch: err %v", err)
	}
}

func TestDecodePassesThroughAndReportsUnknownIDs(t *testing.T) {
	cl := registry(t)
	d := schemas.NewDecoder(cl)
	ctx := context.Background()
	for _, b := range [][]byte{nil, []byte("plain text"), {0, 1}} {
		out, ok, err := d.Decode(ctx, b)
		if ok || err != nil || string(out) != string(b) {
			t.Errorf("Decode(%q) = %q, %v, %v; want it unchanged", b, out, ok, err)
		}
	}
	if _, _, err := d.Decode(ctx, []byte{0, 0, 0, 0, 99, 1}); err == nil || !strings.Contains(err.Error(), "schema id 99") {
		t.Fatalf("unknown id: err %v", err)
	}
	if _, err := schemas.ResolveEncoder(ctx, cl, "no-such-subject", ""); err == nil {
		t.Fatal("an unknown subject resolved")
	}
}

// memSink collects records.
type memSink struct{ got []*sarama.ConsumerMessage }

func (s *memSink) Write(m *sarama.ConsumerMessage) error { s.got = append(s.got, m); return nil }
func (s *memSink) Flush() error                          { return nil }

func TestDecodingSinkReportsPerRecordAndGoesOn(t *testing.T) {
	cl := registry(t)
	register(t, cl, "orders-value", orderJSONSchema, sr.TypeJSON)
	enc, _ := schemas.ResolveEncoder(context.Background(), cl, "orders-value", "")
	good, _ := enc.Encode([]byte(`{"id":1,"item":"a"}`))
	var reports []string
	inner := &memSink{}
	s := schemas.NewDecodingSink(context.Background(), inner, schemas.NewDecoder(cl), func(err error) { reports = append(reports, err.Error()) })
	msgs := []*sarama.ConsumerMessage{
		{Topic: "t", Offset: 0, Key: []byte("k"), Value: good},
		{Topic: "t", Offset: 1, Value: []byte{0, 0, 0, 0, 77, 1, 2}},
		{Topic: "t", Offset: 2, Value: []byte("plain")},
	}
	for _, m := range msgs {
		if err := s.Write(m); err != nil {
			t.Fatal(err)
		}
	}
	if len(inner.got) != 3 || string(inner.got[0].Value) != `{"id":1,"item":"a"}` || string(inner.got[0].Key) != "k" ||
		string(inner.got[1].Value) != string(msgs[1].Value) || string(inner.got[2].Value) != "plain" {
		t.Fatalf("sink got %+v", inner.got)
	}
	if len(reports) != 1 || !strings.Contains(reports[0], "t/0@1: value not decoded: schema id 77") {
		t.Fatalf("reports = %q", reports)
	}
}

// listSource yields fixed values.
type listSource struct{ vals []string }

func (s *listSource) Next(r *produce.Record) error {
	if len(s.vals) == 0 {
		return io.EOF
	}
	*r = produce.Record{Value: []byte(s.vals[0]), Pos: produce.Position{Line: int64(4 - len(s.vals))}}
	s.vals = s.vals[1:]
	return nil
}

func TestEncodingSourceReportsBadRecordsWithTheirLine(t *testing.T) {
	cl := registry(t)
	register(t, cl, "orders-value", orderJSONSchema, sr.TypeJSON)
	enc, _ := schemas.ResolveEncoder(context.Background(), cl, "orders-value", "")
	src := schemas.NewEncodingSource(&listSource{vals: []string{`{"id":1,"item":"a"}`, `{"id":2}`, `{"id":3,"item":"c"}`}}, nil, enc)
	var r produce.Record
	if err := src.Next(&r); err != nil || !schemas.IsWireFormat(r.Value) {
		t.Fatalf("first record: %v", err)
	}
	err := src.Next(&r)
	var ie *produce.InputError
	if !errors.As(err, &ie) || !errors.Is(err, kqerr.ErrUsage) || !strings.HasPrefix(err.Error(), "line 2: value:") {
		t.Fatalf("second record: err %v, want an input error at line 2", err)
	}
	if err := src.Next(&r); err != nil {
		t.Fatalf("the source goes on after a bad record: %v", err)
	}
}

func TestProtobufWithoutMessageIndexIsReadAsTheFirstMessage(t *testing.T) {
	cl := registry(t)
	id := register(t, cl, "o-value", orderProto, sr.TypeProtobuf)
	// As @kafkajs/confluent-schema-registry writes it: no index bytes.
	// Payload: field 2 (item) "pen", field 3 (qty) 4.
	wire := []byte{0, byte(id >> 24), byte(id >> 16), byte(id >> 8), byte(id), 0x12, 3, 'p', 'e', 'n', 0x18, 4}
	out, ok, err := schemas.NewDecoder(cl).Decode(context.Background(), wire)
	if err != nil || !ok {
		t.Fatalf("decode: %v", err)
	}
	sameJSON(t, string(out), `{"item":"pen","qty":4}`)
}
