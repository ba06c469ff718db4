package consume

import (
	"encoding/binary"
	"strconv"
	"strings"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/escape"
	"github.com/kq-dev/kq/internal/kqerr"
)

// DefaultFormat is the format of `kq consume` without --format: the value
// and a newline, as kcat prints.
const DefaultFormat = `%v\n`

// FormatHelp describes the directives and escapes a [Template] knows, for
// command help.
const FormatHelp = `%t topic, %p partition, %o offset, %k key, %v or %s value, %T timestamp
(unix ms), %d timestamp as RFC 3339 UTC date-time with milliseconds, %h headers as k=v,k=v,
%K key length, %S value length (-1 for null), %R value length as a 4-byte big-endian integer
(kcat's), %% a percent sign; escapes ` + escape.Help

// field is one directive of a template.
type field byte

const (
	fieldLiteral field = iota
	fieldTopic
	fieldPartition
	fieldOffset
	fieldKey
	fieldValue
	fieldTimestamp
	fieldHeaders
	fieldKeyLen
	fieldValueLen
	fieldValueLenBinary
	fieldDate
)

// directives maps the letter after % to its field.
var directives = map[byte]field{
	't': fieldTopic, 'p': fieldPartition, 'o': fieldOffset, 'k': fieldKey, 'v': fieldValue,
	's': fieldValue, 'T': fieldTimestamp, 'h': fieldHeaders, 'K': fieldKeyLen, 'S': fieldValueLen,
	'R': fieldValueLenBinary, 'd': fieldDate,
}

// dateLayout is what %d prints: RFC 3339 in UTC with milliseconds.
const dateLayout = "2006-01-02T15:04:05.000Z07:00"

// segment is a literal run or one field.
type segment struct {
	field field
	lit   []byte
}

// Template is a compiled kcat-style format string. It is immutable and safe
// for concurrent use.
type Template struct {
	segs []segment
	null []byte
}

// Compile parses a format string (see [FormatHelp]). null is what %k, %v
// and %h print for a null key, value or header value; kcat prints nothing,
// so "" is the usual choice. Errors match kqerr.ErrUsage.
func Compile(format, null string) (*Template, error) {
	t := &Template{null: []byte(null)}
	var lit []byte
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' && c != '\\' {
			lit = append(lit, c)
			continue
		}
		if i+1 == len(format) {
			return nil, kqerr.Usagef("format %q ends with a lone %c", format, c)
		}
		i++
		next := format[i]
		switch {
		case c == '%' && next == '%':
			lit = append(lit, '%')
		case c == '%':
			f, ok := directives[next]
			if !ok {
				return nil, kqerr.Usagef("unknown directive %%%c in format %q (want %%t %%p %%o %%k %%v %%s %%T %%d %%h %%K %%S %%R or %%%%)", next, format)
			}
			t.segs = appendLiteral(t.segs, lit)
			lit = nil
			t.segs = append(t.segs, segment{field: f})
		default:
			b, n, ok := escape.Decode(format[i:])
			if !ok {
				return nil, kqerr.Usagef(`unknown escape \%c in format %q (want %s)`, next, format, escape.Help)
			}
			lit = append(lit, b)
			i += n - 1
		}
	}
	t.segs = appendLiteral(t.segs, lit)
	return t, nil
}

func appendLiteral(segs []segment, lit []byte) []segment {
	if len(lit) == 0 {
		return segs
	}
	return append(segs, segment{field: fieldLiteral, lit: lit})
}

// Append appends m rendered by the template to dst and returns the
// extended buffer.
func (t *Template) Append(dst []byte, m *sarama.ConsumerMessage) []byte {
	for i := range t.segs {
		s := &t.segs[i]
		switch s.field {
		case fieldLiteral:
			dst = append(dst, s.lit...)
		case fieldTopic:
			dst = append(dst, m.Topic...)
		case fieldPartition:
			dst = strconv.AppendInt(dst, int64(m.Partition), 10)
		case fieldOffset:
			dst = strconv.AppendInt(dst, m.Offset, 10)
		case fieldKey:
			dst = t.appendBytes(dst, m.Key)
		case fieldValue:
			dst = t.appendBytes(dst, m.Value)
		case fieldTimestamp:
			dst = strconv.AppendInt(dst, timestampMillis(m), 10)
		case fieldHeaders:
			dst = t.appendHeaders(dst, m.Headers)
		case fieldKeyLen:
			dst = strconv.AppendInt(dst, length(m.Key), 10)
		case fieldValueLen:
			dst = strconv.AppendInt(dst, length(m.Value), 10)
		case fieldValueLenBinary:
			dst = binary.BigEndian.AppendUint32(dst, uint32(int32(length(m.Value))))
		case fieldDate:
			dst = appendDate(dst, m)
		}
	}
	return dst
}

func (t *Template) appendBytes(dst, b []byte) []byte {
	if b == nil {
		return append(dst, t.null...)
	}
	return append(dst, b...)
}

func (t *Template) appendHeaders(dst []byte, hs []*sarama.RecordHeader) []byte {
	for i, h := range hs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, h.Key...)
		dst = append(dst, '=')
		dst = t.appendBytes(dst, h.Value)
	}
	return dst
}

// appendDate appends m's timestamp as RFC 3339 in UTC with milliseconds,
// or -1 when the record carries none.
func appendDate(dst []byte, m *sarama.ConsumerMessage) []byte {
	if m.Timestamp.IsZero() {
		return append(dst, "-1"...)
	}
	return m.Timestamp.UTC().AppendFormat(dst, dateLayout)
}

// DelimitedFormat is the format kcat uses for its consumer -D and -K
// delimiters: the value followed by delim, with the key and keyDelim
// before it when keyDelim is not nil. The delimiters are raw bytes (decode
// escapes with package internal/escape first).
func DelimitedFormat(keyDelim, delim []byte) string {
	var b strings.Builder
	if keyDelim != nil {
		b.WriteString("%k")
		writeLiteral(&b, keyDelim)
	}
	b.WriteString("%v")
	writeLiteral(&b, delim)
	return b.String()
}

// writeLiteral writes lit so that Compile reads it back byte for byte.
func writeLiteral(b *strings.Builder, lit []byte) {
	for _, c := range lit {
		switch c {
		case '%':
			b.WriteString("%%")
		case '\\':
			b.WriteString(`\\`)
		default:
			b.WriteByte(c)
		}
	}
}

// length is len(b), or -1 for nil (null).
func length(b []byte) int64 {
	if b == nil {
		return -1
	}
	return int64(len(b))
}

// timestampMillis is m's timestamp in unix milliseconds, -1 when the record
// carries none.
func timestampMillis(m *sarama.ConsumerMessage) int64 {
	if m.Timestamp.IsZero() {
		return -1
	}
	return m.Timestamp.UnixMilli()
}
