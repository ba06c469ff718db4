package chaos

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/kq-dev/kq/internal/kqerr"
)

// Parameter keys of the fault spelling (see [ParseFaults]).
const (
	keyAPI    = "api"
	keyTarget = "target"
	keyP      = "p"
	keyDelay  = "delay"
	keyJitter = "jitter"
	keyRate   = "rate"
	keyCode   = "code"
	keyCount  = "n"
)

// maxDelay bounds delays and jitters.
const maxDelay = 24 * time.Hour

// Fault is one fault of the catalogue with its parameters. A zero
// parameter means the kind's default (see [Fault.WithDefaults]); a
// parameter the kind does not take must stay zero.
type Fault struct {
	// Kind is the fault.
	Kind Kind
	// APIs limits the fault to requests of these API keys; empty means
	// the kind's default, which for most kinds is every API.
	APIs []int16
	// Target limits the fault to one broker: a node id ("1") or the
	// broker's host:port as the cluster advertises it; "" means every
	// broker. An [Engine] learns node ids from the Metadata it carries.
	Target string
	// Probability is the chance, per matching request, that the fault
	// fires: in (0, 1].
	Probability float64
	// Delay is the latency or broker-slow delay.
	Delay time.Duration
	// Jitter spreads latency uniformly over Delay ± Jitter.
	Jitter time.Duration
	// Rate is the bandwidth limit in bytes per second.
	Rate int64
	// ErrorCode is the Kafka error code of response-error and
	// broker-error.
	ErrorCode int16
	// Count is how many requests per API broker-error fails, and how
	// many times isr-shrink moves every partition leader as its window
	// ends, while the followers are still out (a leader failure in that
	// state).
	Count int
}

// WithDefaults returns f with every zero parameter the kind takes set to
// its default: probability 1, except reset and drop-request (0.1) and
// drop-response, duplicate-request and response-error (0.3); APIs produce
// for drop-response, duplicate-request, response-error, broker-error and
// broker-slow; delay 100ms for latency and 1s for broker-slow; rate 64 KiB/s;
// error code REQUEST_TIMED_OUT for response-error and
// NOT_LEADER_OR_FOLLOWER for broker-error; count 5.
func (f Fault) WithDefaults() Fault {
	info := f.Kind.info()
	if f.Probability == 0 && info.takes(keyP) {
		f.Probability = defaultProbability(f.Kind)
	}
	if len(f.APIs) == 0 && defaultsToProduce(f.Kind) {
		f.APIs = []int16{0}
	}
	if f.Delay == 0 && f.Kind == Latency {
		f.Delay = 100 * time.Millisecond
	}
	if f.Delay == 0 && f.Kind == BrokerSlow {
		f.Delay = time.Second
	}
	if f.Rate == 0 && f.Kind == Bandwidth {
		f.Rate = 64 << 10
	}
	if f.ErrorCode == 0 && f.Kind == ResponseError {
		f.ErrorCode = kerr.RequestTimedOut.Code
	}
	if f.ErrorCode == 0 && f.Kind == BrokerError {
		f.ErrorCode = kerr.NotLeaderForPartition.Code
	}
	if f.Count == 0 && f.Kind == BrokerError {
		f.Count = 5
	}
	return f
}

func defaultProbability(k Kind) float64 {
	switch k {
	case Reset, DropRequest:
		return 0.1
	case DropResponse, DuplicateRequest, ResponseError:
		return 0.3
	}
	return 1
}

func defaultsToProduce(k Kind) bool {
	switch k {
	case DropResponse, DuplicateRequest, ResponseError, BrokerError, BrokerSlow:
		return true
	}
	return false
}

// Validate checks that the kind is known, that every parameter set is one
// the kind takes, and that each is in range. Its errors are usage errors.
func (f Fault) Validate() error {
	info := f.Kind.info()
	if info.layer == 0 {
		return kqerr.Usagef("unknown fault %q (known: %s)", f.Kind, kindList())
	}
	for _, key := range f.setParams() {
		if !info.takes(key) {
			return kqerr.Usagef("fault %s takes no %s= parameter", f.Kind, key)
		}
	}
	return f.validateValues()
}

