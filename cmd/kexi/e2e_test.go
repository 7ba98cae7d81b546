package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/kexi/kexi/analysis/all"
)

// needChromium returns the headless browser to drive. Without one the test is skipped, or
// fails when KEXI_REQUIRE_BROWSER=1 (as .ci/run sets it).
func needChromium(t *testing.T) string {
	t.Helper()
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	if os.Getenv("KEXI_REQUIRE_BROWSER") == "1" {
		t.Fatal("KEXI_REQUIRE_BROWSER=1 but no chromium is installed (apt-get install chromium)")
	}
	t.Skip("no chromium found: skipping the browser test (set KEXI_REQUIRE_BROWSER=1 to make this fail)")
	return ""
}

// testOut returns the folder the browser tests keep their screenshots in: $KEXI_TESTOUT, or
// kexi-e2e in the temporary directory.
func testOut(t *testing.T) string {
	t.Helper()
	out := os.Getenv("KEXI_TESTOUT")
	if out == "" {
		out = filepath.Join(os.TempDir(), "kexi-e2e")
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	return out
}

// newBrowser returns the context of a headless Chromium with the flags this machine needs and
// a window of w×h (0, 0: Chromium's default). The browser starts on the first action or
// Listen on it, and is closed when the test ends.
func newBrowser(t *testing.T, browser string, w, h int) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true))
	if w > 0 && h > 0 {
		opts = append(opts, chromedp.WindowSize(w, h))
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelA() })
	return bctx
}

// chartCheck is what the page says about one chart.
type chartCheck struct {
	Key    string `json:"key"`
	Kind   string `json:"kind"`
	Canvas bool   `json:"canvas"`
	Inked  int    `json:"inked"` // sampled non-transparent pixels
}

// chartsJS inspects every chart of the page: its canvas and how much of it is drawn.
const chartsJS = `[...document.querySelectorAll('[data-chart]')].map(el => {
  const spec = JSON.parse(el.getAttribute('data-chart'));
  const c = el.querySelector('canvas');
  let inked = 0;
  if (c && c.width && c.height) {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < d.length; i += 4 * 7) { if (d[i] > 0) inked++; }
  }
  return {key: spec.key, kind: spec.kind, canvas: !!c, inked: inked};
})`

// watchConsole starts the browser of bctx listening for page exceptions, console errors and
// warnings, and log entries (once the log domain is enabled), and returns the function that
// reports each of them as a test error. Listen starts the browser; bctx must have no timeout.
func watchConsole(t *testing.T, bctx context.Context) func() {
	t.Helper()
	var mu sync.Mutex
	var problems []string
	err := chromedp.Listen(bctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			d := e.ExceptionDetails
			desc := d.Text
			if d.Exception != nil {
				desc += " " + d.Exception.Description
			}
			problems = append(problems, fmt.Sprintf("exception: %s at %s:%d", desc, d.URL, d.LineNumber))
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning {
				var args []string
				for _, a := range e.Args {
					args = append(args, string(a.Value)+a.Description)
				}
				problems = append(problems, fmt.Sprintf("console.%s: %s", e.Type, strings.Join(args, " ")))
			}
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError || e.Entry.Level == cdplog.EntryLevelWarning {
				problems = append(problems, fmt.Sprintf("log %s: %s %s", e.Entry.Level, e.Entry.Text, e.Entry.URL))
			}
		}
	})
	if err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return func() {
		t.Helper()
		mu.Lock()
		defer mu.Unlock()
		for _, p := range problems {
			t.Errorf("browser console: %s", p)
		}
	}
}

