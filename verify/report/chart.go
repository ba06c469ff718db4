package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Chart is one rendered chart: an inline SVG element.
type Chart struct {
	// ID names the chart in the page (an element id).
	ID string
	// Title is the chart's heading.
	Title string
	// SVG is the <svg> element, without an XML prolog.
	SVG []byte
	// Legend names what the chart draws, for the page to show beside it.
	Legend []LegendEntry
}

// LegendEntry is one thing a chart draws: its name, its colour as a CSS
// rgba() and its kind: "line", "area", "point" (a dashed line) or the
// symbol of a mark.
type LegendEntry struct {
	Name, Color, Kind string
}

func legend(name string, c color.Color, kind string) LegendEntry {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	return LegendEntry{Name: name, Color: fmt.Sprintf("rgba(%d,%d,%d,%.2f)", n.R, n.G, n.B, float64(n.A)/255), Kind: kind}
}

// Chart size: wide and short, as panels stacked on one time axis.
const (
	chartWidth  = 10 * vg.Inch
	chartHeight = 2.6 * vg.Inch
)

// Colours of the series and marks.
var (
	colSends      = color.RGBA{0x1f, 0x77, 0xb4, 0xff}
	colAcks       = color.RGBA{0x2c, 0xa0, 0x2c, 0xff}
	colDeliveries = color.RGBA{0xff, 0x7f, 0x0e, 0xff}
	colP99        = color.RGBA{0xd6, 0x27, 0x28, 0xff}
	colLag        = color.RGBA{0x94, 0x67, 0xbd, 0xff}
	colCrash      = color.RGBA{0x33, 0x33, 0x33, 0xff}
	colRebalance  = color.RGBA{0x17, 0xbe, 0xcf, 0xff}
	colWindowLine = color.RGBA{0x99, 0x66, 0x00, 0xff}
)

// shades gives each fault name with a window (not a one-off fault) a
// shade of windowFills, in order of first appearance, cycling.
type shades []string

func (s *shades) of(name string) color.Color {
	fills := windowFills()
	k := slices.Index(*s, name)
	if k < 0 {
		*s, k = append(*s, name), len(*s)
	}
	return fills[k%len(fills)]
}

// windowFills are the shades of fault windows.
func windowFills() []color.Color {
	return []color.Color{
		color.NRGBA{0xff, 0xbb, 0x55, 0x50}, color.NRGBA{0x99, 0x99, 0xff, 0x50},
		color.NRGBA{0xff, 0x88, 0xcc, 0x50}, color.NRGBA{0x66, 0xcc, 0x99, 0x50},
		color.NRGBA{0xcc, 0xaa, 0x77, 0x50},
	}
}

// Charts draws the series as three panels on one time axis: rates,
// acknowledgement latency and consumer lag, each with the fault windows
// shaded; the rate panel also labels the windows and marks anomalies,
// crashes and rebalances.
func Charts(s Series) ([]Chart, error) {
	specs := []struct {
		id, title, ylabel string
		draw              func(*plot.Plot, Series) ([]LegendEntry, error)
	}{
		{"chart-rates", "Sends, acknowledgements and deliveries per second", "per second", drawRates},
		{"chart-latency", "Acknowledgement latency", "ms", drawLatency},
		{"chart-lag", "Consumer lag", "values", drawLag},
	}
	out := make([]Chart, 0, len(specs))
	for _, sp := range specs {
		p := newPlot(sp.ylabel, xMax(s))
		keys, err := sp.draw(p, s)
		if err != nil {
			return nil, fmt.Errorf("chart %s: %w", sp.id, err)
		}
		svg, err := toSVG(p)
		if err != nil {
			return nil, fmt.Errorf("chart %s: %w", sp.id, err)
		}
		out = append(out, Chart{ID: sp.id, Title: sp.title, SVG: svg, Legend: append(keys, windowLegend(s.Faults)...)})
	}
	return out, nil
}

// newPlot returns an empty plot in the report's style, x in seconds from 0
// to xmax.
func newPlot(ylabel string, xmax float64) *plot.Plot {
	p := plot.New()
	sans := func(f *font.Font) { f.Variant = "Sans" }
	sans(&p.Title.TextStyle.Font)
	sans(&p.X.Label.TextStyle.Font)
	sans(&p.Y.Label.TextStyle.Font)
	sans(&p.X.Tick.Label.Font)
	sans(&p.Y.Tick.Label.Font)
	p.X.Label.TextStyle.Font.Size, p.Y.Label.TextStyle.Font.Size = vg.Points(10), vg.Points(10)
	p.X.Tick.Label.Font.Size, p.Y.Tick.Label.Font.Size = vg.Points(9), vg.Points(9)
	p.X.Label.Text = "seconds since start"
	p.Y.Label.Text = ylabel
	p.X.Min, p.X.Max = 0, xmax
	p.Y.Min = 0
	p.Add(plotter.NewGrid())
	return p
}

