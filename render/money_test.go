package render

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/kexi/kexi/analysis"
)

// TestExportMoneyCents: an analysis table downloaded as CSV writes money (currency columns) to
// the cent — a sum of order amounts is 42784.48999999999 in floating point — and every other
// number as it is: a percentage, a plain float, an int. NaN is an empty cell.
func TestExportMoneyCents(t *testing.T) {
	info := &analysis.Info{Name: "x"}
	tab := &analysis.Table{Key: "t", Columns: []analysis.Column{{Key: "revenue", Type: "currency"},
		{Key: "share", Type: "percent"}, {Key: "z", Type: "float"}, {Key: "n", Type: "int"}, {Key: "loss", Type: "currency"}},
		Rows: [][]any{
			{42784.48999999999, 0.123456789, 1.0000000000000002, 7, -0.125},
			{0.1 + 0.2, math.NaN(), 2.5, 0, math.NaN()},
		}}
	head, rows := FileRows(info, "en", tab, nil, nil)
	var b bytes.Buffer
	if err := RowsCSV(&b, head, rows); err != nil {
		t.Fatal(err)
	}
	want := "\ufeffrevenue,share,z,n,loss\n42784.49,0.123456789,1.0000000000000002,7,-0.13\n0.3,,2.5,0,\n"
	if got := b.String(); got != want {
		t.Errorf("csv\n%s\nwant\n%s", got, want)
	}
	if strings.Contains(b.String(), "99999") {
		t.Error("float noise in a money column")
	}
}
