package main

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	kexihttp "github.com/kexi/kexi/http"
)

// evil is a category name that is HTML: a formatter that joins it into the tooltip unescaped
// makes an <img> element, whose onerror would run (the page here has no CSP to stop it).
func evil(n int) string {
	return fmt.Sprintf(`"><img src=x onerror="window.xss=%d">`, n)
}

// TestChartTooltipsEscape draws one chart of every kind with HTML in every category, series
// and node name (and the currency symbol) using kexi.js and the vendored ECharts, shows the
// tooltip of every data point, and checks that no element came out of the names: the
// tooltips show them as text.
func TestChartTooltipsEscape(t *testing.T) {
	y := []map[string]any{{"name": evil(1), "data": []float64{3, 5}}, {"name": evil(2), "data": []float64{4, 1}}}
	x := []string{evil(3), evil(4)}
	specs := []map[string]any{
		{"kind": "bar", "x": x, "y": y, "format": "currency", "symbol": evil(5)},
		{"kind": "line", "x": x, "y": y},
		{"kind": "histogram", "x": x, "y": y},
		{"kind": "pie", "x": x, "y": y},
		{"kind": "funnel", "x": x, "y": y},
		{"kind": "pyramid", "x": x, "y": y},
		{"kind": "heatmap", "x": x, "y_cats": []string{evil(6), evil(7)}, "cells": [][3]float64{{0, 0, 5}, {1, 1, 2}}},
		{"kind": "sankey", "links": []map[string]any{{"source": evil(8), "target": evil(9), "value": 3}}},
		{"kind": "scatter", "y": y},
		{"kind": "map", "x": x, "y": y},
		{"kind": "waterfall", "x": x, "y": y, "format": "currency", "symbol": evil(10)},
	}
	for _, s := range specs {
		s["lang"] = "en"
	}
	ctx := serveCharts(t, specs, 500, 1200)
	// Show the tooltip of every data point of every series (and every link of the Sankey
	// chart) and collect what each tooltip holds.
	const js = `(() => {
  const out = [];
  document.querySelectorAll('[data-chart]').forEach(el => {
    const kind = JSON.parse(el.getAttribute('data-chart')).kind;
    const chart = echarts.getInstanceByDom(el);
    const opt = chart.getOption();
    opt.series.forEach((s, si) => {
      const n = kind === 'sankey' ? s.links.length : (s.data || []).length;
      for (let i = 0; i < n; i++) {
        chart.dispatchAction({type: 'showTip', seriesIndex: si, dataIndex: i, dataType: kind === 'sankey' ? 'edge' : undefined});
        const tips = [...el.querySelectorAll('div')].filter(d => d.style.position === 'absolute' && d.innerHTML.includes('img'));
        out.push({kind: kind, series: si, index: i, imgs: el.querySelectorAll('img').length,
          text: tips.map(d => d.textContent).join(' | ')});
        chart.dispatchAction({type: 'hideTip'});
      }
    });
  });
  return {tips: out, xss: window.xss || 0};
})()`
	res, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](js))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Tips []struct {
			Kind          string
			Series, Index int
			Imgs          int
			Text          string
		}
		XSS int
	}
	if err := json.Unmarshal(res, &got); err != nil {
		t.Fatalf("%v: %s", err, res)
	}
	kinds := map[string]bool{}
	for _, tip := range got.Tips {
		if tip.Imgs > 0 {
			t.Errorf("%s chart, series %d point %d: the tooltip made %d <img> elements out of a name", tip.Kind, tip.Series, tip.Index, tip.Imgs)
		}
		if strings.Contains(tip.Text, "<img") {
			kinds[tip.Kind] = true // the name is shown, as text
		}
	}
	for _, k := range []string{"bar", "heatmap", "pie", "sankey", "waterfall"} {
		if !kinds[k] {
			t.Errorf("no %s tooltip showed a name as text: %+v", k, got.Tips)
		}
	}
	if got.XSS != 0 {
		t.Errorf("a tooltip ran the onerror of name %d", got.XSS)
	}
}

