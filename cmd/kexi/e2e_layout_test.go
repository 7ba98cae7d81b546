package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// layoutCheck is what a page says about its layout.
type layoutCheck struct {
	Overflow int    `json:"overflow"` // page width beyond the viewport, px
	NavShown bool   `json:"navShown"`
	MenuBtn  bool   `json:"menuBtn"`
	Header   int    `json:"header"`  // header height, px
	Figures  int    `json:"figures"` // bottom of the first figures block, px from the top; 0 if none
	Skip     string `json:"skip"`    // the first link's target
	Charts   []struct {
		Role    string `json:"role"`
		Label   string `json:"label"`
		Summary string `json:"summary"`
	} `json:"charts"`
	Wide   []string `json:"wide"`   // elements wider than the viewport outside a scroll box
	Height int      `json:"height"` // the page's height, px
}

// layoutJS measures the page against the width the test set: a mobile browser widens its
// layout viewport to fit content that overflows, so the page's own width cannot tell.
const layoutJS = `((vw) => {
  const vis = el => !!el && getComputedStyle(el).display !== 'none' && el.getBoundingClientRect().height > 0;
  const fig = document.querySelector('.figures');
  const first = document.querySelector('a');
  const wide = [...document.querySelectorAll('main *')].filter(el => {
    if (el.closest('.scroll') || el.closest('.chart')) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.right > vw + 1;
  }).slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
  return {
    overflow: Math.max(document.documentElement.scrollWidth, window.innerWidth) - vw,
    navShown: vis(document.querySelector('header.top nav')),
    menuBtn: vis(document.querySelector('.menu-btn')),
    header: Math.round(document.querySelector('header.top').getBoundingClientRect().height),
    figures: fig ? Math.round(fig.getBoundingClientRect().bottom + window.scrollY) : 0,
    skip: first ? first.getAttribute('href') + (first.classList.contains('skip') ? '' : ' (not the skip link)') : '',
    charts: [...document.querySelectorAll('[data-chart]')].map(el => {
      const d = document.getElementById(el.getAttribute('aria-describedby') || '');
      return {role: el.getAttribute('role') || '', label: el.getAttribute('aria-label') || '', summary: d ? d.textContent : ''};
    }),
    wide: wide,
    height: document.documentElement.scrollHeight,
  };
})(%d)`

