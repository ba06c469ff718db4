package record

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	p, o, ts := int32(2), int64(41), int64(1763884800000)
	in := Record{Topic: "t", Partition: &p, Offset: &o, Timestamp: &ts}
	in.SetKey(nil)
	in.SetValue([]byte{0xde, 0xad, 0xbe, 0xef})
	in.AddHeader([]byte("trace"), []byte("abc"))
	in.AddHeader([]byte("bin"), []byte{0xff})
	in.AddHeader([]byte("null"), nil)
	in.AddHeader([]byte{0xfe, 'k'}, []byte("v"))
	line, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"topic":"t","partition":2,"offset":41,"timestamp":1763884800000,"key":null,"value":"3q2+7w==","value_encoding":"base64","headers":[{"key":"trace","value":"abc"},{"key":"bin","value":"/w==","value_encoding":"base64"},{"key":"null","value":null},{"key":"/ms=","key_encoding":"base64","value":"v"}]}`
	if string(line) != want {
		t.Fatalf("json =\n%s\nwant\n%s", line, want)
	}
	out, err := Parse(line)
	if err != nil {
		t.Fatal(err)
	}
	if k, _ := out.KeyBytes(); k != nil {
		t.Errorf("null key came back as %q", k)
	}
	if v, _ := out.ValueBytes(); !bytes.Equal(v, []byte{0xde, 0xad, 0xbe, 0xef}) {
		t.Errorf("value = %x", v)
	}
	if h, _ := out.HeaderBytes(1); !bytes.Equal(h, []byte{0xff}) {
		t.Errorf("binary header = %x", h)
	}
	if h, _ := out.HeaderBytes(2); h != nil {
		t.Errorf("null header = %q", h)
	}
	if k, _ := out.HeaderKeyBytes(3); !bytes.Equal(k, []byte{0xfe, 'k'}) {
		t.Errorf("binary header key = %x", k)
	}
	if *out.Partition != 2 || *out.Timestamp != ts {
		t.Errorf("partition/timestamp lost: %+v", out)
	}
}

func TestTextStaysText(t *testing.T) {
	var r Record
	r.SetValue([]byte("héllo"))
	r.SetKey([]byte(""))
	if r.ValueEncoding != "" || *r.Value != "héllo" || r.Key == nil || *r.Key != "" {
		t.Fatalf("utf-8 text not kept as text: %+v", r)
	}
}

func TestParseErrors(t *testing.T) {
	for _, line := range []string{
		`{"value":"x",`,
		`{"value":"!!!","value_encoding":"base64"}`,
		`{"key":"a","key_encoding":"hex"}`,
		`{"headers":[{"key":"h","value":"%%","value_encoding":"base64"}]}`,
		`[1,2]`,
	} {
		if _, err := Parse([]byte(line)); err == nil {
			t.Errorf("Parse(%s) succeeded", line)
		}
	}
	if r, err := Parse([]byte(`{"value":"only"}`)); err != nil || r.Key != nil || *r.Value != "only" {
		t.Errorf("minimal line: %+v, %v", r, err)
	}
}

// FuzzRoundTrip checks that any key, value and header bytes survive the
// JSON form unchanged, as consume -o json | produce --input json needs.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte("k"), []byte("v"), []byte("h"), []byte("x"))
	f.Add([]byte{0xff}, []byte{}, []byte{0xfe, 'k'}, []byte{0xc3})
	f.Fuzz(func(t *testing.T, key, value, hkey, hvalue []byte) {
		var in Record
		in.SetKey(key)
		in.SetValue(value)
		in.AddHeader(hkey, hvalue)
		line, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		out, err := Parse(line)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		k, _ := out.KeyBytes()
		v, _ := out.ValueBytes()
		hk, _ := out.HeaderKeyBytes(0)
		hv, _ := out.HeaderBytes(0)
		for _, p := range [][2][]byte{{k, key}, {v, value}, {hk, hkey}, {hv, hvalue}} {
			if !bytes.Equal(p[0], p[1]) {
				t.Fatalf("%q came back as %q (line %s)", p[1], p[0], line)
			}
		}
		// Null survives for key, value and header value (a header key
		// cannot be null in Kafka).
		if (k == nil) != (key == nil) || (v == nil) != (value == nil) || (hv == nil) != (hvalue == nil) {
			t.Fatalf("null not preserved: line %s", line)
		}
	})
}
