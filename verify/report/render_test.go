package report

import (
	"bytes"
	"os"
	"strings"
	"testing"
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
	for _, want := range []string{`id="chart-rates"`, `id="chart-latency"`, `id="chart-lag"`, "<svg", "leader-move", "crash-consumer", "VIOLATED", "0/512"} {
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
