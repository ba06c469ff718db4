package chaos

import (
	"strconv"
	"strings"
	"time"

	"github.com/kq-dev/kq/internal/kqerr"
)

// ParseFaults reads a comma-separated fault list, the value of --faults.
//
// Each fault is its name from the catalogue ([Kinds]), followed by zero or
// more key=value parameters, themselves separated by commas: an item with
// an "=" is a parameter of the fault before it, an item without one starts
// the next fault. A parameter that lists several values joins them with
// "+". So no quoting is ever needed in a shell:
//
//	drop-response,api=produce,p=0.3,latency,delay=200ms,jitter=50ms,kill-node
//
// Parameters (each fault takes only some; see [Fault] and
// [Fault.WithDefaults] for the defaults):
//
//	api=produce+fetch      API names or keys the fault applies to
//	target=1               a node id, or target=host:port (as advertised)
//	p=0.3                  probability per matching request
//	delay=200ms            latency, broker-slow delay
//	jitter=50ms            latency spread (±)
//	rate=64KiB             bandwidth in bytes per second (B, KB, KiB, MB, MiB, GB, GiB; an optional "/s")
//	code=REQUEST_TIMED_OUT Kafka error name or number
//	n=10                   broker-error: requests failed per API
//
// The faults come back as given, without defaults applied. Errors are
// usage errors.
func ParseFaults(s string) ([]Fault, error) {
	var faults []Fault
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		key, value, isParam := strings.Cut(item, "=")
		switch {
		case item == "":
			return nil, kqerr.Usagef("empty item in fault list %q", s)
		case !isParam:
			f := Fault{Kind: Kind(item)}
			if !f.Kind.Known() {
				return nil, kqerr.Usagef("unknown fault %q (known: %s)", item, kindList())
			}
			faults = append(faults, f)
		case len(faults) == 0:
			return nil, kqerr.Usagef("parameter %q comes before any fault name", item)
		default:
			if err := faults[len(faults)-1].setParam(strings.TrimSpace(key), strings.TrimSpace(value)); err != nil {
				return nil, err
			}
		}
	}
	for _, f := range faults {
		if err := f.Validate(); err != nil {
			return nil, err
		}
	}
	return faults, nil
}

// ParseFault reads exactly one fault in the spelling of [ParseFaults].
func ParseFault(s string) (Fault, error) {
	faults, err := ParseFaults(s)
	if err != nil {
		return Fault{}, err
	}
	if len(faults) != 1 {
		return Fault{}, kqerr.Usagef("want one fault, got %d in %q", len(faults), s)
	}
	return faults[0], nil
}

// setParam parses one key=value parameter into f.
func (f *Fault) setParam(key, value string) error {
	if !f.Kind.info().takes(key) {
		return kqerr.Usagef("fault %s takes no %s= parameter", f.Kind, key)
	}
	var err error
	switch key {
	case keyAPI:
		f.APIs, err = parseAPIs(value)
	case keyTarget:
		f.Target = value
	case keyP:
		f.Probability, err = parseProbability(value)
	case keyDelay:
		f.Delay, err = parseDuration(key, value)
	case keyJitter:
		f.Jitter, err = parseDuration(key, value)
	case keyRate:
		f.Rate, err = ParseRate(value)
	case keyCode:
		f.ErrorCode, err = ParseErrorCode(value)
	case keyCount:
		f.Count, err = parseCount(value)
	}
	return err
}

func parseAPIs(s string) ([]int16, error) {
	var keys []int16
	for _, name := range strings.Split(s, "+") {
		k, err := ParseAPI(strings.TrimSpace(name))
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, nil
}

func parseProbability(s string) (float64, error) {
	p, err := strconv.ParseFloat(s, 64)
	if err != nil || !(p > 0 && p <= 1) {
		return 0, kqerr.Usagef("p=%s is not a probability in (0, 1]", s)
	}
	return p, nil
}

func parseDuration(key, s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, kqerr.Usagef("%s=%s is not a duration such as 200ms", key, s)
	}
	return d, nil
}

func parseCount(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, kqerr.Usagef("n=%s is not a positive count", s)
	}
	return n, nil
}

// ParseRate reads a bandwidth in bytes per second: a whole number with an
// optional unit (B, KB, KiB, MB, MiB, GB, GiB, case-insensitive) and an
// optional "/s": "64KiB", "1MB/s", "500". Errors are usage errors.
func ParseRate(s string) (int64, error) {
	num := strings.TrimSuffix(strings.TrimSpace(s), "/s")
	unit := strings.TrimLeft(num, "0123456789")
	mult, ok := rateUnit(strings.ToLower(unit))
	n, err := strconv.ParseInt(strings.TrimSuffix(num, unit), 10, 64)
	if !ok || err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, kqerr.Usagef("rate=%s is not a bandwidth such as 64KiB or 1MB/s", s)
	}
	return n * mult, nil
}

func rateUnit(u string) (int64, bool) {
	switch u {
	case "", "b":
		return 1, true
	case "kb", "k":
		return 1000, true
	case "kib", "ki":
		return 1 << 10, true
	case "mb", "m":
		return 1000 * 1000, true
	case "mib", "mi":
		return 1 << 20, true
	case "gb", "g":
		return 1000 * 1000 * 1000, true
	case "gib", "gi":
		return 1 << 30, true
	}
	return 0, false
}
