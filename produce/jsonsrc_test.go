package produce

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/seqmsg"
)

func TestJSONSource(t *testing.T) {
	in := `{"key":"k1","value":"v1","headers":[{"key":"h","value":"x"},{"key":"n","value":null}]}

{"key":null,"value":null,"partition":2,"timestamp":1763884800000}
{"key":"","value":"","topic":"ignored","offset":9}
{"key":"3q2+7w==","key_encoding":"base64","value":"/w==","value_encoding":"base64"}
`
	src := NewJSONSource(strings.NewReader(in), JSONConfig{})
	var r Record
	check := func(want string, f func(r *Record) bool) {
		t.Helper()
		if err := src.Next(&r); err != nil {
			t.Fatal(err)
		}
		if !f(&r) {
			t.Errorf("%s: got %+v", want, r)
		}
	}
	check("text record with headers", func(r *Record) bool {
		return string(r.Key) == "k1" && string(r.Value) == "v1" && len(r.Headers) == 2 &&
			string(r.Headers[0].Value) == "x" && r.Headers[1].Value == nil && r.Partition == AnyPartition &&
			r.Timestamp.IsZero() && r.Pos.String() == "line 1"
	})
	check("nulls, partition and timestamp (blank line skipped)", func(r *Record) bool {
		return r.Key == nil && r.Value == nil && r.Partition == 2 &&
			r.Timestamp.Equal(time.UnixMilli(1763884800000)) && r.Pos.Line == 3
	})
	check("empty, not null", func(r *Record) bool {
		return r.Key != nil && len(r.Key) == 0 && r.Value != nil && len(r.Value) == 0 && len(r.Headers) == 0
	})
	check("base64", func(r *Record) bool {
		return string(r.Key) == "\xde\xad\xbe\xef" && string(r.Value) == "\xff"
	})
}

func TestJSONSourceBadLines(t *testing.T) {
	in := "{\"value\":\"ok\"}\nnot json\n{\"value\":\"!!\",\"value_encoding\":\"base64\"}\n{\"value\":\"x\",\"partition\":-3}\n{\"value\":\"after\"}\n"
	gs, errs := drain(t, NewJSONSource(strings.NewReader(in), JSONConfig{Input: "in.json"}))
	if got := values(gs); len(got) != 2 || got[0] != "ok" || got[1] != "after" {
		t.Errorf("records %q", got)
	}
	wants := []string{"in.json:2: invalid JSON", "in.json:3: value: invalid base64", "in.json:4: partition -3 is negative"}
	if len(errs) != len(wants) {
		t.Fatalf("errors %v", errs)
	}
	for i, w := range wants {
		if !strings.HasPrefix(errs[i].Error(), w) || !errors.Is(errs[i], kqerr.ErrUsage) {
			t.Errorf("error %d = %q, want prefix %q", i, errs[i], w)
		}
	}
}

func TestJSONSourceDefaultPartition(t *testing.T) {
	p := int32(1)
	gs, _ := drain(t, NewJSONSource(strings.NewReader("{\"value\":\"a\"}\n{\"value\":\"b\",\"partition\":0}"), JSONConfig{Partition: &p}))
	if len(gs) != 2 || gs[0].partition != 1 || gs[1].partition != 0 {
		t.Errorf("got %+v", gs)
	}
}

func TestJSONSourceIgnorePartition(t *testing.T) {
	in := "{\"value\":\"a\",\"partition\":5}\n{\"value\":\"b\",\"partition\":0}"
	p := int32(1)
	gs, _ := drain(t, NewJSONSource(strings.NewReader(in), JSONConfig{Partition: &p, IgnorePartition: true}))
	if len(gs) != 2 || gs[0].partition != 1 || gs[1].partition != 1 {
		t.Errorf("-p 1: got %+v, want every record on partition 1", gs)
	}
	gs, _ = drain(t, NewJSONSource(strings.NewReader(in), JSONConfig{IgnorePartition: true}))
	if len(gs) != 2 || gs[0].partition != AnyPartition || gs[1].partition != AnyPartition {
		t.Errorf("--partitioner: got %+v, want the partitioner to choose", gs)
	}
}

func TestGenerator(t *testing.T) {
	gs, _ := drain(t, NewGenerator(GenConfig{Count: 30, Size: 12}))
	if len(gs) != 30 {
		t.Fatalf("%d records", len(gs))
	}
	if v := string(gs[0].value); v != "0 cdefghijkl" {
		t.Errorf("record 0 = %q", v)
	}
	if v := string(gs[27].value); v != "27 efghijklm" {
		t.Errorf("record 27 = %q", v)
	}
	if gs[29].pos != "record 30" || gs[0].key != nil {
		t.Errorf("record 30: %+v", gs[29])
	}
	gs, _ = drain(t, NewGenerator(GenConfig{Count: 2, Size: 1}))
	if string(gs[0].value) != "0" || string(gs[1].value) != "1" {
		t.Errorf("tiny values %q", values(gs))
	}
}

func TestGeneratorSeq(t *testing.T) {
	gs, _ := drain(t, NewGenerator(GenConfig{Count: 5, Size: 100, Seq: true, SeqProducer: 7}))
	for i, g := range gs {
		v, err := seqmsg.Decode(g.value)
		if err != nil || v.Producer != 7 || v.Seq != uint64(i) || len(g.value) != 100 {
			t.Errorf("record %d: %v %v len %d", i, v, err, len(g.value))
		}
	}
}

func TestGenConfigValidate(t *testing.T) {
	for _, c := range []GenConfig{{Count: 0}, {Count: 1, Size: -1}, {Count: 1, Template: Template{Tombstone: true}}} {
		if err := c.Validate(); !errors.Is(err, kqerr.ErrUsage) {
			t.Errorf("%+v: %v", c, err)
		}
	}
	if err := (GenConfig{Count: 1}).Validate(); err != nil {
		t.Error(err)
	}
}

func TestValueSource(t *testing.T) {
	bin := "\x00\xff\n\x01binary"
	gs, errs := drain(t, NewValueSource(strings.NewReader(bin), "photo.jpg", Template{Key: []byte("k")}, 100))
	if len(errs) > 0 || len(gs) != 1 || string(gs[0].value) != bin || string(gs[0].key) != "k" || gs[0].pos != "photo.jpg record 1" {
		t.Fatalf("got %+v %v", gs, errs)
	}
	gs, _ = drain(t, NewValueSource(strings.NewReader(""), "empty", Template{}, 100))
	if len(gs) != 1 || gs[0].value == nil || len(gs[0].value) != 0 {
		t.Errorf("empty file: %+v", gs)
	}
	gs, _ = drain(t, NewValueSource(nil, "", Template{Key: []byte("k"), Tombstone: true}, 100))
	if len(gs) != 1 || gs[0].value != nil || string(gs[0].key) != "k" {
		t.Errorf("tombstone: %+v", gs)
	}
	_, errs = drain(t, NewValueSource(strings.NewReader(strings.Repeat("x", 101)), "big", Template{}, 100))
	if len(errs) != 1 || !errors.Is(errs[0], errTooLarge) || !strings.Contains(errs[0].Error(), "more than max message bytes 100") {
		t.Errorf("oversized: %v", errs)
	}
}
