package report

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kq-dev/kq/internal/testutil"
	"github.com/kq-dev/kq/verify/report/reporttest"
)

// TestBrowserShowsTheReport renders a report in headless Chromium and
// checks what a reader would see: three charts with the fault labels, the
// counts, the verdict's colour and the shaded fault windows.
func TestBrowserShowsTheReport(t *testing.T) {
	br := testutil.NewBrowser(t)
	page := filepath.Join(t.TempDir(), "report.html")
	f, err := os.Create(page)
	if err != nil {
		t.Fatal(err)
	}
	if err := Render(f, samplePage()); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	dom, img := br.Render(page, 1200, 1400)
	reporttest.CheckDOM(t, dom, []string{"leader-move", "latency", "crash-consumer"}, map[string]uint64{"sent": 2000, "lost": sampleLost})
	reporttest.CheckPixels(t, img, reporttest.BadVerdict, true)
	// Every lost value is marked with the count of its second: 1 at 5 s
	// and 7 s, 99 at 12 s, 100 at 13 s.
	rates := dom[strings.Index(dom, `id="chart-rates"`):]
	rates = rates[:strings.Index(rates, "</figure>")]
	for _, n := range []string{"1", "99", "100"} {
		if !regexp.MustCompile(`<text[^>]*>` + n + `</text>`).MatchString(rates) {
			t.Errorf("rate chart has no marker count %s", n)
		}
	}
}