// TestBrowser drives headless Chromium through kexi: sign in, import a file, open the
// dashboard and every analysis page in both languages, check that every chart drew and the
// console stayed clean, and save screenshots to $KEXI_TESTOUT (default $TMPDIR/kexi-e2e).
func TestBrowser(t *testing.T) {
	browser := needChromium(t)
	out := testOut(t)

	// A demo database with an administrator.
	dir := t.TempDir()
	db := demoDB(t, dir, "--customers", "400")
	addUser(t, nil, db, "admin", "admin", "browser-pass-1")
	// A sales user who owns some of the demo's customers.
	addUser(t, nil, db, "zhang.wei", "sales", "browser-pass-2")
	upload := filepath.Join(dir, "new-customers.csv")
	csv := "external_id,name,province,city,channel\nE2E-1,端到端客户甲,浙江,杭州,wechat\nE2E-2,E2E Customer Two,江苏,南京,search_ads\n"
	if err := os.WriteFile(upload, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, nil, "--db", db)

	bctx := newBrowser(t, browser, 1400, 1000)

	consoleProblems := watchConsole(t, bctx)
	ctx, cancelT := context.WithTimeout(bctx, 6*time.Minute) // a guard, not a measure: the machine may be busy
	defer cancelT()
	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	// Whole pages for the dashboard and three analyses (the ones to look at); the visible
	// part for the rest, which keeps the test fast.
	full := map[string]bool{"dashboard": true, "rfm": true, "pyramid": true, "lifecycle": true, "import": true, "satisfaction": true, "behaviour": true}
	shot := func(name string) {
		t.Helper()
		shoot := chromedp.CaptureScreenshot()
		if full[strings.Split(name, "-")[0]] {
			shoot = chromedp.FullScreenshot(100)
		}
		png, err := chromedp.Run(ctx, shoot)
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(out, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	eval := func(js string, v any) {
		t.Helper()
		res, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](js))
		if err != nil {
			t.Fatalf("evaluate: %v", err)
		}
		if err := json.Unmarshal(res, v); err != nil {
			t.Fatalf("evaluate result %s: %v", res, err)
		}
	}
	// checkPage waits for the charts, then asserts each drew and there is no error box.
	checkPage := func(name string, minCharts int) {
		t.Helper()
		do("charts of "+name, chromedp.WaitVisible(chromedp.CSS(`body[data-charts-ready="1"]`)))
		var checks []chartCheck
		var errBox string
		eval(chartsJS, &checks)
		eval(`(document.querySelector('.error') || {}).innerText || ''`, &errBox)
		if errBox != "" {
			t.Errorf("%s shows an error: %s", name, errBox)
		}
		if len(checks) < minCharts {
			t.Errorf("%s: %d charts, want at least %d", name, len(checks), minCharts)
		}
		for _, c := range checks {
			if !c.Canvas || c.Inked == 0 {
				t.Errorf("%s: chart %s (%s) did not draw: %+v", name, c.Key, c.Kind, c)
			}
		}
		shot(name)
	}
	enable := func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		if _, err := cdp.Call(ctx, tg, cdplog.Enable, cdp.Empty{}); err != nil {
			return chromedp.Void{}, err
		}
		_, err := cdp.Call(ctx, tg, runtime.Enable, cdp.Empty{})
		return chromedp.Void{}, err
	}
	do("enable logs", enable)

	// Sign in.
	do("sign in",
		chromedp.Navigate(s.url+"/"),
		chromedp.WaitVisible(chromedp.ID("login")),
		chromedp.SendKeys(chromedp.ID("login"), "admin"),
		chromedp.SendKeys(chromedp.ID("password"), "browser-pass-1"),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.CSS(".figures")))

	// Import a file through the upload form and wait for the job to finish.
	do("import",
		chromedp.Navigate(s.url+"/import"),
		chromedp.WaitVisible(chromedp.ID("import-file")),
		chromedp.SetUploadFiles(chromedp.ID("import-file"), []string{upload}),
		chromedp.SetValue(chromedp.ID("import-kind"), "customers"),
		chromedp.Click(chromedp.ID("import-submit")),
		chromedp.WaitVisible(chromedp.ID("job-preview")))
	shot("import-preview")
	do("confirm the import",
		chromedp.Click(chromedp.ID("confirm-import")),
		chromedp.WaitVisible(chromedp.ID("job-done")))
	shot("import-done")
	// The real Online Retail file, when the data sets are here: the picker takes .csv.gz, the
	// preview groups the rows without a customer id; cancelled, nothing is imported.
	if retail := retailFile(); retail != "" {
		do("preview Online Retail",
			chromedp.Navigate(s.url+"/lang?to=zh&next=/import"),
			chromedp.WaitVisible(chromedp.ID("import-file")),
			chromedp.SetUploadFiles(chromedp.ID("import-file"), []string{retail}),
			chromedp.Click(chromedp.ID("import-submit")),
			chromedp.WaitVisible(chromedp.ID("job-preview")))
		shot("import-preview-online-retail")
		pv, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("preview-problems")))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(pv, "135,080 行（24.9%）没有客户编号") || !strings.Contains(pv, "作为匿名订单导入") {
			t.Errorf("Online Retail preview: %q", pv)
		}
		do("cancel Online Retail",
			chromedp.Click(chromedp.ID("cancel-import")),
			chromedp.WaitVisible(chromedp.ID("import-file")),
			chromedp.Navigate(s.url+"/lang?to=en&next=/import"))
	}
	do("imported customer listed", chromedp.Navigate(s.url+"/customers?q=E2E"))
	list, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("list")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(list, "E2E Customer Two") {
		t.Errorf("imported customer not in the list: %q", list)
	}
	// The filter builder: name contains "E2E" and city = 南京 leaves only the second one.
	do("filter by the form",
		chromedp.Navigate(s.url+"/customers"),
		chromedp.SetValue(chromedp.CSS("#conds .cond:last-child .cf"), "name"),
		chromedp.SetValue(chromedp.CSS("#conds .cond:last-child .co"), "contains"),
		chromedp.SetValue(chromedp.CSS("#conds .cond:last-child .cv"), "E2E"),
		chromedp.Click(chromedp.ID("add-cond")),
		chromedp.SetValue(chromedp.CSS("#conds .cond:last-child .cf"), "city"),
		chromedp.SetValue(chromedp.CSS("#conds .cond:last-child .co"), "eq"),
		chromedp.SetValue(chromedp.CSS("#conds .cond:last-child .cv"), "南京"),
		chromedp.Click(chromedp.CSS(`#filter-form button[type="submit"]`)),
		// The answer lists the two conditions and an empty row: three rows.
		chromedp.WaitVisible(chromedp.CSS(`#conds .cond:nth-child(3)`)))
	list, err = chromedp.Run(ctx, chromedp.Text(chromedp.ID("list")))
	if err != nil {
		t.Fatal(err)
	}
	count, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("list-count")))
	if !strings.Contains(list, "E2E Customer Two") || strings.Contains(list, "端到端客户甲") || !strings.Contains(count, "1–1") {
		t.Errorf("filtered list: %q (%s)", list, count)
	}

	for _, lang := range []string{"en", "zh"} {
		do("switch to "+lang, chromedp.Navigate(s.url+"/lang?to="+lang+"&next=/"))
		title, err := chromedp.Run(ctx, chromedp.Title())
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"en": "Dashboard", "zh": "仪表盘"}[lang]
		if !strings.HasPrefix(title, want) {
			t.Errorf("%s dashboard title %q", lang, title)
		}
		checkPage("dashboard-"+lang, 2)
		for _, a := range all.List() {
			name := a.Info().Name
			path := "/analyses/" + name
			for _, o := range a.Info().Options {
				if o.Key == "customer" {
					path += "?customer=1" // the portrait of one customer
				}
			}
			do("open "+name, chromedp.Navigate(s.url+path))
			checkPage(name+"-"+lang, 0)
		}
		do("customers", chromedp.Navigate(s.url+"/customers"))
		checkPage("customers-"+lang, 0)
		do("portrait", chromedp.Navigate(s.url+"/customers/1"))
		checkPage("portrait-"+lang, 0)
	}

	// Drill-down (issue #19): a click on a chart element opens the customer table holding
	// exactly the customers the element counts. The page is in Chinese now.
	drill := func(shotName, page, chart, pick string) (want, total int) {
		t.Helper()
		do("open "+page, chromedp.Navigate(s.url+page),
			chromedp.WaitVisible(chromedp.CSS(`body[data-charts-ready="1"]`)))
		var el struct {
			X, Y, Want float64
			Name       string
			Link       string
		}
		eval(fmt.Sprintf(drillJS, chart, pick), &el)
		if el.Link == "" {
			t.Fatalf("%s: chart %s has no drill-down element %q: %+v", page, chart, pick, el)
		}
		do("click "+el.Name, chromedp.MouseClickXY(el.X, el.Y),
			chromedp.WaitVisible(chromedp.CSS(`#chips`)))
		var got string
		eval(`document.getElementById('list-count').getAttribute('data-total')`, &got)
		total, _ = strconv.Atoi(got)
		if total != int(el.Want) || total == 0 {
			t.Errorf("%s: clicked %s (%v customers) and the list holds %d", page, el.Name, el.Want, total)
		}
		shot(shotName)
		return int(el.Want), total
	}
	drill("drill-rfm", "/analyses/rfm", "segment_customers", "重要挽留客户")
	drill("drill-pyramid", "/analyses/pyramid", "pyramid", "VIP")
	drill("drill-churn", "/analyses/churn", "risk_bands", "高")
	// A cohort heat-map cell: the first cohort's month +1, whose number is a share; the list
	// holds the active customers its cohort-table row counts.
	do("open loyalty", chromedp.Navigate(s.url+"/analyses/loyalty"),
		chromedp.WaitVisible(chromedp.CSS(`body[data-charts-ready="1"]`)))
	var cell struct {
		X, Y       float64
		Name, Link string
		Rows       [][]string
	}
	eval(fmt.Sprintf(cellDrillJS, "cohort_retention", 0, 1, "cohorts"), &cell)
	want := -1
	for _, r := range cell.Rows {
		if len(r) > 3 && r[0]+" +"+r[1] == cell.Name {
			want, _ = strconv.Atoi(strings.ReplaceAll(r[3], ",", ""))
		}
	}
	if cell.Link == "" || want < 0 {
		t.Fatalf("loyalty: no drill-down cell or cohort row: %+v", cell)
	}
	do("click cohort "+cell.Name, chromedp.MouseClickXY(cell.X, cell.Y), chromedp.WaitVisible(chromedp.CSS(`#chips`)))
	var got struct {
		Total string   `json:"total"`
		Chips []string `json:"chips"`
	}
	eval(`({ total: document.getElementById('list-count').getAttribute('data-total'),
	  chips: Array.prototype.map.call(document.querySelectorAll('#chips .chip'), function (e) { return e.innerText.trim(); }) })`, &got)
	if got.Total != strconv.Itoa(want) || len(got.Chips) != 2 || !strings.Contains(got.Chips[1], "获客后活跃月份 = +1") {
		t.Errorf("cohort %s: %d active, the list %+v", cell.Name, want, got)
	}
	shot("drill-cohort")
	// The risk list is ready to act on: high risk in red, reasons both ways.
	do("churn risk list", chromedp.Navigate(s.url+"/analyses/churn"),
		chromedp.WaitVisible(chromedp.CSS(`#t-risk td.risk-high`)),
		chromedp.ScrollIntoView(chromedp.CSS(`#t-risk`)))
	var risk string
	eval(`document.getElementById('t-risk').innerText`, &risk)
	if !strings.Contains(risk, "↑风险") || !strings.Contains(risk, "↓风险") || !strings.Contains(risk, "风险价值") {
		t.Errorf("churn risk list lacks reasons or value at risk: %.500s", risk)
	}
	shot("drill-churn-risk")

	// A sales user's drill-down holds only their customers.
	do("sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.ID("login")))
	do("sign in as sales",
		chromedp.SendKeys(chromedp.ID("login"), "zhang.wei"),
		chromedp.SendKeys(chromedp.ID("password"), "browser-pass-2"),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.CSS(".figures")))
	if _, total := drill("drill-rfm-sales", "/analyses/rfm", "segment_customers", ""); total > 0 {
		var owners []string
		eval(`(function () {
		  var i = Array.prototype.findIndex.call(document.querySelectorAll('#list thead th'), function (th) { return th.getAttribute('data-key') === 'owner'; });
		  return Array.prototype.map.call(document.querySelectorAll('#list tbody tr'), function (tr) { return tr.children[i].innerText.trim(); });
		})()`, &owners)
		if len(owners) == 0 {
			t.Error("sales drill-down: no owner column")
		}
		for _, o := range owners {
			if o != "zhang.wei" {
				t.Errorf("sales drill-down holds a customer of %q", o)
			}
		}
	}

	consoleProblems()
	t.Logf("screenshots in %s", out)
}

