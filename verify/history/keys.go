package history

import (
	"strconv"

	"github.com/kq-dev/kq/internal/kqerr"
)

// knownKey reports whether k is a key of the history format, spelt
// exactly (lower case, snake_case).
func knownKey(k string) bool {
	switch k {
	case "type", "producer", "seq", "status", "consumer", "topic", "partition", "offset", "last_offset",
		"partitions", "value_status", "error", "latency_us", "name", "phase", "target", "at_risk",
		"outcome", "reason", "txn", "count", "version", "semantics", "run", "faults", "min_windows", "worker", "workers", "settings", "ts", "time":
		return true
	}
	return false
}

// checkKeys rejects a line whose top-level object has a key the format
// does not define (a typo such as last_ofset, or a key in the wrong case,
// which encoding/json would match anyway) or the same key twice. It looks
// at the keys only; the values are decoded and checked elsewhere. A line
// that is not a well-formed object is left to the decoder's error.
func checkKeys(b []byte) error {
	var seen [8]string // most lines have fewer keys; more spill to the slice
	keys := seen[:0]
	depth, expectKey := 0, false
	for i := 0; i < len(b); i++ {
		switch c := b[i]; c {
		case '{', '[':
			depth++
			expectKey = c == '{' && depth == 1
		case '}', ']':
			depth--
		case ',':
			expectKey = depth == 1
		case '"':
			end := stringEnd(b, i)
			if end < 0 {
				return nil
			}
			if expectKey {
				k, err := strconv.Unquote(string(b[i : end+1]))
				if err != nil {
					return nil
				}
				if !knownKey(k) {
					return kqerr.Settingf("unknown key %q (a typo? keys are lower case; {lenient} ignores unknown keys)", k)
				}
				for _, s := range keys {
					if s == k {
						return kqerr.Usagef("key %q appears twice", k)
					}
				}
				keys = append(keys, k)
				expectKey = false
			}
			i = end
		}
	}
	return nil
}

// stringEnd returns the index of the quote closing the string that opens
// at b[i], or -1.
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j
		}
	}
	return -1
}
