package render

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/kexi/kexi/analysis"
)

// zhOr returns zh when lang is Chinese, else en.
func zhOr(lang, zh, en string) string {
	if lang == Zh {
		return zh
	}
	return en
}

// Cell formats one table cell as text for people (human: the text format) or for machines
// (CSV): labels and terms translated, reasons translated for people, dates as 2006-01-02 (with
// the time when it has one), NaN and infinities empty; for people percentages as 12.3%, money
// with two decimals, counts whole and other numbers to six digits; for machines money with
// two decimals and other numbers to ten significant digits.
func Cell(info *analysis.Info, col analysis.Column, v any, lang string, human bool) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		switch col.Type {
		case "label", "terms": // terms: each part that is a key (as the pages show it)
			return Label(info, lang, x)
		case "reasons": // files keep them as the page's downloads do
			if human {
				return Reasons(info, lang, x)
			}
		}
		return x
	case time.Time:
		if x.IsZero() {
			return ""
		}
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 {
			return x.Format("2006-01-02")
		}
		return x.Format("2006-01-02 15:04")
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return ""
		}
		if !human {
			if col.Type == "currency" {
				return strconv.FormatFloat(x, 'f', 2, 64)
			}
			// Ten significant digits hide float noise (5391.209999999998) and keep the value.
			r, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 10, 64), 64)
			return strconv.FormatFloat(r, 'f', -1, 64)
		}
		switch col.Type {
		case "percent":
			return strconv.FormatFloat(x*100, 'f', 1, 64) + "%"
		case "currency":
			return strconv.FormatFloat(x, 'f', 2, 64)
		case "int":
			return strconv.FormatFloat(x, 'f', 0, 64)
		}
		return strconv.FormatFloat(x, 'g', 6, 64)
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	return fmt.Sprint(v)
}

// FigureText formats a figure's value for the text format, its unit in lang.
func FigureText(f analysis.Figure, lang string) string {
	if f.Text != "" {
		return f.Text
	}
	unit := f.Unit
	if u, ok := map[string]string{"months": "个月", "days": "天", "weeks": "周", "points": "分"}[unit]; ok && lang == Zh {
		unit = u
	}
	switch f.Unit {
	case "%":
		return strconv.FormatFloat(f.Value*100, 'f', 2, 64) + "%"
	case "currency":
		return strconv.FormatFloat(f.Value, 'f', 2, 64)
	case "months":
		return strconv.FormatFloat(f.Value, 'f', -1, 64) + " " + unit
	}
	if f.Value == math.Trunc(f.Value) && math.Abs(f.Value) < 1e15 {
		return strconv.FormatFloat(f.Value, 'f', 0, 64)
	}
	s := strconv.FormatFloat(f.Value, 'g', 6, 64)
	if unit != "" {
		s += " " + unit
	}
	return s
}

// Text writes r as text for a terminal in lang: a title line with the as-of day, the headline
// figures, the detail figures under a heading of their own, the notes, then each table with
// its columns aligned, at most maxRows rows of each (0: all).
func Text(w io.Writer, info analysis.Info, r *analysis.Result, lang string, maxRows int) {
	fmt.Fprintf(w, "== %s (%s)", info.Title.In(lang), info.Name)
	if !r.AsOf.IsZero() { // data without any times has no as-of date
		fmt.Fprintf(w, " — %s %s", zhOr(lang, "截至", "as of"), r.AsOf.Format("2006-01-02"))
	}
	fmt.Fprintln(w)
	label := func(k string) string { return Label(&info, lang, k) }
	vals := r.FigureValues(label, func(x float64) string {
		return FigureText(analysis.Figure{Value: x}, lang)
	})
	// Headline figures first, then those marked Detail (settings, model parameters) under a
	// heading of their own.
	details := false
	for _, detail := range []bool{false, true} {
		for _, f := range r.Summary {
			if f.Detail != detail {
				continue
			}
			if detail && !details {
				details = true
				fmt.Fprintf(w, "  -- %s\n", label("details"))
			}
			v := FigureText(f, lang)
			if f.Text != "" {
				v = label(f.Text) // a key into the labels, or text of its own
			}
			fmt.Fprintf(w, "  %s: %s\n", LabelIn(&info, lang, f.Key, vals), v)
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "  %s\n", n.In(lang, label))
	}
	for _, t := range r.Tables {
		fmt.Fprintf(w, "\n-- %s (%s)\n", TableTitle(&info, lang, t.Key, vals), zhOr(lang, fmt.Sprintf("%d 行", len(t.Rows)), fmt.Sprintf("%d rows", len(t.Rows))))
		head := make([]string, len(t.Columns))
		for i, c := range t.Columns {
			head[i] = LabelIn(&info, lang, c.Key, vals)
		}
		n := len(t.Rows)
		if maxRows > 0 && n > maxRows {
			n = maxRows
		}
		cells := make([][]string, n)
		for i := 0; i < n; i++ {
			cells[i] = make([]string, len(t.Columns))
			for j, c := range t.Columns {
				if j < len(t.Rows[i]) {
					cells[i][j] = Cell(&info, c, t.Rows[i][j], lang, true)
				}
			}
		}
		Aligned(w, head, cells)
		if n < len(t.Rows) {
			fmt.Fprintf(w, "  … %s\n", zhOr(lang, fmt.Sprintf("另有 %d 行（--rows 0 显示全部；--format csv 输出整张表）", len(t.Rows)-n),
				fmt.Sprintf("%d more rows (--rows 0 shows all; --format csv for the whole table)", len(t.Rows)-n)))
		}
	}
}
