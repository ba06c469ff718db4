package report

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// anomalyColours tell the anomaly kinds apart, in the order first marked.
var anomalyColours = []color.Color{
	color.RGBA{0xd6, 0x27, 0x28, 0xff}, color.RGBA{0x8c, 0x56, 0x4b, 0xff}, color.RGBA{0xe3, 0x77, 0xc2, 0xff},
	color.RGBA{0x7f, 0x7f, 0x7f, 0xff}, color.RGBA{0xbc, 0xbd, 0x22, 0xff}, color.RGBA{0x17, 0x4f, 0x8f, 0xff},
}

// maxMarkLabels is how many markers of one anomaly get their count
// written beside them; past it only the crosses are drawn (their size
// still grows with the count), so that the labels stay legible.
const maxMarkLabels = 40

// addAnomalyMarks draws each marker as a cross near the top of the panel,
// one row per anomaly kind, its size growing with the marker's count and
// the count written beside it, and returns the legend of the kinds drawn.
func addAnomalyMarks(p *plot.Plot, ms []Marker, top float64) ([]LegendEntry, error) {
	var kinds []string
	byKind := map[string][]Marker{}
	for _, m := range ms {
		if _, ok := byKind[m.Anomaly]; !ok {
			kinds = append(kinds, m.Anomaly)
		}
		byKind[m.Anomaly] = append(byKind[m.Anomaly], m)
	}
	var keys []LegendEntry
	for row, kind := range kinds {
		c := anomalyColours[row%len(anomalyColours)]
		y := top * (0.99 - 0.07*float64(row%6))
		if err := addKindMarks(p, byKind[kind], y, c); err != nil {
			return nil, err
		}
		keys = append(keys, legend(kind+" (count per slice, at send time)", c, "✕"))
	}
	return keys, nil
}

func addKindMarks(p *plot.Plot, ms []Marker, y float64, c color.Color) error {
	var xy plotter.XYs
	var labels plotter.XYLabels
	for _, m := range ms {
		xy = append(xy, plotter.XY{X: m.At.Seconds(), Y: y})
		labels.XYs = append(labels.XYs, plotter.XY{X: m.At.Seconds(), Y: y})
		labels.Labels = append(labels.Labels, fmt.Sprint(m.Count))
	}
	sc, err := plotter.NewScatter(xy)
	if err != nil {
		return err
	}
	sc.GlyphStyleFunc = func(i int) draw.GlyphStyle {
		r := 2.5 + 1.2*math.Log10(float64(max(ms[i].Count, 1)))
		return draw.GlyphStyle{Color: c, Radius: vg.Points(r), Shape: draw.CrossGlyph{}}
	}
	p.Add(sc)
	if len(ms) > maxMarkLabels {
		return nil
	}
	return addLabels(p, labels, 7, draw.YCenter, 5, c)
}
