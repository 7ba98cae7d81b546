package main

import (
	"encoding/json"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestWaterfallChart draws a "waterfall" spec (revenue 100, costs −30 and −20, profit 50)
// with kexi.js and checks it is a stack of a transparent base and the visible steps: the
// cost of 30 floats from 70 to 100, the cost of 20 from 50 to 70, the totals stand on zero.
func TestWaterfallChart(t *testing.T) {
	spec := map[string]any{"kind": "waterfall", "lang": "en", "x": []string{"revenue", "cost", "shipping", "profit"},
		"y": []map[string]any{{"name": "amount", "data": []float64{100, -30, -20, 50}}}}
	ctx := serveCharts(t, []map[string]any{spec}, 500, 0)
	const js = `(() => {
  const opt = echarts.getInstanceByDom(document.querySelector('[data-chart]')).getOption();
  const v = d => d === '-' ? null : (typeof d === 'object' && d !== null ? d.value : d);
  return opt.series.map(s => ({stack: s.stack || '', color: (s.itemStyle || {}).color || '', data: s.data.map(v)}));
})()`
	res, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](js))
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"stack":"waterfall","color":"transparent","data":[0,70,50,0]},` +
		`{"stack":"waterfall","color":"","data":[100,30,20,50]},{"stack":"waterfall","color":"","data":[null,null,null,null]}]`
	if string(res) != want {
		t.Errorf("waterfall series\n got %s\nwant %s", res, want)
	}
}
