package consume

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/output"
	"github.com/kq-dev/kq/internal/record"
)

func TestJSONSinkWritesRecordForm(t *testing.T) {
	var out bytes.Buffer
	s := NewJSONSink(&out)
	bin := &sarama.ConsumerMessage{
		Topic: "t", Partition: 1, Offset: 7, Timestamp: time.UnixMilli(1000),
		Key: nil, Value: []byte{0xde, 0xad, 0xbe, 0xef},
		Headers: []*sarama.RecordHeader{{Key: []byte("h"), Value: []byte{0xff}}, {Key: []byte("z"), Value: nil}},
	}
	tomb := &sarama.ConsumerMessage{Topic: "t", Partition: 0, Offset: 3, Timestamp: time.UnixMilli(5), Key: []byte("k"), Value: nil}
	for _, m := range []*sarama.ConsumerMessage{testMessage(), bin, tomb} {
		if err := s.Write(m); err != nil {
			t.Fatal(err)
		}
	}
	if out.Len() != 0 {
		t.Errorf("JSON sink wrote %d bytes before Flush", out.Len())
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	want := []string{
		`{"topic":"orders","partition":2,"offset":41,"timestamp":1763884800123,"key":"k1","value":"hello","headers":[{"key":"trace","value":"abc"},{"key":"n","value":null}]}`,
		`{"topic":"t","partition":1,"offset":7,"timestamp":1000,"key":null,"value":"3q2+7w==","value_encoding":"base64","headers":[{"key":"h","value":"/w==","value_encoding":"base64"},{"key":"z","value":null}]}`,
		`{"topic":"t","partition":0,"offset":3,"timestamp":5,"key":"k","value":null}`,
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines:\n%s", len(lines), out.String())
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d:\n got %s\nwant %s", i, lines[i], want[i])
		}
	}
	// What consume writes, produce reads back unchanged.
	r, err := record.Parse([]byte(lines[1]))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := r.ValueBytes(); !bytes.Equal(v, bin.Value) {
		t.Errorf("value came back as %x", v)
	}
	if k, _ := r.KeyBytes(); k != nil {
		t.Errorf("null key came back as %q", k)
	}
	if h, _ := r.HeaderBytes(1); h != nil {
		t.Errorf("null header came back as %q", h)
	}
}

func TestJSONMatchesMarshalWithoutHTMLEscapes(t *testing.T) {
	var out bytes.Buffer
	s := NewJSONSink(&out)
	m := testMessage()
	m.Value = []byte(`<a href="x">&</a>`)
	if err := s.Write(m); err != nil {
		t.Fatal(err)
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	r := ToRecord(m)
	want, err := output.MarshalJSON(&r)
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != string(want)+"\n" {
		t.Errorf("sink wrote %s, output.MarshalJSON gives %s", out.String(), want)
	}
	if !strings.Contains(out.String(), `"value":"<a href=\"x\">&</a>"`) {
		t.Errorf("sink wrote %s: <, > and & must not be escaped", out.String())
	}
}

func TestRawSinkIsByteExact(t *testing.T) {
	var out bytes.Buffer
	s := NewRawSink(&out)
	vals := [][]byte{{0x00, 0xff, '\n'}, nil, []byte("text"), {}}
	for _, v := range vals {
		if err := s.Write(&sarama.ConsumerMessage{Value: v}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if want := []byte{0x00, 0xff, '\n', 't', 'e', 'x', 't'}; !bytes.Equal(out.Bytes(), want) {
		t.Errorf("raw = %q, want %q", out.Bytes(), want)
	}
}

func TestTemplateSinkBuffers(t *testing.T) {
	var out bytes.Buffer
	tpl, err := Compile(`%o:%v\n`, "")
	if err != nil {
		t.Fatal(err)
	}
	s := NewTemplateSink(&out, tpl)
	for i := range 3 {
		if err := s.Write(&sarama.ConsumerMessage{Offset: int64(i), Value: []byte("v")}); err != nil {
			t.Fatal(err)
		}
	}
	if out.Len() != 0 {
		t.Errorf("wrote before Flush: %q", out.String())
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	if out.String() != "0:v\n1:v\n2:v\n" {
		t.Errorf("got %q", out.String())
	}
}

func BenchmarkSinks(b *testing.B) {
	m := testMessage()
	m.Value = bytes.Repeat([]byte("x"), 100)
	tpl, err := Compile(DefaultFormat, "")
	if err != nil {
		b.Fatal(err)
	}
	for name, s := range map[string]Sink{
		"template": NewTemplateSink(discard{}, tpl),
		"json":     NewJSONSink(discard{}),
		"raw":      NewRawSink(discard{}),
	} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := s.Write(m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
