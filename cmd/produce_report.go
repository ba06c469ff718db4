package cmd

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kq-dev/kq/internal/output"
	"github.com/kq-dev/kq/produce"
)

// maxListedFailures bounds the failed records listed one by one on stderr.
const maxListedFailures = 1000

// produceReporter prints the --report lines on stdout (buffered, unless
// stdout is a terminal) and lists failed and skipped records on stderr.
type produceReporter struct {
	io       *output.IOStreams
	out      *bufio.Writer
	json     bool
	report   bool
	flushAll bool // flush every line, for a terminal
	header   bool
	failures int
	line     []byte
	inputs   map[string][]byte // JSON-quoted input names
}

func newProduceReporter(io *output.IOStreams, asJSON, report bool) *produceReporter {
	return &produceReporter{
		io: io, out: bufio.NewWriterSize(io.Out, 256<<10), json: asJSON, report: report,
		flushAll: io.IsStdoutTTY(), inputs: map[string][]byte{},
	}
}

// Acked implements produce.Reporter.
func (r *produceReporter) Acked(a produce.Ack) {
	if !r.report {
		return
	}
	if r.json {
		r.line = r.appendJSON(r.line[:0], a)
	} else {
		if !r.header {
			r.header = true
			fmt.Fprintf(r.out, "%-10s %-12s %s\n", "PARTITION", "OFFSET", "RECORD")
		}
		r.line = fmt.Appendf(r.line[:0], "%-10d %-12d %s\n", a.Partition, a.Offset, a.Pos)
	}
	r.out.Write(r.line) // errors surface in flush
	if r.flushAll {
		r.out.Flush()
	}
}

// appendJSON appends one ack as a JSON line.
func (r *produceReporter) appendJSON(b []byte, a produce.Ack) []byte {
	b = append(b, `{"partition":`...)
	b = strconv.AppendInt(b, int64(a.Partition), 10)
	b = append(b, `,"offset":`...)
	b = strconv.AppendInt(b, a.Offset, 10)
	b = append(b, `,"timestamp":`...)
	b = strconv.AppendInt(b, a.Timestamp.UnixMilli(), 10)
	if a.Pos.Input != "" {
		b = append(b, `,"input":`...)
		b = append(b, r.quoted(a.Pos.Input)...)
	}
	if a.Pos.Line > 0 {
		b = append(b, `,"line":`...)
		b = strconv.AppendInt(b, a.Pos.Line, 10)
	}
	b = append(b, `,"record":`...)
	b = strconv.AppendInt(b, a.Pos.Index, 10)
	return append(b, "}\n"...)
}

func (r *produceReporter) quoted(s string) []byte {
	q, ok := r.inputs[s]
	if !ok {
		q, _ = output.MarshalJSON(s) // a string always marshals
		r.inputs[s] = q
	}
	return q
}

// Failed implements produce.Reporter.
func (r *produceReporter) Failed(f produce.Failure) {
	r.failures++
	if r.failures > maxListedFailures {
		return
	}
	where := ""
	if f.Partition >= 0 {
		where = fmt.Sprintf(" (partition %d)", f.Partition)
	}
	fmt.Fprintf(r.io.ErrOut, "kq produce: failed: %s%s: %s\n", f.Pos, where, oneLineText(errText(f.Err)))
}

// Skipped implements produce.Reporter.
func (r *produceReporter) Skipped(e *produce.InputError) {
	fmt.Fprintf(r.io.ErrOut, "kq produce: skipped %s\n", oneLineText(errText(e)))
}

// flush writes buffered report lines and the count of failures not listed.
func (r *produceReporter) flush() error {
	if n := r.failures - maxListedFailures; n > 0 {
		fmt.Fprintf(r.io.ErrOut, "kq produce: ... and %d more failed records\n", n)
	}
	if err := r.out.Flush(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

func oneLineText(s string) string { return strings.Join(strings.Fields(s), " ") }

// printSummary writes the delivery summary to stderr.
func (o *ProduceOptions) printSummary(res produce.Result) {
	var b strings.Builder
	fmt.Fprintf(&b, "kq produce: %s: sent %d, acked %d, failed %d", res.Topic, res.Sent, res.Acked, res.Failed)
	if res.InDoubt > 0 {
		fmt.Fprintf(&b, ", in doubt %d", res.InDoubt)
	}
	if res.Skipped > 0 {
		fmt.Fprintf(&b, ", skipped %d", res.Skipped)
	}
	fmt.Fprintf(&b, " in %s (%.0f records/s, %.2f MB/s)", res.Elapsed.Round(time.Millisecond), res.RecordsPerSec(), res.MBPerSec())
	if res.Acked > 0 {
		fmt.Fprintf(&b, "; ack latency p50 %s, p99 %s", roundLatency(res.Latency.P50), roundLatency(res.Latency.P99))
	}
	if res.Committed+res.Aborted > 0 {
		fmt.Fprintf(&b, "; transactions: %d committed, %d aborted", res.Committed, res.Aborted)
	}
	if o.Seq {
		fmt.Fprintf(&b, "; seq producer id %d", o.SeqID)
	}
	o.f.Infof("%s", b.String())
}

// roundLatency keeps two or three significant digits.
func roundLatency(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond)
	case d >= 10*time.Millisecond:
		return d.Round(100 * time.Microsecond)
	case d >= 10*time.Microsecond:
		return d.Round(time.Microsecond)
	}
	return d
}
