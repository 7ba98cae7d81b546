package attrition_test

import (
	"testing"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/attrition"
)

// TestLabels checks that every figure, table, column and series key, every series value key,
// every value of a "label" column and every category of a series whose categories are keys has
// text in both languages, on the hand-worked data (where every table has rows) and on an
// empty Dataset.
func TestLabels(t *testing.T) {
	a := attrition.New()
	info := a.Info()
	check := func(what, key string) {
		t.Helper()
		if l, ok := info.Labels[key]; !ok || l.En == "" || l.Zh == "" {
			t.Errorf("%s %q has no label in both languages", what, key)
		}
	}
	if info.Title.En == "" || info.Title.Zh == "" || info.Summary.En == "" || info.Summary.Zh == "" {
		t.Error("title or summary lacks a language")
	}
	for _, o := range info.Options {
		if o.Help.En == "" || o.Help.Zh == "" {
			t.Errorf("option %s help lacks a language", o.Key)
		}
	}
	// Series whose categories are data (lost reasons), not keys.
	dataCats := map[string]bool{"lost_reasons": true, "monthly": true}
	for _, res := range []*analysis.Result{run(t, tiny(), analysis.Input{AsOf: asOf}), run(t, &kexi.Dataset{}, analysis.Input{})} {
		for _, f := range res.Summary {
			check("figure", f.Key)
		}
		for _, tb := range res.Tables {
			check("table", tb.Key)
			for i, c := range tb.Columns {
				check("column", c.Key)
				if c.Type != "label" {
					continue
				}
				for _, r := range tb.Rows {
					if s, _ := r[i].(string); s != "" {
						check("value of "+c.Key, s)
					}
				}
			}
		}
		for _, s := range res.Series {
			check("series", s.Key)
			for _, v := range s.Y {
				check("series values", v.Key)
			}
			if !dataCats[s.Key] {
				for _, x := range s.X {
					check("category of "+s.Key, x)
				}
			}
		}
	}
}

// TestHeadline: the page leads with 4–8 figures (it showed 23, the settings among them); the
// others, the settings first of all, are details; every figure has a one-line definition in
// both languages ("help.KEY", shown on hover).
func TestHeadline(t *testing.T) {
	info := attrition.New().Info()
	res := run(t, tiny(), analysis.Input{AsOf: asOf})
	var head []string
	for _, f := range res.Summary {
		if !f.Detail {
			head = append(head, f.Key)
		}
		if h, ok := info.Labels["help."+f.Key]; !ok || h.En == "" || h.Zh == "" {
			t.Errorf("figure %s has no definition in both languages", f.Key)
		}
	}
	if len(head) < 4 || len(head) > 8 {
		t.Errorf("%d headline figures %v, want 4 to 8", len(head), head)
	}
	for _, k := range []string{"churn_days", "at_risk_days", "complaint_days"} {
		if f, ok := res.Figure(k); !ok || !f.Detail {
			t.Errorf("setting %s is not a detail", k)
		}
	}
}
