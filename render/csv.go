package render

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/sheet"
)

// CSV writes r's first table as CSV for machines (the command line's --format csv): a header
// of the column keys (their labels in Chinese), then the cells as Cell writes them for
// machines. Text a spreadsheet would run as a formula gets an apostrophe in front
// (sheet.EscapeFormula). A result without a table is an EINVALID error.
func CSV(w io.Writer, info analysis.Info, r *analysis.Result, lang string) error {
	if len(r.Tables) == 0 {
		return kexi.Errorf(kexi.EINVALID, "%s has no table to print as CSV: use --format json", info.Name)
	}
	t := r.Tables[0]
	cw := csv.NewWriter(w)
	head := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		head[i] = c.Key
		if lang == Zh {
			head[i] = Label(&info, lang, c.Key)
		}
		head[i] = sheet.EscapeFormula(head[i])
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	rec := make([]string, len(t.Columns))
	for _, row := range t.Rows {
		for j, c := range t.Columns {
			rec[j] = ""
			if j < len(row) {
				rec[j] = sheet.EscapeFormula(Cell(&info, c, row[j], lang, false))
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// FileRows turns a result table into a header and plain cells for a download (the pages'
// CSV and XLSX of a table): labels translated, money (currency columns) rounded to cents,
// other numbers unformatted, NaN empty, dates as 2006-01-02, data values by their value labels
// ls (channel douyin as 抖音, as the page shows them). With name set, a per-customer table gets
// the customer's name, name(id), beside the id.
func FileRows(info *analysis.Info, lang string, t *analysis.Table, ls kexi.ValueLabels, name func(id any) string) ([]string, [][]any) {
	named := t.PerCustomer && name != nil
	var head []string
	for i, c := range t.Columns {
		head = append(head, Label(info, lang, c.Key))
		if i == 0 && named {
			head = append(head, T(lang, "name"))
		}
	}
	rows := make([][]any, len(t.Rows))
	for i, row := range t.Rows {
		out := make([]any, 0, len(row)+1)
		for j, v := range row {
			var c any = v
			switch x := v.(type) {
			case time.Time:
				c = x.Format("2006-01-02")
			case float64:
				if math.IsNaN(x) || math.IsInf(x, 0) {
					c = nil
				} else if j < len(t.Columns) && t.Columns[j].Money() {
					c = analysis.Cents(x) // 42784.49, not 42784.48999999999
				}
			case string:
				if j < len(t.Columns) && t.Columns[j].Type == "label" {
					c = Label(info, lang, x)
				} else if j < len(t.Columns) && t.Columns[j].Type == "terms" {
					c = Terms(info, lang, x)
				} else if j < len(t.Columns) && t.Columns[j].Type == "string" {
					c, _ = ls.Label(t.Columns[j].Key, x)
				}
			}
			out = append(out, c)
			if j == 0 && named {
				out = append(out, name(v))
			}
		}
		rows[i] = out
	}
	return head, rows
}

// RowsCSV writes a header and rows as CSV with a UTF-8 byte-order mark, so that Excel reads
// Chinese: numbers in full precision, dates as 2006-01-02, times as RFC 3339. Text a
// spreadsheet would run as a formula gets an apostrophe in front (sheet.EscapeFormula).
func RowsCSV(w io.Writer, head []string, rows [][]any) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("\ufeff")
	cw := csv.NewWriter(bw)
	rec := make([]string, 0, len(head))
	for _, h := range head {
		rec = append(rec, sheet.EscapeFormula(h))
	}
	cw.Write(rec)
	for _, row := range rows {
		rec = rec[:0]
		for _, v := range row {
			rec = append(rec, sheet.EscapeFormula(PlainText(v)))
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return bw.Flush()
}

// PlainText is a value as CSV text: numbers in full precision, dates as 2006-01-02, times as
// RFC 3339.
func PlainText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case time.Time:
		if x.IsZero() {
			return ""
		}
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 {
			return x.Format("2006-01-02")
		}
		return x.Format(time.RFC3339)
	}
	return fmt.Sprint(v)
}
