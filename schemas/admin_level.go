package schemas

import (
	"context"
	"fmt"
	"strings"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/kq-dev/kq/internal/kqerr"
)

// Level is a subject's compatibility level.
type Level struct {
	// Subject is the subject ("" for the registry's default).
	Subject string `json:"subject"`
	// Level is BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE,
	// FULL, FULL_TRANSITIVE or NONE.
	Level string `json:"level"`
}

// ParseLevel parses a compatibility level name, in any case.
func ParseLevel(s string) (sr.CompatibilityLevel, error) {
	var l sr.CompatibilityLevel
	if err := l.UnmarshalText([]byte(strings.ToUpper(s))); err != nil {
		return 0, kqerr.Usagef("unknown compatibility level %q (want BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE or NONE)", s)
	}
	return l, nil
}

// Level returns a subject's compatibility level (the registry's default
// when the subject sets none).
func (a *Admin) Level(ctx context.Context, subject string) (Level, error) {
	res := a.cl.Compatibility(sr.WithParams(ctx, sr.DefaultToGlobal), subject)
	if len(res) == 0 {
		return Level{}, fmt.Errorf("compatibility of %s: no answer", subject)
	}
	if res[0].Err != nil {
		return Level{}, fmt.Errorf("compatibility of %s: %w", subject, res[0].Err)
	}
	return Level{Subject: subject, Level: res[0].Level.String()}, nil
}

// SetLevel sets a subject's compatibility level.
func (a *Admin) SetLevel(ctx context.Context, subject string, l sr.CompatibilityLevel) (Level, error) {
	res := a.cl.SetCompatibility(ctx, sr.SetCompatibility{Level: l}, subject)
	if len(res) == 0 {
		return Level{}, fmt.Errorf("set compatibility of %s: no answer", subject)
	}
	if res[0].Err != nil {
		return Level{}, fmt.Errorf("set compatibility of %s: %w", subject, res[0].Err)
	}
	return Level{Subject: subject, Level: res[0].Level.String()}, nil
}
