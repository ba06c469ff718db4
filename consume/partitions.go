package consume

import (
	"slices"
	"strings"

	"github.com/kq-dev/kq/internal/kqerr"
)

// maxPartitionID bounds partition numbers and range sizes so a typo such as
// "0-2000000000" cannot allocate gigabytes.
const maxPartitionID = 1 << 20

// ParsePartitions parses a --partition value: partition numbers and
// inclusive ranges separated by commas ("0", "0,2", "0-3,7"). The result is
// sorted without duplicates. Errors match kqerr.ErrUsage.
func ParsePartitions(s string) ([]int32, error) {
	if strings.TrimSpace(s) == "" {
		return nil, kqerr.Usagef("empty partition list (want N, N,M or N-M)")
	}
	var out []int32
	for item := range strings.SplitSeq(s, ",") {
		lo, hi, err := parsePartitionItem(strings.TrimSpace(item))
		if err != nil {
			return nil, err
		}
		for p := lo; p <= hi; p++ {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// parsePartitionItem parses "N" or "N-M".
func parsePartitionItem(item string) (lo, hi int32, err error) {
	a, b, isRange := strings.Cut(item, "-")
	x, okA := parseCount(a)
	y := x
	okB := true
	if isRange {
		y, okB = parseCount(b)
	}
	switch {
	case !okA || !okB:
		return 0, 0, kqerr.Usagef("invalid partition %q (want a number N >= 0 or a range N-M)", item)
	case x > maxPartitionID || y > maxPartitionID:
		return 0, 0, kqerr.Usagef("partition %q is out of range (at most %d)", item, maxPartitionID)
	case y < x:
		return 0, 0, kqerr.Usagef("partition range %q runs backwards", item)
	}
	return int32(x), int32(y), nil
}
