package render

import (
	"fmt"
	"io"
	"math"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/kexi/kexi/analysis"
)

// XLSX writes the results as a workbook at path, in lang: for each a sheet of its title, its
// figures (money rounded to cents, NaN empty) and notes, then a sheet per table (money rounded
// to cents, labels, terms and reasons as CSV has them, NaN and zero times empty).
func XLSX(path string, infos []analysis.Info, results []*analysis.Result, lang string) error {
	f := excelize.NewFile()
	defer f.Close()
	used := map[string]bool{}
	sheetName := func(s string) string {
		r := []rune(s)
		if len(r) > 28 {
			r = r[:28]
		}
		name := string(r)
		for i := 2; used[name]; i++ {
			name = fmt.Sprintf("%s~%d", string(r), i)
		}
		used[name] = true
		return name
	}
	for i, r := range results {
		info := infos[i]
		name := sheetName(info.Name)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		row := 1
		set := func(sheet string, col, row int, v any) error {
			cell, _ := excelize.CoordinatesToCellName(col, row)
			return f.SetCellValue(sheet, cell, v)
		}
		if err := set(name, 1, row, info.Title.In(lang)); err != nil {
			return err
		}
		row += 2
		for _, fig := range r.Summary {
			set(name, 1, row, Label(&info, lang, fig.Key))
			switch {
			case fig.Text != "":
				set(name, 2, row, Label(&info, lang, fig.Text)) // a key into the labels, or text of its own
			case math.IsNaN(fig.Value) || math.IsInf(fig.Value, 0):
			case fig.Unit == "currency":
				set(name, 2, row, analysis.Cents(fig.Value))
			default:
				set(name, 2, row, fig.Value)
			}
			row++
		}
		// The notes under the figures, in the language asked for, as the text format
		// prints them.
		if len(r.Notes) > 0 {
			row++
		}
		for _, n := range r.Notes {
			if err := set(name, 1, row, n.In(lang, func(k string) string { return Label(&info, lang, k) })); err != nil {
				return err
			}
			row++
		}
		for _, t := range r.Tables {
			sheet := sheetName(info.Name + "." + t.Key)
			if _, err := f.NewSheet(sheet); err != nil {
				return err
			}
			sw, err := f.NewStreamWriter(sheet)
			if err != nil {
				return err
			}
			head := make([]any, len(t.Columns))
			for j, c := range t.Columns {
				head[j] = Label(&info, lang, c.Key)
			}
			if err := sw.SetRow("A1", head); err != nil {
				return err
			}
			for k, rr := range t.Rows {
				vals := make([]any, len(rr))
				for j, v := range rr {
					switch x := v.(type) {
					case float64:
						if math.IsNaN(x) || math.IsInf(x, 0) {
							v = nil
						} else if j < len(t.Columns) && t.Columns[j].Money() {
							v = analysis.Cents(x)
						}
					case time.Time:
						if x.IsZero() {
							v = nil
						}
					case string:
						if j < len(t.Columns) && t.Columns[j].Type != "string" {
							v = Cell(&info, t.Columns[j], x, lang, false) // labels, terms, reasons
						}
					}
					vals[j] = v
				}
				cell, _ := excelize.CoordinatesToCellName(1, k+2)
				if err := sw.SetRow(cell, vals); err != nil {
					return err
				}
			}
			if err := sw.Flush(); err != nil {
				return err
			}
		}
	}
	return f.SaveAs(path)
}

// RowsXLSX writes a header and rows as one XLSX sheet with excelize's stream writer: times as
// PlainText writes them, numbers, text and booleans as they are.
func RowsXLSX(w io.Writer, head []string, rows [][]any) error {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	hr := make([]any, len(head))
	for i, h := range head {
		hr[i] = h
	}
	if err := sw.SetRow("A1", hr); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	for i, row := range rows {
		cells := make([]any, len(row))
		for j, v := range row {
			switch x := v.(type) {
			case time.Time:
				cells[j] = PlainText(x)
			case int, int64, float64, string, bool, nil:
				cells[j] = x
			default:
				cells[j] = fmt.Sprint(x)
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, cells); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return nil
}
