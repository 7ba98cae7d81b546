package kexihttp

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/kexi/kexi/analysis"
)

// figuresStub answers a fixed result: two headline figures (one with a definition), two
// detail figures, and labels naming a figure in braces.
type figuresStub struct{}

func (figuresStub) Info() analysis.Info {
	return analysis.Info{Name: "figs", Code: "T1", Title: analysis.Text{En: "Figures", Zh: "指标"},
		Options: []analysis.Option{{Key: "horizon", Default: "12", Type: "int"}},
		Labels: map[string]analysis.Text{
			"revenue":      {En: "Revenue, next {horizon} months", Zh: "预测未来 {horizon} 个月收入"},
			"help.revenue": {En: "Discounted spend over the horizon", Zh: "预测期内的折现消费"},
			"recency":      {En: "Recency ({time_unit})", Zh: "最近购买间隔({time_unit})"},
			"weeks":        {En: "weeks", Zh: "周"},
			"details":      {En: "Model details", Zh: "模型详情"},
			"fit":          {En: "Log-likelihood", Zh: "对数似然"},
		}}
}

func (figuresStub) Run(_ context.Context, in analysis.Input) (*analysis.Result, error) {
	return &analysis.Result{Name: "figs", Summary: []analysis.Figure{
		{Key: "revenue", Value: 1000, Unit: "currency"}, {Key: "customers", Value: 7},
		{Key: "horizon", Value: 12, Unit: "months", Detail: true}, {Key: "time_unit", Text: "weeks", Detail: true},
		{Key: "fit", Value: -123.5, Detail: true},
	}, Tables: []analysis.Table{{Key: "t", Columns: []analysis.Column{{Key: "recency", Type: "float"}}, Rows: [][]any{{1.5}}}}}, nil
}

// TestFigureDetails: headline figures are cards with their definition as a title; figures
// marked Detail are in a collapsed section titled by the analysis's "details" label; labels
// get the figures they name ("{horizon}" → 12, "{time_unit}" → 周).
func TestFigureDetails(t *testing.T) {
	f := newFixtureWith(t, []analysis.Analysis{figuresStub{}})
	w := f.do(req{method: "GET", path: "/analyses/figs", as: "admin", via: "session"})
	if w.Code != http.StatusOK {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	body := w.Body.String()
	head, details, ok := strings.Cut(body, `<details class="details figure-details">`)
	if !ok {
		t.Fatalf("no details section:\n%s", body)
	}
	details, _, _ = strings.Cut(details, "</details>")
	keys := func(s string) string {
		var out []string
		for _, m := range regexp.MustCompile(`class="figure" data-key="([a-z_]+)"`).FindAllStringSubmatch(s, -1) {
			out = append(out, m[1])
		}
		return strings.Join(out, " ")
	}
	if k := keys(head); k != "revenue customers" {
		t.Errorf("headline cards %q, want revenue customers", k)
	}
	if k := keys(details); k != "horizon time_unit fit" {
		t.Errorf("detail cards %q, want horizon time_unit fit", k)
	}
	for _, want := range []string{`title="预测期内的折现消费"`, "预测未来 12 个月收入"} {
		if !strings.Contains(head, want) {
			t.Errorf("headline lacks %s", want)
		}
	}
	for _, want := range []string{"<summary>模型详情</summary>", "12 个月", ">周<"} {
		if !strings.Contains(details, want) {
			t.Errorf("details lack %s:\n%s", want, details)
		}
	}
	if !strings.Contains(body, "<th>最近购买间隔(周)</th>") {
		t.Errorf("the table head does not carry the time unit")
	}
	if strings.Contains(body, "{horizon}") || strings.Contains(body, "{time_unit}") {
		t.Errorf("a placeholder is left on the page")
	}
}
