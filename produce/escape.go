package produce

import (
	"strconv"
	"strings"

	"github.com/kq-dev/kq/internal/kqerr"
)

// ParseSeparator turns a separator flag value into bytes, with the escapes
// \n, \r, \t, \0, \\ and \xHH, so that a shell user can write --delimiter
// '\0' or -K '\t'. It is an error for the result to be empty.
func ParseSeparator(flag, s string) ([]byte, error) {
	var out []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' {
			out = append(out, s[i])
			continue
		}
		if i+1 == len(s) {
			return nil, kqerr.Usagef("%s %q ends in a lone backslash", flag, s)
		}
		i++
		b, n, ok := escape(s[i:])
		if !ok {
			return nil, kqerr.Usagef(`%s %q: unknown escape \%c (want \n, \r, \t, \0, \\ or \xHH)`, flag, s, s[i])
		}
		out = append(out, b)
		i += n - 1
	}
	if len(out) == 0 {
		return nil, kqerr.Usagef("%s must not be empty", flag)
	}
	return out, nil
}

// escape decodes the escape after a backslash at the start of s and
// returns the byte and how many characters of s it used.
func escape(s string) (byte, int, bool) {
	if i := strings.IndexByte(`nrt0\`, s[0]); i >= 0 {
		return "\n\r\t\x00\\"[i], 1, true
	}
	if s[0] == 'x' && len(s) >= 3 {
		v, err := strconv.ParseUint(s[1:3], 16, 8)
		return byte(v), 3, err == nil
	}
	return 0, 0, false
}
