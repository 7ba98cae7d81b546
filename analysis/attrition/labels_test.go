package attrition_test

import (
	"testing"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/attrition"
)

// TestCategoryLabels checks that every category of a series whose categories are keys has
// text in both languages, on the hand-worked data and on an empty Dataset. (The keys every
// analysis emits are checked by TestLabels in analysis/all.)
func TestCategoryLabels(t *testing.T) {
	info := attrition.New().Info()
	// Series whose categories are data (lost reasons, months), not keys.
	dataCats := map[string]bool{"lost_reasons": true, "monthly": true}
	for _, res := range []*analysis.Result{run(t, tiny(), analysis.Input{AsOf: asOf}), run(t, &kexi.Dataset{}, analysis.Input{})} {
		for _, s := range res.Series {
			if dataCats[s.Key] {
				continue
			}
			for _, x := range s.X {
				if l, ok := info.Labels[x]; !ok || l.En == "" || l.Zh == "" {
					t.Errorf("category %q of %s has no label in both languages", x, s.Key)
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
