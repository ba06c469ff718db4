package produce

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzSplitter checks that the splitter returns exactly the records
// between delimiters, each at most max bytes, and reports the others as
// too large, for any input and delimiter.
func FuzzSplitter(f *testing.F) {
	f.Add([]byte("a\nbb\n\nccc"), []byte("\n"), 2)
	f.Add([]byte("k1:v1||k2:v2||"), []byte("||"), 10)
	f.Add(bytes.Repeat([]byte("x"), 70000), []byte("\n"), 65536)
	f.Fuzz(func(t *testing.T, data, delim []byte, max int) {
		if len(delim) == 0 || max < 0 || max > 1<<20 {
			return
		}
		want := bytes.Split(data, delim)
		if len(want[len(want)-1]) == 0 {
			want = want[:len(want)-1] // a trailing delimiter ends the last record
		}
		sp := newSplitter(bytes.NewReader(data), delim, max)
		for i := 0; ; i++ {
			rec, err := sp.next()
			if errors.Is(err, io.EOF) {
				if i != len(want) {
					t.Fatalf("%d records, want %d", i, len(want))
				}
				return
			}
			if i >= len(want) {
				t.Fatalf("record %d past the %d expected", i, len(want))
			}
			if errors.Is(err, errTooLarge) {
				if len(want[i]) <= max {
					t.Fatalf("record %d of %d bytes called too large (max %d)", i, len(want[i]), max)
				}
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(rec, want[i]) {
				t.Fatalf("record %d = %q, want %q", i, rec, want[i])
			}
		}
	})
}

// FuzzJSONSource reads arbitrary JSON lines as produce --input json does:
// a bad line is an input error, never a panic.
func FuzzJSONSource(f *testing.F) {
	f.Add([]byte(`{"key":"k","value":"v","headers":[{"key":"h","key_encoding":"base64","value":"/w==","value_encoding":"base64"}]}` + "\n" + `{"value":null,"partition":2,"timestamp":1}`))
	f.Add([]byte(`{"payload":"p","ts":5,"headers":["a","b"]}`))
	f.Add([]byte(`{"value":"x","partition":-1}` + "\n{\n[]\nnull\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		src := NewJSONSource(bytes.NewReader(data), JSONConfig{MaxRecordBytes: 1 << 16})
		var r Record
		for range 1000 {
			err := src.Next(&r)
			var ie *InputError
			switch {
			case errors.Is(err, io.EOF):
				return
			case errors.As(err, &ie):
				continue
			case err != nil:
				t.Fatalf("not an input error: %v", err)
			}
		}
	})
}
