package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"time"

	"github.com/kq-dev/kq/verify/check"
)

// Page is everything one report shows, top to bottom. The caller fills it
// from the run and the checker's results; [Render] writes it.
type Page struct {
	// Title heads the page.
	Title string
	// Verdict is the verdict's word (HELD, VIOLATED, INCONCLUSIVE, or a
	// sentence when there is none) and Class its colour: good, bad or warn.
	Verdict string
	Class   string
	// Semantics is the guarantee judged.
	Semantics string
	// Facts are the run's settings worth showing (those differing from the
	// preset, the target, the seed, ...), as name and value.
	Facts [][2]string
	// Command is the command line that replays the run, if known.
	Command string
	// Series is the run's time series.
	Series Series
	// Exposure is what each fault the run names met, as the checker saw
	// it.
	Exposure []check.Exposure
	// Counts are the checker's counts with each rule's status.
	Counts []CountRow
	// Lag is the checker's realtime lag, acknowledgement to first
	// delivery, overall and per fault.
	Lag check.Lag
	// Anomalies are the first examples of each anomaly found.
	Anomalies []AnomalyExamples
	// Notes are caveats about what the run could see.
	Notes []string
	// Workers are the shares of the histories of a run checked together
	// (kq verify --worker), when there are several; the charts are their
	// union.
	Workers []check.WorkerRate
	// Generated is when the page was written.
	Generated time.Time
}

// CountRow is one row of the counts table.
type CountRow struct {
	// Name is the count's name, Value its value.
	Name  string
	Value uint64
	// Rule is the rule the count judges, if any; Status is "ok",
	// "violation", "allowed" or empty for a plain count.
	Rule   string
	Status string
}

// AnomalyExamples are the first examples of one anomaly.
type AnomalyExamples struct {
	// Anomaly names it; Count is how many were found in all.
	Anomaly string
	Count   uint64
	// Examples are the first ones.
	Examples []ExampleRow
}

// ExampleRow is one example of an anomaly, every field already worded.
type ExampleRow struct {
	// Value is "producer/seq"; Where is topic/partition@offset.
	Value string
	Where string
	// Sent, Acked and Delivered are times (offsets from the run's start).
	Sent, Acked, Delivered string
	// Faults are the faults active when the value was sent.
	Faults string
	// Detail says more.
	Detail string
}

//go:embed page.html.tmpl
var pageTemplate string

// view is what the template sees: the page and its charts.
type view struct {
	Page
	Charts []chartView
	Width  string
}

// chartView is a chart with its SVG marked safe for the template.
type chartView struct {
	Chart
	Inline template.HTML
}

// Render writes p as one self-contained HTML page: inline CSS and SVG, no
// script and nothing fetched from the network.
func Render(w io.Writer, p Page) error {
	charts, err := Charts(p.Series)
	if err != nil {
		return err
	}
	t, err := template.New("page").Funcs(template.FuncMap{
		// css passes a colour of this package's own making (see legend).
		"css":  func(s string) template.CSS { return template.CSS(s) },
		"secs": func(d time.Duration) string { return fmt.Sprintf("%.1fs", d.Seconds()) },
	}).Parse(pageTemplate)
	if err != nil {
		return fmt.Errorf("report template: %w", err)
	}
	v := view{Page: p, Width: p.Series.BucketWidth.String()}
	for _, c := range charts {
		// The SVG is gonum/plot's output, which escapes every text it draws.
		v.Charts = append(v.Charts, chartView{Chart: c, Inline: template.HTML(c.SVG)})
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		return fmt.Errorf("render report: %w", err)
	}
	_, err = buf.WriteTo(w)
	return err
}
