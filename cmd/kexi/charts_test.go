package main

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
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
	browser := needChromium(t)
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
	var page strings.Builder
	page.WriteString("<!doctype html><html><head><meta charset=utf-8></head><body>\n")
	for i, s := range specs {
		s["key"], s["lang"] = fmt.Sprint("c", i), "en"
		b, _ := json.Marshal(s)
		fmt.Fprintf(&page, "<div data-chart=\"%s\" style=\"width:500px;height:300px\"></div>\n", html.EscapeString(string(b)))
	}
	page.WriteString(`<script src="/assets/vendor/echarts.min.js"></script><script src="/assets/kexi.js"></script></body></html>`)
	st, err := openStore(context.Background(), &Env{Getenv: importEnv}, filepath.Join(t.TempDir(), "kexi.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	assets := kexihttp.NewServer(kexihttp.Config{Store: st})
	mux := http.NewServeMux()
	mux.Handle("/assets/", assets)
	mux.HandleFunc("/charts", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(page.String()))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	bctx := newBrowser(t, browser, 1200, 1000)
	ctx, cancelT := context.WithTimeout(bctx, time.Minute)
	defer cancelT()
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/charts"),
		chromedp.WaitVisible(chromedp.CSS(`body[data-charts-ready="1"]`))); err != nil {
		t.Fatal(err)
	}
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