// drillJS finds element pick (the first whose category starts with it; "" = the first with
// customers) of the chart whose key is %[1]q, scrolls it into view and returns where to click
// it, its category, its number and its drill-down link.
const drillJS = `(function (key, pick) {
  var el = Array.prototype.find.call(document.querySelectorAll('[data-chart]'), function (e) {
    return JSON.parse(e.getAttribute('data-chart')).key === key; });
  if (!el) { return {}; }
  el.scrollIntoView({ block: 'center' });
  var spec = JSON.parse(el.getAttribute('data-chart')), ys = spec.y[0].data;
  var i = (spec.x || []).findIndex(function (x, j) { return ys[j] > 0 && spec.drill[j] && x.indexOf(pick) === 0; });
  if (i < 0) { return {}; }
  var chart = echarts.getInstanceByDom(el), pt;
  var lay = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(i);
  if (spec.kind === 'pie') {
    var a = (lay.startAngle + lay.endAngle) / 2, r = (lay.r0 + lay.r) / 2;
    pt = [lay.cx + r * Math.cos(a), lay.cy + r * Math.sin(a)];
  } else if (lay && lay.points) {
    pt = [0, 0];
    lay.points.forEach(function (p) { pt[0] += p[0] / lay.points.length; pt[1] += p[1] / lay.points.length; });
  } else {
    pt = chart.convertToPixel({ seriesIndex: 0 }, [i, ys[i] / 2]);
  }
  var rect = el.getBoundingClientRect();
  return { X: rect.left + pt[0], Y: rect.top + pt[1], Want: ys[i], Name: spec.x[i], Link: spec.drill[i] };
})(%[1]q, %[2]q)`

