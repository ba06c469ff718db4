package report

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kq-dev/kq/verify/check"
	"github.com/kq-dev/kq/verify/history"
)

func TestRenderIsSelfContained(t *testing.T) {
	var buf bytes.Buffer
	if err := Render(&buf, samplePage()); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	if dir := os.Getenv("KQ_REPORT_OUT"); dir != "" {
		os.WriteFile(dir+"/sample.html", buf.Bytes(), 0o644)
	}
	for _, want := range []string{`id="chart-rates"`, `id="chart-latency"`, `id="chart-lag"`, "<svg", "leader-move", "crash-consumer", "VIOLATED", "0/512", `<table id="exposure">`, "<td>leader-move</td><td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">600</td><td class=\"num\">3.0s</td>"} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, banned := range []string{"http://", "https://", "<script", "<link", "src="} {
		if i := strings.Index(html, banned); i >= 0 && !strings.Contains(html[i:min(i+40, len(html))], "www.w3.org") {
			t.Errorf("page is not self-contained: %q at %d", banned, i)
		}
	}
}

func TestRenderEscapesWhatAHistoryNames(t *testing.T) {
	// kq verify check renders users' histories: their fault names, targets
	// and topics must come out as text, in the SVG as in the tables.
	evil := `<script>alert(1)</script>`
	p := samplePage()
	b := NewBuilder(Options{})
	b.Add(ack(0, 0, 0))
	b.Add(history.Event{Type: history.TypeFault, Time: at(500), Name: evil, Phase: history.PhaseStart, Target: evil})
	b.Add(history.Event{Type: history.TypeFault, Time: at(900), Name: evil, Phase: history.PhaseEnd, Target: evil})
	p.Series = b.Series()
	p.Facts = append(p.Facts, [2]string{evil, evil})
	var buf bytes.Buffer
	if err := Render(&buf, p); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "<script") {
		t.Fatalf("a name from the history reached the page as markup")
	}
	if !strings.Contains(buf.String(), "&lt;script&gt;") {
		t.Fatalf("the escaped name is missing from the page")
	}
}

func TestRenderRealtimeLag(t *testing.T) {
	p := samplePage()
	p.Lag = check.Lag{LagStats: check.LagStats{Samples: 12, P50: 3 * time.Millisecond, P99: 40 * time.Millisecond, Max: time.Second},
		Faults: []check.FaultLag{{Fault: "leader-move", LagStats: check.LagStats{Samples: 2, P50: 20 * time.Millisecond, P99: time.Second, Max: time.Second}}}}
	var buf bytes.Buffer
	if err := Render(&buf, p); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<table id="realtime-lag">`, `<td>all</td><td class="num">12</td><td class="num">3ms</td>`, `<td>during leader-move</td><td class="num">2</td>`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("page lacks %q", want)
		}
	}
	p.Lag = check.Lag{}
	buf.Reset()
	if err := Render(&buf, p); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "realtime-lag") {
		t.Errorf("a history without times shows a lag table")
	}
}
