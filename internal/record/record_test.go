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
	in.AddHeader("trace", []byte("abc"))
	in.AddHeader("bin", []byte{0xff})
	in.AddHeader("null", nil)
	line, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"topic":"t","partition":2,"offset":41,"timestamp":1763884800000,"key":null,"value":"3q2+7w==","value_encoding":"base64","headers":[{"key":"trace","value":"abc"},{"key":"bin","value":"/w==","value_encoding":"base64"},{"key":"null","value":null}]}`
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