// cellDrillJS finds the cell (x %[2]d, y %[3]d) of the heat map whose key is %[1]q, scrolls it
// into view and returns where to click it, its name ("2024-01 +1"), its drill-down link and
// the cells of the rows of the table %[4]q.
const cellDrillJS = `(function (key, xi, yi, table) {
  var el = Array.prototype.find.call(document.querySelectorAll('[data-chart]'), function (e) {
    return JSON.parse(e.getAttribute('data-chart')).key === key; });
  if (!el) { return {}; }
  el.scrollIntoView({ block: 'center' });
  var spec = JSON.parse(el.getAttribute('data-chart'));
  var i = (spec.cells || []).findIndex(function (c) { return c[0] === xi && c[1] === yi; });
  if (i < 0) { return {}; }
  var pt = echarts.getInstanceByDom(el).convertToPixel({ seriesIndex: 0 }, [xi, yi]);
  var rect = el.getBoundingClientRect();
  var rows = Array.prototype.map.call(document.querySelectorAll('#t-' + table + ' tbody tr'), function (tr) {
    return Array.prototype.map.call(tr.children, function (td) { return td.innerText.trim(); }); });
  return { X: rect.left + pt[0], Y: rect.top + pt[1], Name: spec.x[xi] + ' ' + spec.y_cats[yi], Link: spec.drill[i], Rows: rows };
})(%[1]q, %[2]d, %[3]d, %[4]q)`

// retailFile is the Online Retail file of the shared data sets ($KEXI_DATA or ../shared/data),
// or "" when it is not here.
func retailFile() string {
	dir := os.Getenv("KEXI_DATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "data")
	}
	p, err := filepath.Abs(filepath.Join(dir, "online-retail", "online_retail.csv.gz")) // the browser has another working directory
	if err != nil {
		return ""
	}
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}
