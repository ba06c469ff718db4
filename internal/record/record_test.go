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

func TestParseKcatEnvelope(t *testing.T) {
	line := `{"topic":"t","partition":1,"offset":7,"tstype":"create","ts":1763884800000,"broker":1,"headers":["trace","abc","empty",null],"key":"k","payload":"v"}`
	r, err := Parse([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	if *r.Key != "k" || *r.Value != "v" || *r.Timestamp != 1763884800000 || *r.Partition != 1 {
		t.Errorf("envelope fields: %+v", r)
	}
	if len(r.Headers) != 2 || r.Headers[0].Key != "trace" || *r.Headers[0].Value != "abc" || r.Headers[1].Key != "empty" || r.Headers[1].Value != nil {
		t.Errorf("headers: %+v", r.Headers)
	}
	r, err = Parse([]byte(`{"key":null,"payload":null,"ts":-1}`))
	if err != nil || r.Value != nil || r.Key != nil || r.Timestamp != nil {
		t.Errorf("kcat tombstone without timestamp: %+v, %v", r, err)
	}
}

func TestParseValueMustBeNamed(t *testing.T) {
	r, err := Parse([]byte(`{"key":"k","value":null}`))
	if err != nil || r.Value != nil {
		t.Errorf("explicit null: %+v, %v", r, err)
	}
	if _, err := Parse([]byte(`{"key":"k"}`)); err == nil || err.Error() != `no "value": write "value": null for a tombstone` {
		t.Errorf("missing value: %v", err)
	}
}

func TestParseErrorMessages(t *testing.T) {
	for line, want := range map[string]string{
		`{"value":{"a":1}}`:                                     `"value" is a JSON object; it must be a string or null (put JSON documents in a string)`,
		`{"key":[1],"value":"v"}`:                               `"key" is a JSON array; it must be a string or null (put JSON documents in a string)`,
		`{"payload":7}`:                                         `"payload" is a JSON number; it must be a string or null (put JSON documents in a string)`,
		`{"value":"v","payload":"p"}`:                           `both "value" and "payload" given: use one`,
		`{"value":"v","headers":["a"]}`:                         `"headers" has 1 items; kcat's form pairs them ["name","value",...]`,
		`{"value":"v","headers":["a",{"x":1}]}`:                 `header "a": value is a JSON object; want a string or null`,
		`{"value":"v","headers":[1,"x"]}`:                       `header name 1 is a JSON number; want a string (["name","value",...])`,
		`{"value":"v","headers":{"a":"b"}}`:                     `"headers" is a JSON object; want [{"key":"k","value":"v"}] or kcat's ["k","v"]`,
		`{"value":"v","headers":[{"key":"a","value":"b"},"c"]}`: `header 2 is a JSON string; want {"key":"k","value":"v"}`,
		`{"value":"v","partition":"2"}`:                         `"partition" is a JSON string; want a number`,
		`{"value":"v","timestamp":1,"ts":2}`:                    `"timestamp" 1 and "ts" 2 disagree`,
		`[1,2]`:                                                 `invalid JSON record: a JSON array, not an object`,
		`{"value": oops}`:                                       `invalid JSON at byte 11: invalid character 'o' looking for beginning of value`,
	} {
		_, err := Parse([]byte(line))
		if err == nil || err.Error() != want {
			t.Errorf("Parse(%s) = %v\nwant %s", line, err, want)
		}
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
