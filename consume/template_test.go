package consume

import (
	"errors"
	"testing"
	"time"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/kqerr"
)

func testMessage() *sarama.ConsumerMessage {
	return &sarama.ConsumerMessage{
		Topic: "orders", Partition: 2, Offset: 41,
		Timestamp: time.UnixMilli(1763884800123),
		Key:       []byte("k1"), Value: []byte("hello"),
		Headers: []*sarama.RecordHeader{{Key: []byte("trace"), Value: []byte("abc")}, {Key: []byte("n"), Value: nil}},
	}
}

func TestTemplate(t *testing.T) {
	m := testMessage()
	null := &sarama.ConsumerMessage{Topic: "t", Offset: 0, Key: nil, Value: nil}
	empty := &sarama.ConsumerMessage{Topic: "t", Key: []byte{}, Value: []byte{}}
	for _, tc := range []struct {
		format, nullText string
		m                *sarama.ConsumerMessage
		want             string
	}{
		{DefaultFormat, "", m, "hello\n"},
		{`%t %p %o %k %v %T %h %K %S`, "", m, "orders 2 41 k1 hello 1763884800123 trace=abc,n= 2 5"},
		{`%k\t%v\r\n\\%%`, "", m, "k1\thello\r\n\\%"},
		{`literal only`, "", m, "literal only"},
		{`[%k][%v] %K %S`, "", null, "[][] -1 -1"},
		{`[%k][%v] %K %S %h`, "NULL", null, "[NULL][NULL] -1 -1 "},
		{`%h`, "NULL", m, "trace=abc,n=NULL"},
		{`[%k][%v] %K %S`, "NULL", empty, "[][] 0 0"},
		{`%T`, "", null, "-1"},
		{`%s|%v`, "", m, "hello|hello"},
		{`%R%s`, "", m, "\x00\x00\x00\x05hello"},
		{`%R`, "", null, "\xff\xff\xff\xff"},
		{`%d`, "", m, "2025-11-23T08:00:00.123Z"},
		{`%d`, "", null, "-1"},
		{`%v\0%k\x1e\x41`, "", m, "hello\x00k1\x1eA"},
		{``, "", m, ""},
	} {
		tpl, err := Compile(tc.format, tc.nullText)
		if err != nil {
			t.Errorf("Compile(%q): %v", tc.format, err)
			continue
		}
		if got := string(tpl.Append(nil, tc.m)); got != tc.want {
			t.Errorf("format %q null %q: got %q, want %q", tc.format, tc.nullText, got, tc.want)
		}
	}
}

func TestTemplateAppendsToBuffer(t *testing.T) {
	tpl, err := Compile(`%o,`, "")
	if err != nil {
		t.Fatal(err)
	}
	buf := []byte("x:")
	buf = tpl.Append(buf, testMessage())
	buf = tpl.Append(buf, testMessage())
	if string(buf) != "x:41,41," {
		t.Errorf("got %q", buf)
	}
}

func TestCompileErrors(t *testing.T) {
	for _, f := range []string{`%`, `%x`, `%v %`, `\`, `\q`, `%v\`, `%%%`, `%P`, `\x4`, `\xzz`} {
		if _, err := Compile(f, ""); !errors.Is(err, kqerr.ErrUsage) {
			t.Errorf("Compile(%q) err = %v, want a usage error", f, err)
		}
	}
}

func BenchmarkTemplate(b *testing.B) {
	for name, format := range map[string]string{
		"kcat":  `%t %p %o %k %v %T %h\n`,
		"dates": `%d %R%s\0`,
	} {
		b.Run(name, func(b *testing.B) {
			tpl, err := Compile(format, "")
			if err != nil {
				b.Fatal(err)
			}
			m := testMessage()
			buf := make([]byte, 0, 256)
			b.ReportAllocs()
			for b.Loop() {
				buf = tpl.Append(buf[:0], m)
			}
		})
	}
}

func TestDelimitedFormat(t *testing.T) {
	m := testMessage()
	m.Key = []byte("a%b")
	for _, tc := range []struct {
		key, delim []byte
		want       string
	}{
		{nil, []byte{0}, "hello\x00"},
		{[]byte("\t"), []byte("\n"), "a%b\thello\n"},
		{[]byte(`%k\`), []byte("%%"), "a%b%k\\hello%%"},
	} {
		tpl, err := Compile(DelimitedFormat(tc.key, tc.delim), "")
		if err != nil {
			t.Fatalf("Compile(DelimitedFormat(%q, %q)): %v", tc.key, tc.delim, err)
		}
		if got := string(tpl.Append(nil, m)); got != tc.want {
			t.Errorf("DelimitedFormat(%q, %q) rendered %q, want %q", tc.key, tc.delim, got, tc.want)
		}
	}
}
