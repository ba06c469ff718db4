package chaos

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/internal/kqerr"
)

// maxAPIKey bounds the API keys searched by name; Kafka's keys are well
// below it.
const maxAPIKey = 200

// maxErrorCode bounds the error codes searched by name.
const maxErrorCode = 300

// APIName returns the user-facing name of an API key: kmsg's name in
// kebab case ("produce", "find-coordinator"), or the number for a key kmsg
// does not know.
func APIName(key int16) string {
	name := kmsg.NameForKey(key)
	if name == "Unknown" {
		return strconv.Itoa(int(key))
	}
	var b strings.Builder
	for i, r := range name {
		if unicode.IsUpper(r) && i > 0 {
			b.WriteByte('-')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// ParseAPI returns the API key for a name: kebab case, kmsg's CamelCase, or
// snake case, in any letter case ("produce", "FindCoordinator",
// "find_coordinator"), or a number. An unknown name is a usage error.
func ParseAPI(s string) (int16, error) {
	if n, err := strconv.ParseInt(s, 10, 16); err == nil && n >= 0 {
		return int16(n), nil
	}
	want := normalizeName(s)
	for key := range int16(maxAPIKey) {
		if name := kmsg.NameForKey(key); name != "Unknown" && normalizeName(name) == want {
			return key, nil
		}
	}
	return 0, kqerr.Usagef("unknown Kafka API %q", s)
}

// normalizeName lower-cases s and drops dashes and underscores.
func normalizeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' {
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}

// ErrorName returns the Kafka name of an error code
// ("NOT_LEADER_OR_FOLLOWER"), or the number for a code kerr does not know.
func ErrorName(code int16) string {
	if code == kerr.NotLeaderForPartition.Code {
		return "NOT_LEADER_OR_FOLLOWER" // the name since Kafka 2.6
	}
	if e := kerr.TypedErrorForCode(code); e != nil && e.Code == code {
		return e.Message
	}
	return strconv.Itoa(int(code))
}

// ParseErrorCode returns the code for a Kafka error name, in any letter
// case, with dashes or underscores ("REQUEST_TIMED_OUT",
// "not-enough-replicas-after-append"), or a number. An unknown name is a
// usage error.
func ParseErrorCode(s string) (int16, error) {
	if n, err := strconv.ParseInt(s, 10, 16); err == nil {
		return int16(n), nil
	}
	want := normalizeName(s)
	if want == "notleaderorfollower" {
		return kerr.NotLeaderForPartition.Code, nil
	}
	for code := int16(-1); code < maxErrorCode; code++ {
		if e := kerr.TypedErrorForCode(code); e != nil && e.Code == code && normalizeName(e.Message) == want {
			return code, nil
		}
	}
	return 0, kqerr.Usagef("unknown Kafka error %q", s)
}
