// Package reporttest checks a rendered verify report the way a reader sees
// it: the DOM a browser built from it, and a screenshot.
package reporttest

import (
	"image"
	"image/color"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kq-dev/kq/internal/testutil"
)

// Colours a screenshot of a report must show: the verdict's badge (held,
// violated, inconclusive or none) and the shade of the first fault window
// over white.
var (
	BadVerdict  = color.NRGBA{0xc6, 0x28, 0x28, 0xff}
	GoodVerdict = color.NRGBA{0x2a, 0x8a, 0x2a, 0xff}
	WarnVerdict = color.NRGBA{0xc7, 0x77, 0x00, 0xff}
	FirstShade  = color.NRGBA{0xff, 0xea, 0xca, 0xff}
)

// CheckDOM checks a report's DOM as a browser built it: three charts, each
// an SVG with drawn paths; every fault named labelled in the rate chart;
// and each count given in the counts table.
func CheckDOM(t testing.TB, dom string, faults []string, counts map[string]uint64) {
	t.Helper()
	for _, id := range []string{"chart-rates", "chart-latency", "chart-lag"} {
		fig := element(dom, `<figure class="chart" id="`+id+`">`, "</figure>")
		if n := strings.Count(fig, "<path"); n < 5 {
			t.Errorf("chart %s has %d paths, want a drawn chart", id, n)
		}
	}
	rates := element(dom, `<figure class="chart" id="chart-rates">`, "</figure>")
	for _, name := range faults {
		if !regexp.MustCompile(`<text[^>]*>` + regexp.QuoteMeta(name) + `</text>`).MatchString(rates) {
			t.Errorf("rate chart has no label %q", name)
		}
	}
	table := element(dom, `<table id="counts">`, "</table>")
	for name, n := range counts {
		row := `<td>` + name + `</td><td class="num">` + strconv.FormatUint(n, 10) + `</td>`
		if !strings.Contains(table, row) {
			t.Errorf("counts table lacks %s = %d", name, n)
		}
	}
	if t.Failed() {
		t.Logf("DOM (%d bytes): %.4000s", len(dom), dom)
	}
}

// element returns dom from the first start through the following end, or
// "" when start is missing.
func element(dom, start, end string) string {
	i := strings.Index(dom, start)
	if i < 0 {
		return ""
	}
	j := strings.Index(dom[i:], end)
	if j < 0 {
		return dom[i:]
	}
	return dom[i : i+j+len(end)]
}

// CheckPixels checks a screenshot is a drawn page, not a blank one: a fair
// share of it is not white, it shows the verdict badge in verdict's colour
// and, when shaded is set, the first fault window's shade.
func CheckPixels(t testing.TB, img image.Image, verdict color.Color, shaded bool) {
	t.Helper()
	r := img.Bounds()
	total := r.Dx() * r.Dy()
	white := testutil.CountPixels(img, color.White, 3)
	if ink := total - white; ink < total/50 {
		t.Errorf("screenshot is blank: %d of %d pixels are not white", ink, total)
	}
	if n := testutil.CountPixels(img, verdict, 8); n < 300 {
		t.Errorf("screenshot shows %d pixels of the verdict's colour %v, want a badge", n, verdict)
	}
	if n := testutil.CountPixels(img, FirstShade, 6); shaded && n < 1000 {
		t.Errorf("screenshot shows %d pixels of a fault window's shade, want shaded windows", n)
	}
}