// serveCharts serves a page of one chart per spec (lang zh unless set), w px wide, drawn by
// kexi.js and the vendored ECharts, opens it in headless Chromium with a window winW px wide
// (0: Chromium's default), and returns the browser context once the charts are drawn.
func serveCharts(t *testing.T, specs []map[string]any, w, winW int) context.Context {
	t.Helper()
	browser := needChromium(t)
	var page strings.Builder
	page.WriteString("<!doctype html><html><head><meta charset=utf-8></head><body style=\"margin:0\">\n")
	for i, s := range specs {
		s["key"] = fmt.Sprint("c", i)
		if s["lang"] == nil {
			s["lang"] = "zh"
		}
		b, _ := json.Marshal(s)
		fmt.Fprintf(&page, "<div data-chart=\"%s\" style=\"width:%dpx;height:300px\"></div>\n", html.EscapeString(string(b)), w)
	}
	page.WriteString(`<script src="/assets/vendor/echarts.min.js"></script><script src="/assets/kexi.js"></script></body></html>`)
	st, err := openStore(context.Background(), &Env{Getenv: importEnv}, filepath.Join(t.TempDir(), "kexi.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	mux := http.NewServeMux()
	mux.Handle("/assets/", kexihttp.NewServer(kexihttp.Config{Store: st}))
	mux.HandleFunc("/charts", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(page.String()))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(newBrowser(t, browser, winW, 1000), time.Minute)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/charts"),
		chromedp.WaitVisible(chromedp.CSS(`body[data-charts-ready="1"]`))); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// glanceJS reports each chart: its value axes (title, the label of a few values), its series,
// the texts drawn on the canvas with their boxes, the height of its element, and the tooltip
// of its last category.
const glanceJS = `[...document.querySelectorAll('[data-chart]')].map(el => {
  const chart = echarts.getInstanceByDom(el), opt = chart.getOption();
  const axes = (opt.yAxis || []).concat(opt.xAxis || []).filter(a => a.type === 'value').map(a => ({
    name: a.name || '', max: a.max === undefined ? null : a.max,
    labels: [0.3, 1, 25000, 3400000, 120000000].map(v => a.axisLabel && a.axisLabel.formatter ? String(a.axisLabel.formatter(v)) : String(v))}));
  const texts = chart.getZr().storage.getDisplayList().filter(e => e.style && typeof e.style.text === 'string' && e.style.text).map(e => {
    const r = e.getBoundingRect().clone(); if (e.transform) r.applyTransform(e.transform);
    return {text: e.style.text, x: r.x, y: r.y, w: r.width, h: r.height};
  });
  const series = opt.series.map(s => ({name: s.name, yAxisIndex: s.yAxisIndex || 0, dashed: !!(s.lineStyle && s.lineStyle.type === 'dashed'),
    last: (s.data || [])[(s.data || []).length - 1]}));
  const n = (JSON.parse(el.getAttribute('data-chart')).x || []).length;
  let tip = '';
  if (n && opt.tooltip && opt.tooltip[0] && opt.tooltip[0].trigger === 'axis') {
    chart.dispatchAction({type: 'showTip', seriesIndex: opt.series.length - 1, dataIndex: n - 1});
    tip = [...el.querySelectorAll('div')].filter(d => d.style.position === 'absolute').map(d => d.textContent).join(' | ');
    chart.dispatchAction({type: 'hideTip'});
  }
  return {axes, texts, series, height: el.clientHeight, width: el.clientWidth, tip};
})`

type glanceChart struct {
	Axes []struct {
		Name   string
		Max    *float64
		Labels []string
	}
	Texts []struct {
		Text       string
		X, Y, W, H float64
	}
	Series []struct {
		Name       string
		YAxisIndex int
		Dashed     bool
		Last       any
	}
	Height, Width int
	Tip           string
}

// drawn reports whether text is drawn on the chart, whole or wrapped (its lines one under
// the other, each starting at the same x), and its box.
func (c glanceChart) drawn(text string) (ok bool, x, y, w, h float64) {
	for i, tx := range c.Texts {
		got, x, y, w, h := tx.Text, tx.X, tx.Y, tx.W, tx.H
		for j := i + 1; j < len(c.Texts) && len(got) < len(text) && strings.HasPrefix(text, got); j++ {
			n := c.Texts[j]
			if math.Abs(n.X-x) < 1 && n.Y > y {
				got += n.Text
				w, h = max(w, n.W), n.Y+n.H-y
			}
		}
		if got == text {
			return true, x, y, w, h
		}
	}
	return false, 0, 0, 0, 0
}

// TestChartsReadAtAGlance draws charts as issue #20 §4 wants them read: the eight Chinese RFM
// segments all labelled without overlapping; a percent axis in %; large amounts on an axis as
// 万 (zh) or M (en); value axes titled with their series; the satisfaction trend with its
// CSAT share on a second 0–100 % axis; a partial last month lighter (bar) or dashed (line)
// with its note in the tooltip; every one of 31 provinces labelled.
func TestChartsReadAtAGlance(t *testing.T) {
	segs := []string{"重要价值客户", "重要保持客户", "重要发展客户", "重要挽留客户", "一般价值客户", "一般保持客户", "一般发展客户", "一般挽留客户"}
	months := []string{"2026年10月", "2026年11月", "2026年12月"}
	var provs []string
	var pv []float64
	for i := range 31 {
		provs = append(provs, fmt.Sprintf("省份%02d", i))
		pv = append(pv, float64(1000*(i+1)))
	}
	specs := []map[string]any{
		{"kind": "bar", "x": segs, "y": []map[string]any{{"name": "客户数", "data": []float64{5, 9, 3, 4, 8, 2, 7, 1}}}},
		{"kind": "bar", "x": []string{"a", "b"}, "y": []map[string]any{{"name": "流失率", "data": []float64{0.3, 0.5}, "unit": "percent"}}},
		{"kind": "line", "x": months, "partial": "截至12月7日", "y": []map[string]any{{"name": "净推荐值", "data": []float64{20, 30, 10}},
			{"name": "满意率", "data": []float64{0.8, 0.7, 0.9}, "unit": "percent"}}},
		{"kind": "bar", "x": months, "partial": "截至12月7日", "format": "currency", "symbol": "¥",
			"y": []map[string]any{{"name": "收入", "data": []float64{250000, 3400000, 120000}}}},
		{"kind": "map", "x": provs, "y": []map[string]any{{"name": "收入", "data": pv}}},
		{"kind": "bar", "lang": "en", "x": []string{"a"}, "format": "currency", "symbol": "$", "y": []map[string]any{{"name": "Revenue", "data": []float64{3400000}}}},
	}
	ctx := serveCharts(t, specs, 500, 1200)
	res, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](glanceJS))
	if err != nil {
		t.Fatal(err)
	}
	var cs []glanceChart
	if err := json.Unmarshal(res, &cs); err != nil {
		t.Fatalf("%v: %s", err, res)
	}
	if len(cs) != len(specs) {
		t.Fatalf("%d charts, want %d", len(cs), len(specs))
	}

	// RFM segments: every label drawn whole, no two overlapping.
	var boxes [][4]float64
	for _, s := range segs {
		ok, x, y, w, h := cs[0].drawn(s)
		if !ok {
			t.Errorf("segment label %s is not drawn: %+v", s, cs[0].Texts)
			continue
		}
		for _, b := range boxes {
			if x < b[0]+b[2] && b[0] < x+w && y < b[1]+b[3] && b[1] < y+h {
				t.Errorf("segment label %s (%.0f,%.0f %.0f×%.0f) overlaps another (%v)", s, x, y, w, h, b)
			}
		}
		boxes = append(boxes, [4]float64{x, y, w, h})
	}
	if a := cs[0].Axes; len(a) != 1 || a[0].Name != "客户数" {
		t.Errorf("the value axis should be titled 客户数: %+v", a)
	}

	// Percent axis.
	if a := cs[1].Axes; len(a) != 1 || a[0].Labels[0] != "30%" || a[0].Labels[1] != "100%" {
		t.Errorf("a percent axis labels 0.3 as 30%%: %+v", a)
	}

	// Satisfaction: NPS on the left axis, the CSAT share on a second one, 0–100 %.
	tr := cs[2]
	if len(tr.Axes) != 2 || tr.Axes[0].Name != "净推荐值" || tr.Axes[1].Name != "满意率" || tr.Axes[1].Max == nil || *tr.Axes[1].Max != 1 ||
		tr.Axes[1].Labels[0] != "30%" || tr.Axes[0].Labels[1] != "1" {
		t.Errorf("the trend should have an NPS axis and a 0–100 %% CSAT axis: %+v", tr.Axes)
	}
	csatOn := -1
	dashed := false
	for _, s := range tr.Series {
		if s.Name == "满意率" && !s.Dashed {
			csatOn = s.YAxisIndex
		}
		dashed = dashed || s.Dashed
	}
	if csatOn != 1 {
		t.Errorf("CSAT should be drawn on the second axis: %+v", tr.Series)
	}
	if !dashed {
		t.Errorf("the partial last month of a line should be dashed: %+v", tr.Series)
	}
	if !strings.Contains(tr.Tip, "截至12月7日") || !strings.Contains(tr.Tip, "90%") {
		t.Errorf("the last month's tooltip should say 截至12月7日 and CSAT 90%%: %q", tr.Tip)
	}

	// Amounts: short on the axis, exact in the tooltip; the partial bar lighter.
	if a := cs[3].Axes; len(a) != 1 || a[0].Labels[2] != "¥2.5万" || a[0].Labels[3] != "¥340万" || a[0].Labels[4] != "¥1.2亿" {
		t.Errorf("a zh currency axis should read ¥2.5万, ¥340万, ¥1.2亿: %+v", a)
	}
	if !strings.Contains(cs[3].Tip, "¥120,000") || !strings.Contains(cs[3].Tip, "截至12月7日") {
		t.Errorf("the tooltip should have the exact amount and the partial note: %q", cs[3].Tip)
	}
	if last, ok := cs[3].Series[0].Last.(map[string]any); !ok || fmt.Sprint(last["itemStyle"]) != "map[opacity:0.4]" {
		t.Errorf("the partial month's bar should be lighter: %#v", cs[3].Series[0].Last)
	}
	if a := cs[5].Axes; len(a) != 1 || a[0].Labels[3] != "$3.4M" || a[0].Labels[2] != "$25K" {
		t.Errorf("an en currency axis should read $25K, $3.4M: %+v", a)
	}

	// Provinces: all 31 labelled.
	for _, p := range provs {
		if ok, _, _, _, _ := cs[4].drawn(p); !ok {
			t.Errorf("province %s is not labelled (chart %d px high)", p, cs[4].Height)
		}
	}

	// A phone: the pie of the eight segments shows every name whole.
	ctx = serveCharts(t, []map[string]any{{"kind": "pie", "x": segs,
		"y": []map[string]any{{"name": "销售额", "data": []float64{3283011, 490066, 445403, 97416, 167634, 48078, 449617, 331693}}}}}, 360, 390)
	if res, err = chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](glanceJS)); err != nil {
		t.Fatal(err)
	}
	cs = nil
	if err := json.Unmarshal(res, &cs); err != nil || len(cs) != 1 {
		t.Fatalf("%v: %s", err, res)
	}
	for _, s := range segs {
		if ok, x, _, w, _ := cs[0].drawn(s); !ok || x < 0 || x+w > float64(cs[0].Width) {
			t.Errorf("on a phone the pie label %s is cut off: %+v", s, cs[0].Texts)
		}
	}
}
