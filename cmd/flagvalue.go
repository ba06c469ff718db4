package cmd

import "github.com/kq-dev/kq/internal/setting"

// parseFlag parses the value of flag with parse; an unknown value's error
// names the flag ("unknown --isolation ...") rather than the setting.
func parseFlag[T any](flag, value string, parse func(string) (T, error)) (T, error) {
	v, err := parse(value)
	return v, setting.As(err, "--"+flag)
}
