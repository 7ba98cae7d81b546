package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	kexihttp "github.com/kexi/kexi/http"
)

// TestWaterfallChart draws a "waterfall" spec (revenue 100, costs −30 and −20, profit 50)
// with kexi.js and checks it is a stack of a transparent base and the visible steps: the
// cost of 30 floats from 70 to 100, the cost of 20 from 50 to 70, the totals stand on zero.
func TestWaterfallChart(t *testing.T) {
	browser := needChromium(t)
	spec := `{"key":"w","kind":"waterfall","lang":"en","x":["revenue","cost","shipping","profit"],"y":[{"name":"amount","data":[100,-30,-20,50]}]}`
	page := fmt.Sprintf(`<!doctype html><html><head><meta charset=utf-8></head><body>
<div data-chart='%s' style="width:500px;height:300px"></div>
<script src="/assets/vendor/echarts.min.js"></script><script src="/assets/kexi.js"></script></body></html>`, spec)
	st, err := openStore(context.Background(), &Env{Getenv: importEnv}, filepath.Join(t.TempDir(), "kexi.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	mux := http.NewServeMux()
	mux.Handle("/assets/", kexihttp.NewServer(kexihttp.Config{Store: st}))
	mux.HandleFunc("/w", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(page))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	bctx := newBrowser(t, browser, 0, 0)
	ctx, cancelT := context.WithTimeout(bctx, time.Minute)
	defer cancelT()
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/w"),
		chromedp.WaitVisible(chromedp.CSS(`body[data-charts-ready="1"]`))); err != nil {
		t.Fatal(err)
	}
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
