package cmd

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/IBM/sarama"
	"github.com/spf13/cast"

	"github.com/kq-dev/kq/internal/conn"
	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/output"
)

// Values from the environment and the config file get the same checks as
// flags, and an error names where the bad value came from.

// origin names where key's value comes from, for messages: "--timeout",
// "KQ_TIMEOUT" or "timeout in profile prod of FILE".
func (s *Settings) origin(key string) string {
	src := s.Source(key)
	switch {
	case strings.HasPrefix(src, "flag "):
		return "--" + key
	case strings.HasPrefix(src, "env "):
		return envName(key)
	case strings.HasPrefix(src, "profile "):
		return fmt.Sprintf("%s in profile %s of %s", key, s.ProfileName, s.Path)
	}
	return key
}

// invalid is a usage error about key's value, naming its origin.
func (s *Settings) invalid(key, format string, args ...any) error {
	return kqerr.Usagef("%s: %s", s.origin(key), fmt.Sprintf(format, args...))
}

// boolean reads a true/false setting strictly: "yes" is an error, not
// false.
func (s *Settings) boolean(key string) (bool, error) {
	switch v := s.v.Get(key).(type) {
	case nil:
		return false, nil
	case bool:
		return v, nil
	case string:
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return false, s.invalid(key, "invalid boolean %q (want true or false)", v)
		}
		return b, nil
	default:
		return false, s.invalid(key, "invalid boolean %v (want true or false)", v)
	}
}

// duration reads a duration with a unit: a bare number is an error, not
// nanoseconds.
func (s *Settings) duration(key string) (time.Duration, error) {
	raw := s.v.Get(key)
	var d time.Duration
	var err error
	switch v := raw.(type) {
	case nil:
		return 0, nil
	case time.Duration:
		d = v
	case string:
		if strings.TrimSpace(v) == "" {
			return 0, nil
		}
		d, err = time.ParseDuration(strings.TrimSpace(v))
	default:
		err = fmt.Errorf("no unit")
	}
	if err != nil || d < 0 {
		return 0, s.invalid(key, "invalid duration %q (want a number with a unit, such as 10s or 500ms)", cast.ToString(raw))
	}
	return d, nil
}

// brokerList reads and checks the bootstrap addresses. A --brokers or
// profile value that is set but empty is refused (an unset shell variable
// must not silently mean 127.0.0.1:9092); an empty KQ_BROKERS counts as
// unset.
func (s *Settings) brokerList() ([]string, error) {
	raw := s.v.Get("brokers")
	var out []string
	switch b := raw.(type) {
	case nil:
		return nil, nil
	case []any:
		for _, x := range b {
			out = append(out, conn.SplitBrokers(cast.ToString(x))...)
		}
	case []string:
		out = conn.SplitBrokers(strings.Join(b, ","))
	default:
		out = conn.SplitBrokers(cast.ToString(b))
	}
	if len(out) == 0 {
		return nil, s.invalid("brokers", "no broker address given (an unset variable?); leave it out to use %s", conn.DefaultBroker)
	}
	for _, a := range out {
		if err := conn.CheckBroker(a); err != nil {
			return nil, s.invalid("brokers", "%v", err)
		}
	}
	return out, nil
}

// checkEnums checks the settings that take one of a few values.
func (s *Settings) checkEnums(p conn.Profile) error {
	if v := p.KafkaVersion; v != "" {
		if _, err := sarama.ParseKafkaVersion(v); err != nil {
			return s.invalid("kafka-version", "invalid Kafka version %q (want e.g. 2.8.0)", v)
		}
	}
	if err := conn.CheckMechanism(p.SASL.Mechanism); err != nil {
		return s.invalid("sasl-mechanism", "%v", err)
	}
	if p.SASL.User != "" && p.SASL.Mechanism == "" {
		return kqerr.Usagef("%s is set but no SASL mechanism: add --sasl-mechanism plain, scram-sha-256 or scram-sha-512", s.origin("sasl-user"))
	}
	return nil
}

// warnUnknownKeys warns about profile keys kq does not know (a typo such
// as "timout" would otherwise be ignored).
func (s *Settings) warnUnknownKeys(io *output.IOStreams) {
	if io == nil {
		return
	}
	var unknown []string
	for k := range s.profile {
		if !slices.Contains(connKeys, k) {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		fmt.Fprintf(io.ErrOut, "warning: %s: profile %s has an unknown key %q (known: %s)\n", s.Path, s.ProfileName, k, strings.Join(connKeys, ", "))
	}
}
