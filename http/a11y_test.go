package kexihttp

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// luminance is the WCAG 2 relative luminance of a #rgb or #rrggbb colour.
func luminance(t *testing.T, hex string) float64 {
	t.Helper()
	h := strings.TrimPrefix(hex, "#")
	if len(h) == 3 {
		h = string([]byte{h[0], h[0], h[1], h[1], h[2], h[2]})
	}
	if len(h) != 6 {
		t.Fatalf("colour %q is not #rgb or #rrggbb", hex)
	}
	var c [3]float64
	for i := range c {
		v, err := strconv.ParseUint(h[2*i:2*i+2], 16, 8)
		if err != nil {
			t.Fatalf("colour %q: %v", hex, err)
		}
		s := float64(v) / 255
		if s <= 0.03928 {
			c[i] = s / 12.92
		} else {
			c[i] = math.Pow((s+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]
}

func contrast(t *testing.T, a, b string) float64 {
	la, lb := luminance(t, a), luminance(t, b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// TestContrast reads the colour variables of kexi.css and checks that every text colour
// reaches WCAG AA (4.5:1) on each background it is used on.
func TestContrast(t *testing.T) {
	css, err := assetsFS.ReadFile("assets/kexi.css")
	if err != nil {
		t.Fatal(err)
	}
	root := regexp.MustCompile(`(?s):root\s*\{(.*?)\}`).FindSubmatch(css)
	if root == nil {
		t.Fatal("kexi.css has no :root block")
	}
	vars := map[string]string{}
	for _, m := range regexp.MustCompile(`--([a-z-]+)\s*:\s*(#[0-9a-fA-F]{3,6})\s*;`).FindAllSubmatch(root[1], -1) {
		vars[string(m[1])] = string(m[2])
	}
	col := func(name string) string {
		if strings.HasPrefix(name, "#") {
			return name
		}
		v, ok := vars[name]
		if !ok {
			t.Errorf("kexi.css :root has no --%s", name)
			return ""
		}
		return v
	}
	pairs := []struct{ text, back string }{
		{"fg", "bg"}, {"fg", "card"}, {"fg", "head"},
		{"muted", "bg"}, {"muted", "card"}, {"muted", "head"}, // .muted, figure labels, table notes
		{"accent", "bg"}, {"accent", "card"}, {"accent", "head"}, // links
		{"bad", "card"},        // delete buttons, a change for the worse
		{"good", "card"},       // a change for the better
		{"#fff", "accent"},     // buttons
		{"top-fg", "top"},      // menu links
		{"top-who", "top"},     // who is signed in
		{"#fff", "top"},        // brand, current menu item
		{"#243b53", "#e4ecf7"}, // analysis codes
		{"#8a1c1c", "#ffeeee"}, // error box
		{"fg", "#e3f9e5"},      // flash
		{"fg", "#fffbea"},      // empty notice
		{"accent", "#fffbea"},  // link in the empty notice
	}
	for _, p := range pairs {
		if col(p.text) == "" || col(p.back) == "" {
			continue
		}
		if r := contrast(t, col(p.text), col(p.back)); r < 4.5 {
			t.Errorf("%s (%s) on %s (%s): contrast %.2f:1, want at least 4.5:1", p.text, col(p.text), p.back, col(p.back), r)
		}
	}
}

// TestChartSummary: each chart carries its words for screen readers: few categories in
// full, long series by their extremes, a line's ends too, heat maps and flows by their largest.
func TestChartSummary(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    chartSpec
		want string
	}{
		{"few categories", chartSpec{Title: "Segments", Kind: "bar", Lang: langEn, X: []string{"A", "B", "C"},
			Y: []chartValues{{Name: "Customers", Data: []float64{12, 3400, 7}}}},
			"Segments: Customers: A 12, B 3,400, C 7"},
		{"zh", chartSpec{Title: "分层", Kind: "pie", Lang: langZh, X: []string{"甲", "乙"},
			Y: []chartValues{{Data: []float64{1, 2}}}},
			"分层：甲 1，乙 2"},
		{"long line", chartSpec{Title: "Revenue", Kind: "line", Lang: langEn, Format: "currency", Symbol: "¥",
			X: []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug"},
			Y: []chartValues{{Name: "Revenue", Data: []float64{5, 9, 1, math.NaN(), 4, 8, 6, 2.5}}}},
			"Revenue: Revenue: 7 categories, first: Jan ¥5, last: Aug ¥2.50, highest: Feb ¥9, lowest: Mar ¥1"},
		{"heat map", chartSpec{Title: "Cohorts", Kind: "heatmap", Lang: langEn, X: []string{"m0", "m1"}, YCats: []string{"2024-01"},
			Cells: [][3]float64{{0, 0, 1}, {1, 0, 0.5}}},
			"Cohorts: 2 × 1 cells; highest: m0 / 2024-01 1"},
		{"two units", chartSpec{Title: "Trend", Kind: "line", Lang: langEn, X: []string{"Nov", "Dec"},
			Y: []chartValues{{Name: "NPS", Data: []float64{20, 30}}, {Name: "CSAT", Data: []float64{0.8, 0.655}, Unit: "percent"}}},
			"Trend: NPS: Nov 20, Dec 30; CSAT: Nov 80.0%, Dec 65.5%"},
		{"empty", chartSpec{Title: "Nothing", Kind: "bar", Lang: langEn}, "Nothing: no data"},
	} {
		if got := tc.c.Summary(); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

// TestPageAccessibility: a page opens with a skip link to the main content, the menu
// collapses behind a button, and every chart is an image with a name and a text summary.
func TestPageAccessibility(t *testing.T) {
	f := newFixture(t)
	w := f.do(req{method: "GET", path: "/", as: "admin", via: "session"})
	if w.Code != 200 {
		t.Fatalf("dashboard: %d", w.Code)
	}
	body := w.Body.String()
	for _, want := range []string{`<a class="skip" href="#main">`, `<main id="main"`, `<label for="menu-toggle" class="menu-btn">`, `<nav id="menu"`} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %s", want)
		}
	}
	w = f.do(req{method: "GET", path: "/analyses/pyramid", as: "admin", via: "session"})
	body = w.Body.String()
	charts := regexp.MustCompile(`<div class="chart" ([^>]*)>`).FindAllStringSubmatch(body, -1)
	if len(charts) == 0 {
		t.Fatalf("pyramid page has no chart: %.500s", body)
	}
	for _, c := range charts {
		attrs := c[1]
		label := regexp.MustCompile(`aria-label="([^"]+)"`).FindStringSubmatch(attrs)
		desc := regexp.MustCompile(`aria-describedby="([^"]+)"`).FindStringSubmatch(attrs)
		if !strings.Contains(attrs, `role="img"`) || label == nil || desc == nil {
			t.Errorf("chart without role, label or description: %s", attrs)
			continue
		}
		sum := regexp.MustCompile(`<p class="sr-only" id="` + regexp.QuoteMeta(desc[1]) + `">([^<]+)</p>`).FindStringSubmatch(body)
		if sum == nil || !strings.HasPrefix(sum[1], label[1]) || len(sum[1]) <= len(label[1])+2 {
			t.Errorf("chart %s: summary %q", label[1], sum)
		}
	}
}

// TestNewUserDefaultsToLeastPrivilege: the new-user form starts on the sales role, never on
// administrator.
func TestNewUserDefaultsToLeastPrivilege(t *testing.T) {
	f := newFixture(t)
	w := f.do(req{method: "GET", path: "/users", as: "admin", via: "session"})
	if w.Code != 200 {
		t.Fatalf("users page: %d", w.Code)
	}
	sel := regexp.MustCompile(`(?s)<select name="role"[^>]*>(.*?)</select>`).FindStringSubmatch(w.Body.String())
	if sel == nil {
		t.Fatal("no role select on the users page")
	}
	opts := regexp.MustCompile(`<option value="([a-z]+)"\s*(selected)?\s*>`).FindAllStringSubmatch(sel[1], -1)
	var selected []string
	for _, o := range opts {
		if o[2] != "" {
			selected = append(selected, o[1])
		}
	}
	// Without a selected option a browser shows the first one.
	if len(opts) == 0 || opts[0][1] != "sales" || len(selected) != 1 || selected[0] != "sales" {
		t.Errorf("role options %q, selected %q: want sales first and selected", opts, selected)
	}
}
