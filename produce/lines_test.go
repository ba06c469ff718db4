package produce

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/kq-dev/kq/internal/kqerr"
)

// got is a copy of a record as a test sees it.
type got struct {
	key, value []byte
	headers    []Header
	partition  int32
	pos        string
}

// drain reads src to its end and returns copies of the records and the
// errors met on the way (the source continues after an InputError).
func drain(t *testing.T, src Source) ([]got, []error) {
	t.Helper()
	var out []got
	var errs []error
	var r Record
	for range 100000 {
		err := src.Next(&r)
		if errors.Is(err, io.EOF) {
			return out, errs
		}
		if err != nil {
			errs = append(errs, err)
			var ie *InputError
			if !errors.As(err, &ie) {
				return out, errs
			}
			continue
		}
		g := got{key: clone(r.Key), value: clone(r.Value), partition: r.Partition, pos: r.Pos.String()}
		for _, h := range r.Headers {
			g.headers = append(g.headers, Header{clone(h.Key), clone(h.Value)})
		}
		out = append(out, g)
	}
	t.Fatal("source never ended")
	return nil, nil
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

func values(gs []got) []string {
	var out []string
	for _, g := range gs {
		if g.value == nil {
			out = append(out, "<nil>")
		} else {
			out = append(out, string(g.value))
		}
	}
	return out
}

func TestLineSourceDelimiters(t *testing.T) {
	cases := []struct {
		name, in, delim string
		want            []string
	}{
		{"newline", "a\nbb\nccc\n", "", []string{"a", "bb", "ccc"}},
		{"no final newline", "a\nbb", "", []string{"a", "bb"}},
		{"empty lines are empty records", "a\n\nb\n", "", []string{"a", "", "b"}},
		{"carriage returns kept", "a\r\nb\r\n", "", []string{"a\r", "b\r"}},
		{"nul", "a\x00b\x00", "\x00", []string{"a", "b"}},
		{"multi-byte", "a||b|c||d", "||", []string{"a", "b|c", "d"}},
		{"binary", "\xff\xfe\n\x00\x01", "", []string{"\xff\xfe", "\x00\x01"}},
		{"empty input", "", "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			gs, errs := drain(t, NewLineSource(strings.NewReader(c.in), LineConfig{Delimiter: []byte(c.delim)}))
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			if got := values(gs); strings.Join(got, "|") != strings.Join(c.want, "|") || len(got) != len(c.want) {
				t.Errorf("got %q, want %q", got, c.want)
			}
			for _, g := range gs {
				if g.key != nil || g.partition != AnyPartition {
					t.Errorf("record %s: key %q partition %d", g.pos, g.key, g.partition)
				}
			}
		})
	}
}

func TestLineSourcePositions(t *testing.T) {
	gs, _ := drain(t, NewLineSource(strings.NewReader("a\nb\n"), LineConfig{Input: "in.txt"}))
	if gs[1].pos != "in.txt:2" {
		t.Errorf("pos = %q", gs[1].pos)
	}
	gs, _ = drain(t, NewLineSource(strings.NewReader("a\nb\n"), LineConfig{}))
	if gs[1].pos != "line 2" {
		t.Errorf("pos = %q", gs[1].pos)
	}
	gs, _ = drain(t, NewLineSource(strings.NewReader("a;b"), LineConfig{Delimiter: []byte(";")}))
	if gs[1].pos != "record 2" {
		t.Errorf("pos = %q", gs[1].pos)
	}
}

func TestLineSourceKeys(t *testing.T) {
	in := "k1:v1\nno-key\nk3:v:3\n:empty-key\n"
	gs, _ := drain(t, NewLineSource(strings.NewReader(in), LineConfig{KeyDelimiter: []byte(":")}))
	want := [][2]string{{"k1", "v1"}, {"<nil>", "no-key"}, {"k3", "v:3"}, {"", "empty-key"}}
	for i, w := range want {
		k := "<nil>"
		if gs[i].key != nil {
			k = string(gs[i].key)
		}
		if k != w[0] || string(gs[i].value) != w[1] {
			t.Errorf("record %d: key %q value %q, want %q %q", i, k, gs[i].value, w[0], w[1])
		}
	}
}

func TestLineSourceTemplate(t *testing.T) {
	p := int32(2)
	tmpl := Template{Key: []byte("k"), Headers: []Header{{[]byte("h"), []byte("v")}, {[]byte("n"), nil}}, Partition: &p}
	gs, _ := drain(t, NewLineSource(strings.NewReader("a\nb"), LineConfig{Template: tmpl}))
	for _, g := range gs {
		if string(g.key) != "k" || g.partition != 2 || len(g.headers) != 2 || string(g.headers[0].Value) != "v" || g.headers[1].Value != nil {
			t.Errorf("record %s: %+v", g.pos, g)
		}
	}
	gs, _ = drain(t, NewLineSource(strings.NewReader("k1\nk2\n"), LineConfig{Template: Template{Tombstone: true}}))
	if len(gs) != 2 || string(gs[1].key) != "k2" || gs[1].value != nil {
		t.Errorf("tombstones: %+v", gs)
	}
}

