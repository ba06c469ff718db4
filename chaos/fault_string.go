package chaos

import (
	"strconv"
	"strings"
)

// String spells f as [ParseFaults] reads it, parameters in a fixed order:
// "latency,api=produce+fetch,delay=200ms".
func (f Fault) String() string {
	parts := []string{string(f.Kind)}
	for _, key := range f.setParams() {
		parts = append(parts, key+"="+f.paramValue(key))
	}
	return strings.Join(parts, ",")
}

func (f Fault) paramValue(key string) string {
	switch key {
	case keyAPI:
		names := make([]string, len(f.APIs))
		for i, k := range f.APIs {
			names[i] = APIName(k)
		}
		return strings.Join(names, "+")
	case keyTarget:
		return f.Target
	case keyP:
		return strconv.FormatFloat(f.Probability, 'g', -1, 64)
	case keyDelay:
		return f.Delay.String()
	case keyJitter:
		return f.Jitter.String()
	case keyRate:
		return strconv.FormatInt(f.Rate, 10)
	case keyCode:
		return ErrorName(f.ErrorCode)
	}
	return strconv.Itoa(f.Count)
}
