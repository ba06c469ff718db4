package cmd

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/kq-dev/kq/internal/kqerr"
	"github.com/kq-dev/kq/internal/output"
	"github.com/kq-dev/kq/verify/check"
)

// expandHistories expands the globs among args (a shell that did not, a
// quoted pattern): each pattern must match a file; other args are paths.
func expandHistories(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		if !strings.ContainsAny(a, "*?[") {
			out = append(out, a)
			continue
		}
		m, err := filepath.Glob(a)
		if err != nil {
			return nil, kqerr.Usagef("history pattern %q: %s", a, err)
		}
		if len(m) == 0 {
			return nil, kqerr.Usagef("no history file matches %q", a)
		}
		out = append(out, m...)
	}
	return out, nil
}

// renderWorkers prints each worker history's share of a merged run.
func renderWorkers(p *output.Printer, rates []check.WorkerRate) error {
	if len(rates) == 0 {
		return nil
	}
	fmt.Fprintln(p.IO.Out)
	rows := make([][]string, 0, len(rates))
	for _, r := range rates {
		w := "-"
		if r.Worker >= 0 {
			w = strconv.Itoa(r.Worker)
		}
		rows = append(rows, []string{w, r.File, strconv.FormatUint(r.Sent, 10), strconv.FormatUint(r.Acked, 10),
			strconv.FormatUint(r.Delivered, 10), r.Span().Round(time.Millisecond).String(), strconv.FormatFloat(r.AckedPerSec(), 'f', 0, 64)})
	}
	return p.Table([]string{"worker", "history", "sent", "acked", "delivered", "span", "acked per sec"}, rows)
}
