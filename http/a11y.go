package kexihttp

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// chartListAll is how many categories a chart summary lists in full; longer series are
// summed up by their extremes.
const chartListAll = 6

// Summary is the chart in words, for screen readers (the chart itself is a picture) and for
// print: each series' values when there are few categories, else its extremes (a line's
// first and last too), a heat map's highest cell, a Sankey's largest flows.
func (c chartSpec) Summary() string {
	sep, list, colon := "; ", ", ", ": "
	if c.Lang == langZh {
		sep, list, colon = "；", "，", "："
	}
	// in formats a value by its unit (a list's own, else the chart's format).
	in := func(unit string, v float64) string {
		if unit == "" {
			unit = c.Format
		}
		switch {
		case unit == "percent":
			return fmtPct(c.Lang, v)
		case unit == "currency" && c.Symbol != "":
			return c.Symbol + smartNum(c.Lang, v)
		}
		return smartNum(c.Lang, v)
	}
	pair := func(x string, v float64) string { return x + " " + in("", v) }
	var parts []string
	switch {
	case len(c.Cells) > 0:
		best := -1
		for i, cell := range c.Cells {
			if finite(cell[2]) && (best < 0 || cell[2] > c.Cells[best][2]) {
				best = i
			}
		}
		parts = append(parts, fmt.Sprintf(tr(c.Lang, "chart_cells"), len(c.X), len(c.YCats)))
		if best >= 0 {
			x, y := int(c.Cells[best][0]), int(c.Cells[best][1])
			if x >= 0 && x < len(c.X) && y >= 0 && y < len(c.YCats) {
				parts = append(parts, fmt.Sprintf(tr(c.Lang, "chart_highest"), pair(c.X[x]+" / "+c.YCats[y], c.Cells[best][2])))
			}
		}
	case len(c.Links) > 0:
		links := append(c.Links[:0:0], c.Links...)
		sort.SliceStable(links, func(i, j int) bool { return links[i].Value > links[j].Value })
		var top []string
		for _, l := range links[:min(3, len(links))] {
			top = append(top, pair(l.Source+" → "+l.Target, l.Value))
		}
		parts = append(parts, fmt.Sprintf(tr(c.Lang, "chart_top"), strings.Join(top, list)))
	case c.Kind == "scatter":
		n := 0
		if len(c.Y) > 0 {
			n = len(c.Y[0].Data)
		}
		parts = append(parts, fmt.Sprintf(tr(c.Lang, "chart_points"), n))
	default:
		for _, y := range c.Y {
			pairIn := func(x string, v float64) string { return x + " " + in(y.Unit, v) }
			if s := c.seriesSummary(y, pairIn, list); s != "" {
				if y.Name != "" {
					s = y.Name + colon + s
				}
				parts = append(parts, s)
			}
		}
	}
	if len(parts) == 0 {
		return c.Title + colon + tr(c.Lang, "chart_empty")
	}
	return c.Title + colon + strings.Join(parts, sep)
}

// seriesSummary words one value list over the chart's categories.
func (c chartSpec) seriesSummary(y chartValues, pair func(string, float64) string, list string) string {
	type point struct {
		x string
		v float64
	}
	var ps []point
	for i, v := range y.Data {
		if i < len(c.X) && finite(v) {
			ps = append(ps, point{c.X[i], v})
		}
	}
	if len(ps) == 0 {
		return ""
	}
	if len(ps) <= chartListAll {
		var s []string
		for _, p := range ps {
			s = append(s, pair(p.x, p.v))
		}
		return strings.Join(s, list)
	}
	hi, lo := ps[0], ps[0]
	for _, p := range ps {
		if p.v > hi.v {
			hi = p
		}
		if p.v < lo.v {
			lo = p
		}
	}
	s := []string{fmt.Sprintf(tr(c.Lang, "chart_more"), len(ps))}
	if c.Kind == "line" { // an ordered series: where it starts and ends matters
		s = append(s, fmt.Sprintf(tr(c.Lang, "chart_first"), pair(ps[0].x, ps[0].v)),
			fmt.Sprintf(tr(c.Lang, "chart_last"), pair(ps[len(ps)-1].x, ps[len(ps)-1].v)))
	}
	s = append(s, fmt.Sprintf(tr(c.Lang, "chart_highest"), pair(hi.x, hi.v)),
		fmt.Sprintf(tr(c.Lang, "chart_lowest"), pair(lo.x, lo.v)))
	return strings.Join(s, list)
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