// xMax is the end of the time axis: the last bucket's end, or the last
// fault's end when later.
func xMax(s Series) float64 {
	end := time.Duration(len(s.Buckets)) * s.BucketWidth
	for _, w := range s.Faults {
		end = max(end, w.End)
	}
	return max(end.Seconds(), 1)
}

func toSVG(p *plot.Plot) ([]byte, error) {
	c := vgsvg.NewWith(vgsvg.UseWH(chartWidth, chartHeight))
	p.Draw(draw.Crop(draw.New(c), 0, -vg.Points(14), 0, 0)) // room for the last tick label
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	if i := bytes.Index(b, []byte("<svg")); i >= 0 {
		b = b[i:] // drop the XML prolog and comment: the SVG goes inline
	}
	return b, nil
}

// points returns one point per bucket for which keep holds (nil: every
// bucket), at the middle of the time it covers, of f(bucket).
func points(s Series, keep func(Bucket) bool, f func(Bucket) float64) plotter.XYs {
	xy := make(plotter.XYs, 0, len(s.Buckets))
	for i, b := range s.Buckets {
		if keep == nil || keep(b) {
			xy = append(xy, plotter.XY{X: s.mid(i), Y: f(b)})
		}
	}
	return xy
}

// addLines adds one line per series and returns their legend.
func addLines(p *plot.Plot, lines ...line) ([]LegendEntry, error) {
	var keys []LegendEntry
	for _, l := range lines {
		keys = append(keys, legend(l.name, l.color, "line"))
		if len(l.xy) == 0 {
			continue
		}
		pl, err := plotter.NewLine(l.xy)
		if err != nil {
			return nil, err
		}
		pl.Color, pl.Width = l.color, vg.Points(1.5)
		p.Add(pl)
	}
	return keys, nil
}

type line struct {
	name  string
	xy    plotter.XYs
	color color.Color
}

// yTop is the top of the y axis for lines: their maximum plus headroom for
// the labels, at least 1.
func yTop(lines ...line) float64 {
	top := 0.0
	for _, l := range lines {
		for _, pt := range l.xy {
			top = max(top, pt.Y)
		}
	}
	return math.Max(top*1.25, 1)
}

func drawRates(p *plot.Plot, s Series) ([]LegendEntry, error) {
	rate := func(count func(Bucket) uint64) plotter.XYs {
		xy := make(plotter.XYs, len(s.Buckets))
		for i, b := range s.Buckets {
			xy[i] = plotter.XY{X: s.mid(i), Y: s.Rate(i, count(b))}
		}
		return xy
	}
	lines := []line{
		{"sends", rate(func(b Bucket) uint64 { return b.Sends }), colSends},
		{"acks", rate(func(b Bucket) uint64 { return b.Acks }), colAcks},
		{"deliveries", rate(func(b Bucket) uint64 { return b.Deliveries }), colDeliveries},
	}
	top := yTop(lines...)
	p.Y.Max = top
	if err := shadeWindows(p, s.Faults, top, true); err != nil {
		return nil, err
	}
	keys, err := addLines(p, lines...)
	if err != nil {
		return nil, err
	}
	marks, err := addMarks(p, s, top)
	return append(keys, marks...), err
}

// timed reports whether a bucket has a latency to draw: a bucket without
// one is skipped, not drawn as zero.
func timed(b Bucket) bool { return b.AckP99 > 0 }

func drawLatency(p *plot.Plot, s Series) ([]LegendEntry, error) {
	lines := []line{
		{"p50", points(s, timed, func(b Bucket) float64 { return ms(b.AckP50) }), colAcks},
		{"p99", points(s, timed, func(b Bucket) float64 { return ms(b.AckP99) }), colP99},
	}
	top := yTop(lines...)
	p.Y.Max = top
	if err := shadeWindows(p, s.Faults, top, false); err != nil {
		return nil, err
	}
	return addLines(p, lines...)
}

func drawLag(p *plot.Plot, s Series) ([]LegendEntry, error) {
	lines := []line{{"lag", points(s, nil, func(b Bucket) float64 { return float64(b.Lag) }), colLag}}
	top := yTop(lines...)
	p.Y.Max = top
	if err := shadeWindows(p, s.Faults, top, false); err != nil {
		return nil, err
	}
	return addLines(p, lines...)
}

