package consume

import (
	"strconv"

	"github.com/IBM/sarama"

	"github.com/kq-dev/kq/internal/kqerr"
)

// DefaultFormat is the format of `kq consume` without --format: the value
// and a newline, as kcat prints.
const DefaultFormat = `%v\n`

// FormatHelp describes the directives and escapes a [Template] knows, for
// command help.
const FormatHelp = `%t topic, %p partition, %o offset, %k key, %v value, %T timestamp (unix ms),
%h headers as k=v,k=v, %K key length, %S value length (-1 for null), %% a percent sign;
escapes \n \t \r \\`

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
)

// directives maps the letter after % to its field.
var directives = map[byte]field{
	't': fieldTopic, 'p': fieldPartition, 'o': fieldOffset, 'k': fieldKey, 'v': fieldValue,
	'T': fieldTimestamp, 'h': fieldHeaders, 'K': fieldKeyLen, 'S': fieldValueLen,
}

// escapes maps the letter after a backslash to the byte it stands for.
var escapes = map[byte]byte{'n': '\n', 't': '\t', 'r': '\r', '\\': '\\'}

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
				return nil, kqerr.Usagef("unknown directive %%%c in format %q (want %%t %%p %%o %%k %%v %%T %%h %%K %%S or %%%%)", next, format)
			}
			t.segs = appendLiteral(t.segs, lit)
			lit = nil
			t.segs = append(t.segs, segment{field: f})
		default:
			b, ok := escapes[next]
			if !ok {
				return nil, kqerr.Usagef(`unknown escape \%c in format %q (want \n \t \r or \\)`, next, format)
			}
			lit = append(lit, b)
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
