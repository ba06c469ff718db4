// Package escape is kq's one home for backslash escapes in command-line
// values: produce -D/-K separators, consume -D/-K delimiters and consume
// --format templates all decode \n, \r, \t, \0, \\ and \xHH here.
package escape

import (
	"strconv"
	"strings"

	"github.com/kq-dev/kq/internal/kqerr"
)

// Help lists the escapes, for flag help and error messages.
const Help = `\n \r \t \0 \\ \xHH`

// Decode decodes the escape that follows a backslash at the start of s
// (s does not include the backslash) and returns its byte and how many
// bytes of s it used. ok is false for an unknown or malformed escape.
func Decode(s string) (b byte, n int, ok bool) {
	if s == "" {
		return 0, 0, false
	}
	if i := strings.IndexByte(`nrt0\`, s[0]); i >= 0 {
		return "\n\r\t\x00\\"[i], 1, true
	}
	if s[0] == 'x' && len(s) >= 3 {
		v, err := strconv.ParseUint(s[1:3], 16, 8)
		return byte(v), 3, err == nil
	}
	return 0, 0, false
}

// Separator turns a separator flag value into bytes, decoding the escapes,
// so that a shell user can write --delimiter '\0' or -K '\t'. flag names
// the flag in errors. It is an error for the result to be empty.
func Separator(flag, s string) ([]byte, error) {
	var out []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			out = append(out, s[i])
			continue
		}
		if i+1 == len(s) {
			return nil, kqerr.Usagef("%s %q ends in a lone backslash", flag, s)
		}
		b, n, ok := Decode(s[i+1:])
		if !ok {
			return nil, kqerr.Usagef(`%s %q: unknown escape \%c (want %s)`, flag, s, s[i+1], Help)
		}
		out = append(out, b)
		i += n
	}
	if len(out) == 0 {
		return nil, kqerr.Usagef("%s must not be empty", flag)
	}
	return out, nil
}