// shadeWindows shades each fault window from 0 to top (a window of no
// length, such as a crash, is a thin line) and, when labelled, writes the
// fault's name at its start, staggered so that neighbours do not overlap.
func shadeWindows(p *plot.Plot, ws []FaultWindow, top float64, labelled bool) error {
	var sh shades
	var labels plotter.XYLabels
	for i, w := range ws {
		x0, x1 := w.Start.Seconds(), w.End.Seconds()
		if x1 > x0 {
			poly, err := plotter.NewPolygon(plotter.XYs{{X: x0, Y: 0}, {X: x1, Y: 0}, {X: x1, Y: top}, {X: x0, Y: top}})
			if err != nil {
				return err
			}
			poly.Color, poly.LineStyle.Width = sh.of(w.Name), 0
			p.Add(poly)
		} else {
			l, err := plotter.NewLine(plotter.XYs{{X: x0, Y: 0}, {X: x0, Y: top}})
			if err != nil {
				return err
			}
			l.Color, l.Width, l.Dashes = colWindowLine, vg.Points(0.6), []vg.Length{vg.Points(2), vg.Points(2)}
			p.Add(l)
		}
		labels.XYs = append(labels.XYs, plotter.XY{X: x0, Y: top * (0.97 - 0.07*float64(i%3))})
		labels.Labels = append(labels.Labels, w.Name)
	}
	if !labelled || len(labels.Labels) == 0 {
		return nil
	}
	return addLabels(p, labels, 8, draw.YTop, 2, nil)
}

// addLabels writes labels in the report's sans font of size pt, aligned
// vertically by yAlign, dx points right of their points, in colour c
// (nil: the default).
func addLabels(p *plot.Plot, labels plotter.XYLabels, pt float64, yAlign draw.YAlignment, dx float64, c color.Color) error {
	lp, err := plotter.NewLabels(labels)
	if err != nil {
		return err
	}
	for i := range lp.TextStyle {
		lp.TextStyle[i].Font.Variant = "Sans"
		lp.TextStyle[i].Font.Size = vg.Points(pt)
		lp.TextStyle[i].YAlign = yAlign
		if c != nil {
			lp.TextStyle[i].Color = c
		}
	}
	lp.Offset = vg.Point{X: vg.Points(dx)}
	p.Add(lp)
	return nil
}

// addMarks marks anomalies at the top of the panel (see addAnomalyMarks),
// crashes (at their time) and rebalances (in their bucket) at its bottom,
// and returns the legend of the marks drawn.
func addMarks(p *plot.Plot, s Series, top float64) ([]LegendEntry, error) {
	keys, err := addAnomalyMarks(p, s.Markers, top)
	if err != nil {
		return nil, err
	}
	var crashes, rebalances plotter.XYs
	for _, w := range s.Faults {
		if w.End == w.Start && strings.HasPrefix(w.Name, crashPrefix) {
			crashes = append(crashes, plotter.XY{X: w.Start.Seconds(), Y: 0})
		}
	}
	half := s.BucketWidth.Seconds() / 2
	for _, b := range s.Buckets {
		if b.Rebalances > 0 {
			rebalances = append(rebalances, plotter.XY{X: b.At.Seconds() + half, Y: 0})
		}
	}
	marks := []struct {
		name  string
		xy    plotter.XYs
		shape draw.GlyphDrawer
		color color.Color
		kind  string
	}{
		{"crash", crashes, draw.TriangleGlyph{}, colCrash, "△"},
		{"rebalance", rebalances, draw.RingGlyph{}, colRebalance, "○"},
	}
	for _, m := range marks {
		if len(m.xy) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(m.xy)
		if err != nil {
			return nil, err
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: m.color, Radius: vg.Points(3.5), Shape: m.shape}
		p.Add(sc)
		keys = append(keys, legend(m.name, m.color, m.kind))
	}
	return keys, nil
}

// windowLegend returns one entry per fault name, in the shade its windows
// get.
func windowLegend(ws []FaultWindow) []LegendEntry {
	var sh shades
	var keys []LegendEntry
	seen := map[string]bool{}
	for _, w := range ws {
		kind := "area"
		if w.End == w.Start {
			kind = "point"
		}
		if seen[kind+w.Name] {
			continue
		}
		seen[kind+w.Name] = true
		if kind == "point" {
			keys = append(keys, legend("fault: "+w.Name, colWindowLine, kind))
		} else {
			keys = append(keys, legend("fault: "+w.Name, sh.of(w.Name), kind))
		}
	}
	return keys
}
