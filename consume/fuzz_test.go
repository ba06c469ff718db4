package consume

import (
	"testing"
	"time"

	"github.com/IBM/sarama"
)

// FuzzCompileTemplate checks that any --format string either compiles or
// is refused, and that a compiled one renders a record without panicking.
func FuzzCompileTemplate(f *testing.F) {
	for _, s := range []string{"%s\n", "%k:%s %p@%o %T %h\\n", "%K %S %t %H %D%%", "\\x00\\t%", "%", "%z", "\\", "\\x", "\\xzz"} {
		f.Add(s, "NULL")
	}
	m := &sarama.ConsumerMessage{Topic: "t", Partition: 1, Offset: 2, Key: []byte{0xff}, Value: nil, Timestamp: time.UnixMilli(1),
		Headers: []*sarama.RecordHeader{{Key: []byte("h"), Value: nil}}}
	f.Fuzz(func(t *testing.T, format, null string) {
		tmpl, err := Compile(format, null)
		if err != nil {
			return
		}
		tmpl.Append(nil, m)
	})
}

// FuzzParseOffsetSpec checks that an accepted offset spec prints back as
// one that parses to the same spec.
func FuzzParseOffsetSpec(f *testing.F) {
	for _, s := range []string{"earliest", "latest", "-10", "42", "@1763884800000", "@2026-11-01T00:00:00Z", "@-1h", "+5", "", "@", "-", "9223372036854775807", "-9223372036854775808"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		spec, err := ParseOffsetSpec(s, now)
		if err != nil {
			return
		}
		again, err := ParseOffsetSpec(spec.String(), now)
		if err != nil {
			t.Fatalf("%q parsed as %v, whose text %q does not parse: %v", s, spec, spec.String(), err)
		}
		if again.String() != spec.String() || again.Kind != spec.Kind {
			t.Fatalf("%q parsed as %+v, its text %q as %+v", s, spec, spec.String(), again)
		}
		_, _ = ParseUntil(s, now)
	})
}
