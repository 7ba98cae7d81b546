package render

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
)

var testInfo = analysis.Info{Name: "x", Title: analysis.Text{En: "Example", Zh: "示例"},
	Labels: map[string]analysis.Text{"spend": {En: "Spend", Zh: "消费额"}, "hot": {En: "Hot", Zh: "热"},
		"share": {En: "Share", Zh: "占比"}, "of": {En: "{spend} in all", Zh: "共 {spend}"}}}

// TestLabel: the analysis's labels first, then the catalog, then keys made of keys; a data
// value comes back as it is.
func TestLabel(t *testing.T) {
	for _, c := range []struct{ lang, key, want string }{
		{Zh, "spend", "消费额"},
		{Zh, "province", "省份"},             // the catalog
		{Zh, "spend, hot", "消费额、热"},        // a list
		{En, "spend, hot", "Spend, Hot"},   // a list
		{Zh, "province=hot", "省份=热"},       // a one-hot feature
		{Zh, "custom.积分", "积分"},            // a custom field
		{En, "广东 · hot", "广东 · Hot"},       // a pair of values
		{Zh, "no such key", "no such key"}, // a data value
		{Zh, "age_missing", "年龄未知"},        // a missing-value flag
		{En, "custom.plan_missing", "plan unknown"},
	} {
		if got := Label(&testInfo, c.lang, c.key); got != c.want {
			t.Errorf("Label(%s, %q) = %q, want %q", c.lang, c.key, got, c.want)
		}
	}
	if got := LabelIn(&testInfo, Zh, "of", map[string]string{"spend": "1,234.50"}); got != "共 1,234.50" {
		t.Errorf("LabelIn = %q", got)
	}
	if got := Reasons(&testInfo, Zh, "spend (120) ↑; hot ↓"); got != "消费额 120 ↑风险; 热 ↓风险" {
		t.Errorf("Reasons = %q", got)
	}
}

// TestTextAndCSV: the text format prints the title, the as-of day, the figures and the table
// aligned; CSV has the keys as its header in English and the labels in Chinese, money to the
// cent and NaN empty; value labels show a text column's values by their names.
func TestTextAndCSV(t *testing.T) {
	r := &analysis.Result{Name: "x", AsOf: time.Date(2025, 3, 5, 23, 59, 59, 0, time.UTC),
		Summary: []analysis.Figure{{Key: "spend", Value: 1234.5, Unit: "currency"}},
		Tables: []analysis.Table{{Key: "t", Columns: []analysis.Column{{Key: "channel", Type: "string"},
			{Key: "spend", Type: "currency"}, {Key: "share", Type: "percent"}},
			Rows: [][]any{{"douyin", 10.005, 0.25}, {"web", 2.0, math.NaN()}}}}}
	r = Labelled(r, kexi.ValueLabels{{Field: "channel", Value: "douyin", Label: "抖音"}})
	var b bytes.Buffer
	Text(&b, testInfo, r, Zh, 0)
	// Columns are as wide as their widest cell (a Chinese character takes two), one space apart.
	want := "== 示例 (x) — 截至 2025-03-05\n  消费额: 1234.50\n\n-- t (2 行)\n  渠道 消费额 占比\n  ---- ------ -----\n  抖音 10.01  25.0%\n  web  2.00   \n"
	if b.String() != want {
		t.Errorf("text\n%q\nwant\n%q", b.String(), want)
	}
	for lang, want := range map[string]string{
		En: "channel,spend,share\n抖音,10.01,0.25\nweb,2.00,\n",
		Zh: "渠道,消费额,占比\n抖音,10.01,0.25\nweb,2.00,\n",
	} {
		b.Reset()
		if err := CSV(&b, testInfo, r, lang); err != nil {
			t.Fatal(err)
		}
		if b.String() != want {
			t.Errorf("%s csv\n%q\nwant\n%q", lang, b.String(), want)
		}
	}
	if !strings.Contains(Cell(&testInfo, analysis.Column{Type: "int"}, 3.0, En, true), "3") {
		t.Error("an int cell")
	}
}

// The customer page's filters on flag columns match "true" and "false" (http/drill.go's
// matcher reads every cell through PlainText).
func TestPlainTextFlags(t *testing.T) {
	if a, b := PlainText(true), PlainText(false); a != "true" || b != "false" {
		t.Fatalf("PlainText(true, false) = %q, %q", a, b)
	}
}