func TestLineSourceLongAndOversizedRecords(t *testing.T) {
	long := strings.Repeat("x", readBufferSize+10) // spans reads
	huge := strings.Repeat("y", 3*readBufferSize)  // over the limit
	in := "a\n" + long + "\n" + huge + "\nb"
	src := NewLineSource(strings.NewReader(in), LineConfig{MaxRecordBytes: 2 * readBufferSize})
	gs, errs := drain(t, src)
	if got := values(gs); len(got) != 3 || got[0] != "a" || got[1] != long || got[2] != "b" {
		t.Fatalf("got %d records, sizes %v", len(got), lens(got))
	}
	if len(errs) != 1 {
		t.Fatalf("errors: %v", errs)
	}
	var ie *InputError
	if !errors.As(errs[0], &ie) || ie.Pos.Line != 3 || !errors.Is(errs[0], errTooLarge) || !errors.Is(errs[0], kqerr.ErrUsage) {
		t.Errorf("error %v", errs[0])
	}
	if !strings.Contains(errs[0].Error(), "line 3: record too large: 3145728 bytes") {
		t.Errorf("message %q", errs[0])
	}
}

func TestLineSourceMultiByteDelimiterAcrossReads(t *testing.T) {
	a := strings.Repeat("a", readBufferSize-1)
	in := a + "||b||" // the delimiter straddles the read buffer's end
	gs, errs := drain(t, NewLineSource(strings.NewReader(in), LineConfig{Delimiter: []byte("||"), MaxRecordBytes: 2 * readBufferSize}))
	if len(errs) > 0 || len(gs) != 2 || string(gs[0].value) != a || string(gs[1].value) != "b" {
		t.Fatalf("got %v %v", lens(values(gs)), errs)
	}
}

func lens(ss []string) []int {
	var out []int
	for _, s := range ss {
		out = append(out, len(s))
	}
	return out
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestLineSourceReadError(t *testing.T) {
	_, errs := drain(t, NewLineSource(failingReader{}, LineConfig{}))
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "read input: disk on fire") || errors.Is(errs[0], kqerr.ErrUsage) {
		t.Errorf("errors %v", errs)
	}
}

func TestConcat(t *testing.T) {
	src := Concat(
		NewLineSource(strings.NewReader("a\nb\n"), LineConfig{Input: "one"}),
		NewLineSource(strings.NewReader(""), LineConfig{Input: "empty"}),
		NewLineSource(strings.NewReader("c"), LineConfig{Input: "two"}),
	)
	gs, _ := drain(t, src)
	var pos []string
	for _, g := range gs {
		pos = append(pos, g.pos)
	}
	if strings.Join(pos, ",") != "one:1,one:2,two:1" {
		t.Errorf("positions %v", pos)
	}
}

func TestRecordSize(t *testing.T) {
	r := Record{Key: []byte("ab"), Value: []byte("cde"), Headers: []Header{{[]byte("f"), []byte("gh")}, {[]byte("i"), nil}}}
	if got := r.Size(); got != 9 {
		t.Errorf("Size = %d, want 9", got)
	}
}

func TestLineSourceStripCRAndEmpty(t *testing.T) {
	in := "a\r\n\r\n\nb\r\nc"
	for _, tc := range []struct {
		c    LineConfig
		want string
		pos  string // position of the last record
	}{
		{LineConfig{}, "a\r,\r,,b\r,c", "line 5"},
		{LineConfig{StripCR: true}, "a,,,b,c", "line 5"},
		{LineConfig{StripCR: true, Empty: EmptySkip}, "a,b,c", "line 5"},
		{LineConfig{Empty: EmptySkip}, "a\r,\r,b\r,c", "line 5"},
		{LineConfig{StripCR: true, Empty: EmptyNull}, "a,<nil>,<nil>,b,c", "line 5"},
	} {
		gs, errs := drain(t, NewLineSource(strings.NewReader(in), tc.c))
		if got := strings.Join(values(gs), ","); got != tc.want || len(errs) > 0 {
			t.Errorf("%+v: values %q, errors %v; want %q", tc.c, got, errs, tc.want)
			continue
		}
		if last := gs[len(gs)-1].pos; last != tc.pos {
			t.Errorf("%+v: last position %q, want %q", tc.c, last, tc.pos)
		}
	}
	kv, _ := drain(t, NewLineSource(strings.NewReader("k:v\r\n\r\n"), LineConfig{KeyDelimiter: []byte(":"), StripCR: true, Empty: EmptySkip}))
	if len(kv) != 1 || string(kv[0].key) != "k" || string(kv[0].value) != "v" {
		t.Errorf("key:value with CRLF: %+v", kv)
	}
	if _, err := ParseEmptyRecords("drop"); !errors.Is(err, kqerr.ErrUsage) {
		t.Errorf("ParseEmptyRecords(drop) = %v, want a usage error", err)
	}
	if e, err := ParseEmptyRecords("NULL"); err != nil || e != EmptyNull {
		t.Errorf("ParseEmptyRecords(NULL) = %q, %v; want null", e, err)
	}
}

// TestValueSourceSizeErrorNamesTheLimit checks that a value file over the
// limit is reported with the limit, not with a made-up size (the source
// stops reading at the limit, so the real size is unknown).
func TestValueSourceSizeErrorNamesTheLimit(t *testing.T) {
	src := NewValueSource(strings.NewReader(strings.Repeat("x", 50)), "big.bin", Template{}, 10)
	var r Record
	err := src.Next(&r)
	if err == nil || err.Error() != "big.bin record 1: record too large: more than max message bytes 10" {
		t.Fatalf("err = %v", err)
	}
}