// TestBrowserLayout opens the dashboard, a few analyses, the customer list and the users page
// in Chinese and English at desktop (1440×900) and phone (390×844) widths: no page is wider
// than the screen (wide tables scroll inside their box), the phone menu is one button that
// opens, the dashboard's figures fit the first phone screen, every chart has a name and a
// text summary, the first link skips to the content, and print leaves out the menu. On the
// dashboard and the RFM page it picks "last 90 days": the URL, the header and the change
// badges of the headline figures show it.
// Screenshots go to $KEXI_TESTOUT (default $TMPDIR/kexi-e2e) as desktop-… and phone-….
func TestBrowserLayout(t *testing.T) {
	browser := needChromium(t)
	out := testOut(t)
	db := demoDB(t, t.TempDir(), "--customers", "400")
	addUser(t, nil, db, "admin", "admin", "layout-pass-1")
	s := startServe(t, nil, "--db", db)

	bctx := newBrowser(t, browser, 1440, 900)
	consoleProblems := watchConsole(t, bctx)
	ctx, cancelT := context.WithTimeout(bctx, 3*time.Minute)
	defer cancelT()
	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	cdpDo := func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, tg, runtime.Enable, cdp.Empty{})
		return chromedp.Void{}, err
	}
	do("enable runtime", cdpDo)
	media := func(m string) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m})
			return chromedp.Void{}, err
		}
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(out, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	check := func(width int64) layoutCheck {
		t.Helper()
		res, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](fmt.Sprintf(layoutJS, width)))
		if err != nil {
			t.Fatalf("evaluate: %v", err)
		}
		var c layoutCheck
		if err := json.Unmarshal(res, &c); err != nil {
			t.Fatalf("layout %s: %v", res, err)
		}
		return c
	}

	do("sign in",
		chromedp.Navigate(s.url+"/"),
		chromedp.WaitVisible(chromedp.ID("login")),
		chromedp.SendKeys(chromedp.ID("login"), "admin"),
		chromedp.SendKeys(chromedp.ID("password"), "layout-pass-1"),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.CSS(".figures")))

	pages := []struct{ name, path string }{
		{"dashboard", "/"}, {"analyses", "/analyses"}, {"rfm", "/analyses/rfm"}, {"pyramid", "/analyses/pyramid"},
		{"basket", "/analyses/basket"}, {"customers", "/customers"}, {"users", "/users"},
		{"portrait", "/customers/1?from=" + url.QueryEscape("/customers?f=province:eq:广东")}, {"settings", "/settings"},
	}
	for _, size := range []struct {
		name  string
		w, h  int64
		phone bool
	}{{"desktop", 1440, 900, false}, {"phone", 390, 844, true}} {
		if size.phone {
			do("phone viewport", chromedp.EmulateViewport(size.w, size.h, chromedp.EmulateMobile, chromedp.EmulateTouch))
		} else {
			do("desktop viewport", chromedp.EmulateViewport(size.w, size.h))
		}
		for _, lang := range []string{"zh", "en"} {
			do("switch to "+lang, chromedp.Navigate(s.url+"/lang?to="+lang+"&next=/"))
			for _, p := range pages {
				name := size.name + "-" + p.name + "-" + lang
				do("open "+name, chromedp.Navigate(s.url+p.path),
					chromedp.WaitVisible(chromedp.CSS(`body[data-charts-ready="1"]`)))
				c := check(size.w)
				if c.Overflow > 0 || len(c.Wide) > 0 {
					t.Errorf("%s: the page is %dpx wider than the screen; too wide: %v", name, c.Overflow, c.Wide)
				}
				if c.Skip != "#main" {
					t.Errorf("%s: the first link goes to %q, want the skip link to #main", name, c.Skip)
				}
				if size.phone && (c.NavShown || !c.MenuBtn || c.Header > 60) {
					t.Errorf("%s: on a phone the menu should be one button in a one-row header: %+v", name, c)
				}
				if !size.phone && (!c.NavShown || c.MenuBtn) {
					t.Errorf("%s: on a desktop the menu should show in full: %+v", name, c)
				}
				if p.name == "dashboard" {
					t.Logf("%s: header %dpx high, figures end at %dpx", name, c.Header, c.Figures)
				}
				if p.name == "portrait" {
					// The portrait was a 6,700 px list on a phone (issue #20 §5): now a page
					// of about three screens, its older timeline folded away.
					t.Logf("%s: %dpx high", name, c.Height)
					if size.phone && c.Height > 4*int(size.h) {
						t.Errorf("%s: the portrait is %dpx high on a phone, want at most %dpx", name, c.Height, 4*size.h)
					}
				}
				if size.phone && p.name == "dashboard" && c.Figures > int(size.h) {
					t.Errorf("%s: the dashboard's figures end at %dpx, below the first screen (%dpx)", name, c.Figures, size.h)
				}
				for _, ch := range c.Charts {
					if ch.Role != "img" || ch.Label == "" || !strings.HasPrefix(ch.Summary, ch.Label) || len(ch.Summary) <= len(ch.Label)+2 {
						t.Errorf("%s: chart without a name or a text summary: %+v", name, ch)
					}
				}
				shot(name)
			}
			// The period picker: choose "last 90 days" on the dashboard and on an analysis;
			// the page comes back with the period in its URL and header, and its headline
			// figures show their change against the 90 days before.
			for _, pg := range []string{"/", "/analyses/rfm"} {
				name := size.name + "-period-" + strings.Trim(strings.ReplaceAll(pg, "/", "-"), "-")
				if pg == "/" {
					name += "dashboard"
				}
				name += "-" + lang
				do("open "+name, chromedp.Navigate(s.url+pg), chromedp.WaitVisible(chromedp.CSS(`body[data-charts-ready="1"]`)))
				if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const s = document.getElementById('period-select'); s.value = '90d'; s.dispatchEvent(new Event('change')); return true; })()`)); err != nil {
					t.Fatalf("pick the last 90 days on %s: %v", name, err)
				}
				do("wait for the last 90 days on "+name,
					chromedp.WaitReady(chromedp.CSS(`#period-select option[value="90d"][selected]`)),
					chromedp.WaitVisible(chromedp.CSS(`body[data-charts-ready="1"]`)))
				res, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](`({
  url: location.pathname + location.search,
  line: document.getElementById('period-line').textContent.replace(/\s+/g, ' ').trim(),
  badges: [...document.querySelectorAll('.figure .chg')].map(e => ({cls: e.className, text: e.firstChild.textContent, title: e.title})),
})`))
				var got struct {
					URL    string `json:"url"`
					Line   string `json:"line"`
					Badges []struct{ Cls, Text, Title string }
				}
				if err == nil {
					err = json.Unmarshal(res, &got)
				}
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				label, vs, prev := "Last 90 days: ", "compared with ", "Previous period ("
				if lang == "zh" {
					label, vs, prev = "最近 90 天：", "对比 ", "上期（"
				}
				if !strings.Contains(got.URL, "period=90d") || !strings.HasPrefix(got.Line, label) || !strings.Contains(got.Line, vs) {
					t.Errorf("%s: at %s the header says %q; want period=90d in the URL and %q… %q…", name, got.URL, got.Line, label, vs)
				}
				coloured := 0
				for _, b := range got.Badges {
					if !strings.HasPrefix(b.Title, prev) || !(strings.HasPrefix(b.Text, "▲ +") || strings.HasPrefix(b.Text, "▼ −") || strings.HasPrefix(b.Text, "± ")) {
						t.Errorf("%s: change badge %+v; want ▲/▼/± and a title with the previous value", name, b)
					}
					if strings.Contains(b.Cls, "good") || strings.Contains(b.Cls, "bad") {
						coloured++
					}
				}
				if coloured == 0 {
					t.Errorf("%s: no green or red change badge among %+v", name, got.Badges)
				}
				t.Logf("%s: %s; %d badges, first %+v", name, got.Line, len(got.Badges), got.Badges[0])
				if c := check(size.w); c.Overflow > 0 || len(c.Wide) > 0 {
					t.Errorf("%s: the page is %dpx wider than the screen; too wide: %v", name, c.Overflow, c.Wide)
				} else if size.phone && pg == "/" && c.Figures > int(size.h) {
					t.Errorf("%s: the dashboard's figures end at %dpx, below the first screen (%dpx)", name, c.Figures, size.h)
				}
				shot(name)
			}
			// A custom range: choosing it shows the two dates, Apply keeps them in the URL. The
			// 90 days of 2026-01-01..03-31 compare with the 90 before: 2025-10-03..12-31.
			if !size.phone {
				name := size.name + "-period-custom-" + lang
				do("open "+name, chromedp.Navigate(s.url+"/"), chromedp.WaitVisible(chromedp.CSS(`body[data-charts-ready="1"]`)))
				if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const s = document.getElementById('period-select'); s.value = 'custom'; s.dispatchEvent(new Event('change')); return true; })()`)); err != nil {
					t.Fatalf("choose a custom range: %v", err)
				}
				do("fill in the custom range", chromedp.WaitVisible(chromedp.CSS(`#period-form input[name="from"]`)),
					chromedp.SetValue(chromedp.CSS(`#period-form input[name="from"]`), "2026-01-01"),
					chromedp.SetValue(chromedp.CSS(`#period-form input[name="to"]`), "2026-03-31"),
					chromedp.Click(chromedp.ID("period-apply")),
					chromedp.WaitReady(chromedp.CSS(`#period-select option[value="custom"][selected]`)),
					chromedp.WaitVisible(chromedp.CSS(`body[data-charts-ready="1"]`)))
				res, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[location.search, document.getElementById('period-line').textContent.replace(/\s+/g, ' ').trim()]`))
				want := map[string]string{"zh": "自定义时间：2026年1月1日 – 2026年3月31日 · 对比 2025年10月3日 – 2025年12月31日", "en": "Custom range: 1 Jan 2026 – 31 Mar 2026 · compared with 3 Oct 2025 – 31 Dec 2025"}[lang]
				if err != nil || len(res) != 2 || !strings.Contains(res[0], "from=2026-01-01") || !strings.Contains(res[0], "to=2026-03-31") || !strings.HasPrefix(res[1], want) {
					t.Errorf("%s: %q (%v); want from and to in the URL and %q", name, res, err, want)
				}
				shot(name)
			}
			if size.phone {
				// The menu button opens the menu.
				do("open the menu", chromedp.Navigate(s.url+"/"), chromedp.Click(chromedp.CSS(".menu-btn")),
					chromedp.WaitVisible(chromedp.CSS(`header.top nav a[href="/analyses"]`)))
				shot(size.name + "-menu-" + lang)
				// And the keyboard: Tab reaches the toggle (the skip link comes first), Space opens.
				do("menu by keyboard", chromedp.Navigate(s.url+"/"), chromedp.WaitVisible(chromedp.CSS(".menu-btn")),
					chromedp.KeyEvent("\t"), chromedp.KeyEvent("\t"), chromedp.KeyEvent("\t"))
				if id, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id`)); err != nil || id != "menu-toggle" {
					t.Fatalf("%s: the third Tab reaches %q, want the menu toggle (%v)", lang, id, err)
				}
				do("open the menu by Space", chromedp.KeyEvent(" "),
					chromedp.WaitVisible(chromedp.CSS(`header.top nav a[href="/analyses"]`)))
			}
		}
	}
	// Print: the content without the menu, the analysis options or the pager; each chart
	// whole inside its box, above its summary.
	do("print view", media("print"), chromedp.EmulateViewport(680, 1000), // A4 less 1.5 cm margins, at 96 dpi
		chromedp.Navigate(s.url+"/analyses/rfm"), chromedp.WaitVisible(chromedp.CSS(`body[data-charts-ready="1"]`)))
	var printed struct {
		Hidden bool `json:"hidden"`
		Charts []struct {
			W, H, BoxW, BoxH int // the canvas's right and bottom edges; the box's width and its summary's top
		} `json:"charts"`
	}
	res, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](`({
  hidden: ['header.top', '.options', '.pager'].every(s => [...document.querySelectorAll(s)].every(el => getComputedStyle(el).display === 'none')),
  charts: [...document.querySelectorAll('.chart')].map(el => {
    const c = el.querySelector('canvas').getBoundingClientRect(), b = el.getBoundingClientRect();
    const sum = el.closest('.chart-box').querySelector('.sr-only').getBoundingClientRect();
    return {W: Math.round(c.right - b.left), H: Math.round(Math.max(c.bottom, b.bottom) - b.top), BoxW: Math.round(b.width), BoxH: Math.round(sum.top - b.top)};
  }),
})`))
	if err == nil {
		err = json.Unmarshal(res, &printed)
	}
	if err != nil || !printed.Hidden {
		t.Errorf("print view shows the menu, options or pager (%v)", err)
	}
	for i, c := range printed.Charts {
		if c.W > c.BoxW || c.H == 0 || c.H > c.BoxH {
			t.Errorf("printed chart %d is cut or runs into its summary: canvas to %d×%d in a box %d wide, summary at %d", i, c.W, c.H, c.BoxW, c.BoxH)
		}
	}
	t.Logf("printed charts (canvas and box, px): %+v", printed.Charts)
	shot("print-rfm-en")
	do("screen again", media(""))
	consoleProblems()
	t.Logf("screenshots in %s", out)
}
