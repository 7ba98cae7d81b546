package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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

// findChromium returns the headless browser to drive, or "" when there is none.
func findChromium() string {
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
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

// TestBrowser drives headless Chromium through kexi: sign in, import a file, open the
// dashboard and every analysis page in both languages, check that every chart drew and the
// console stayed clean, and save screenshots to $KEXI_TESTOUT (default $TMPDIR/kexi-e2e).
func TestBrowser(t *testing.T) {
	browser := findChromium()
	if browser == "" {
		if os.Getenv("KEXI_REQUIRE_BROWSER") == "1" {
			t.Fatal("KEXI_REQUIRE_BROWSER=1 but no chromium is installed (apt-get install chromium)")
		}
		t.Skip("no chromium found: skipping the browser test (set KEXI_REQUIRE_BROWSER=1 to make this fail)")
	}
	out := os.Getenv("KEXI_TESTOUT")
	if out == "" {
		out = filepath.Join(os.TempDir(), "kexi-e2e")
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}

	// A demo database with an administrator.
	dir := t.TempDir()
	db := filepath.Join(dir, "kexi.db")
	if code, _, errOut := runCmd(nil, "", "demo", "--no-serve", "--db", db, "--customers", "400"); code != 0 {
		t.Fatalf("demo: %d %s", code, errOut)
	}
	if code, _, errOut := runCmd(nil, "browser-pass-1\n", "users", "add", "--db", db, "--login", "admin", "--role", "admin", "--password-stdin"); code != 0 {
		t.Fatalf("users add: %d %s", code, errOut)
	}
	upload := filepath.Join(dir, "new-customers.csv")
	csv := "external_id,name,province,city,channel\nE2E-1,端到端客户甲,浙江,杭州,wechat\nE2E-2,E2E Customer Two,江苏,南京,search_ads\n"
	if err := os.WriteFile(upload, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startServe(t, nil, "--db", db)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.WindowSize(1400, 1000))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()

	var mu sync.Mutex
	var problems []string
	// Listen starts the browser; its context must have no timeout.
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
	full := map[string]bool{"dashboard": true, "rfm": true, "pyramid": true, "lifecycle": true, "import": true}
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
	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Errorf("browser console: %s", p)
	}
	t.Logf("screenshots in %s", out)
}

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