// appendedErrors are the error codes a broker may answer a produce request
// with although it appended the records: the request timed out waiting
// for replication, the ISR shrank after the append, or the leader was
// deposed while the produce waited. response-error simulates "appended,
// answered with an error", so it takes only these; any other code would
// claim a write failed that a real broker would have made, and make
// correct clients look wrong.
var appendedErrors = []int16{kerr.RequestTimedOut.Code, kerr.NotEnoughReplicasAfterAppend.Code, kerr.NotLeaderForPartition.Code}

func appendedErrorNames() string {
	names := make([]string, len(appendedErrors))
	for i, c := range appendedErrors {
		names[i] = kerrName(c)
	}
	return strings.Join(names, ", ")
}

// kerrName is the protocol name of an error code, or the number.
func kerrName(code int16) string {
	if err := kerr.ErrorForCode(code); err != nil {
		var ke *kerr.Error
		if errors.As(err, &ke) {
			return ke.Message
		}
	}
	return strconv.Itoa(int(code))
}

func (f Fault) validateValues() error {
	switch {
	case f.Probability < 0 || f.Probability > 1 || f.Probability != f.Probability:
		return kqerr.Usagef("fault %s: p=%v is not a probability in (0, 1]", f.Kind, f.Probability)
	case f.Delay < 0 || f.Jitter < 0 || f.Delay > maxDelay || f.Jitter > maxDelay:
		return kqerr.Usagef("fault %s: delay and jitter must be between 0 and %v", f.Kind, maxDelay)
	case f.Rate < 0 || f.Count < 0:
		return kqerr.Usagef("fault %s: negative rate or count", f.Kind)
	case f.Kind == ResponseError && slices.ContainsFunc(f.APIs, func(k int16) bool { return k != 0 }):
		return kqerr.Usagef("fault %s rewrites produce responses only", f.Kind)
	case f.Kind == ResponseError && f.ErrorCode != 0 && !slices.Contains(appendedErrors, f.ErrorCode):
		return kqerr.Usagef("fault %s: code %s is not one a broker answers for a produce it may have appended (want %s)",
			f.Kind, kerrName(f.ErrorCode), appendedErrorNames())
	}
	for _, api := range f.APIs {
		if kmsg.RequestForKey(api) == nil {
			return kqerr.Usagef("fault %s: unknown API key %d", f.Kind, api)
		}
	}
	return f.validateTarget()
}

func (f Fault) validateTarget() error {
	if f.Target == "" {
		return nil
	}
	if _, isNode, err := parseTarget(f.Target); err != nil {
		return kqerr.Usagef("fault %s: %v", f.Kind, err)
	} else if !isNode && f.Kind == KillNode {
		return kqerr.Usagef("fault %s: target must be a node id, not %q", f.Kind, f.Target)
	}
	return nil
}

// parseTarget reads a target: a node id or a host:port.
func parseTarget(s string) (node int32, isNode bool, err error) {
	if n, err := strconv.ParseInt(s, 10, 32); err == nil && n >= 0 {
		return int32(n), true, nil
	}
	if _, port, err := net.SplitHostPort(s); err != nil || port == "" {
		return 0, false, fmt.Errorf("target %q is neither a node id nor host:port", s)
	}
	return 0, false, nil
}

// setParams lists the parameter keys f sets.
func (f Fault) setParams() []string {
	var keys []string
	add := func(set bool, key string) {
		if set {
			keys = append(keys, key)
		}
	}
	add(len(f.APIs) > 0, keyAPI)
	add(f.Target != "", keyTarget)
	add(f.Probability != 0, keyP)
	add(f.Delay != 0, keyDelay)
	add(f.Jitter != 0, keyJitter)
	add(f.Rate != 0, keyRate)
	add(f.ErrorCode != 0, keyCode)
	add(f.Count != 0, keyCount)
	return keys
}

// matchesAPI reports whether the fault applies to requests of key; key -1
// (an opaque connection) matches only a fault without an API filter.
func (f Fault) matchesAPI(key int16) bool {
	return len(f.APIs) == 0 || slices.Contains(f.APIs, key)
}

func kindList() string {
	names := make([]string, 0, len(Kinds()))
	for _, k := range Kinds() {
		names = append(names, string(k))
	}
	return strings.Join(names, ", ")
}
