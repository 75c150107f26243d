package web

import (
	"math"

	"github.com/steward-crm/steward"
	"github.com/steward-crm/steward/dedupe"
)

// waterfall is a pair's match weight drawn as a waterfall: from the
// model's prior, each field's weight a step up (for a match) or down
// (against), to the pair's total. Drawn on the server as inline SVG.
type waterfall struct {
	Width, Height int
	Steps         []step
	// Zero is the x of weight 0, where a pair is as likely one customer
	// as not.
	Zero float64
}

// step is one bar of a waterfall.
type step struct {
	Label  string
	Level  string
	Weight float64
	Y      int
	X, W   float64
	Kind   string // "up", "down", "none", "base", "total"
	TextY  int
}

const (
	wfLabel = 120 // width of the labels
	wfBars  = 220 // width of the bars
	wfValue = 50  // width of the values
	wfRow   = 18
)

// newWaterfall draws pe's evidence.
func newWaterfall(pe steward.PairEvidence) waterfall {
	lo, hi := math.Min(0, pe.Prior), math.Max(0, pe.Prior)
	sum := pe.Prior
	for _, f := range pe.Fields {
		sum += f.Weight
		lo, hi = math.Min(lo, sum), math.Max(hi, sum)
	}
	lo, hi = math.Min(lo, pe.Weight), math.Max(hi, pe.Weight)
	if hi-lo < 1 {
		hi = lo + 1
	}
	x := func(v float64) float64 { return wfLabel + (v-lo)/(hi-lo)*wfBars }
	wf := waterfall{Width: wfLabel + wfBars + wfValue, Zero: x(0)}
	add := func(label, level string, from, to float64, kind string) {
		y := len(wf.Steps)*wfRow + 2
		a, b := x(from), x(to)
		if a > b {
			a, b = b, a
		}
		// A weight of 0 is still a visible tick, kept inside the bars.
		w := math.Max(b-a, 1.5)
		a = math.Min(a, wfLabel+wfBars-w)
		wf.Steps = append(wf.Steps, step{Label: label, Level: level, Weight: to - from, Y: y, X: a, W: w, Kind: kind, TextY: y + 12})
	}
	add("prior", "", 0, pe.Prior, "base")
	at := pe.Prior
	for _, f := range pe.Fields {
		kind := "none"
		switch {
		case f.Weight > 0:
			kind = "up"
		case f.Weight < 0:
			kind = "down"
		}
		add(fieldLabel(f.Field), dedupe.LevelText(f.Field, f.Level), at, at+f.Weight, kind)
		at += f.Weight
	}
	add("total", "", 0, pe.Weight, "total")
	wf.Steps[len(wf.Steps)-1].Weight = pe.Weight
	wf.Height = len(wf.Steps)*wfRow + 4
	return wf
}

// ValueX is where the values are written.
func (wf waterfall) ValueX() int { return wf.Width - 2 }
