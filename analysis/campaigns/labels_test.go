package campaigns_test

import (
	"context"
	"testing"

	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/campaigns"
)

// dataValued names series whose value lists are named by the data, not by the analysis.
var dataValued = map[string]bool{}

// TestLabels checks that every figure, table, column and series key, every series value key
// and every value of a "label" column has text in both languages.
func TestLabels(t *testing.T) {
	a := campaigns.New()
	info := a.Info()
	res, err := a.Run(context.Background(), analysis.Input{Data: tiny()})
	if err != nil {
		t.Fatal(err)
	}
	check := func(what, key string) {
		if l, ok := info.Labels[key]; !ok || l.En == "" || l.Zh == "" {
			t.Errorf("%s %q has no label in both languages", what, key)
		}
	}
	for _, f := range res.Summary {
		check("figure", f.Key)
	}
	for _, tb := range res.Tables {
		check("table", tb.Key)
		for i, c := range tb.Columns {
			check("column", c.Key)
			if c.Type == "label" {
				for _, r := range tb.Rows {
					if s, _ := r[i].(string); s != "" {
						check("value of "+c.Key, s)
					}
				}
			}
		}
	}
	for _, s := range res.Series {
		check("series", s.Key)
		if dataValued[s.Key] {
			continue // its value lists are named by data (competitor names)
		}
		for _, v := range s.Y {
			check("series values", v.Key)
		}
	}
}
