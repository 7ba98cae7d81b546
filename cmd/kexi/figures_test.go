package main

import (
	"strings"
	"testing"

	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/render"
)

// TestTextDetails: the text format prints the headline figures first and those marked
// Detail after them under the analysis's "details" heading, with labels filled from the
// figures they name.
func TestTextDetails(t *testing.T) {
	info := analysis.Info{Name: "figs", Title: analysis.Text{En: "Figures", Zh: "指标"}, Labels: map[string]analysis.Text{
		"revenue": {En: "Revenue, next {horizon} months", Zh: "预测未来 {horizon} 个月收入"},
		"details": {En: "Model details", Zh: "模型详情"}, "horizon": {En: "Horizon", Zh: "预测期"},
		"recency": {En: "Recency ({time_unit})", Zh: "最近购买间隔({time_unit})"}, "weeks": {En: "weeks", Zh: "周"}}}
	r := &analysis.Result{Name: "figs", Summary: []analysis.Figure{
		{Key: "fit", Value: -1.5, Detail: true}, {Key: "revenue", Value: 1000, Unit: "currency"},
		{Key: "horizon", Value: 12, Unit: "months", Detail: true}, {Key: "time_unit", Text: "weeks", Detail: true},
		{Key: "customers", Value: 7},
	}, Tables: []analysis.Table{{Key: "t", Columns: []analysis.Column{{Key: "recency", Type: "float"}}, Rows: [][]any{{1.5}}}}}
	var b strings.Builder
	render.Text(&b, info, r, "zh", 10)
	got := b.String()
	want := "  预测未来 12 个月收入: 1000.00\n  客户: 7\n  -- 模型详情\n  fit: -1.5\n  预测期: 12 个月\n  time_unit: 周\n"
	if !strings.Contains(got, want) || !strings.Contains(got, "最近购买间隔(周)") {
		t.Errorf("got\n%s\nwant the figures\n%s", got, want)
	}
}
