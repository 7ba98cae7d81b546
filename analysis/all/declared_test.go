package all_test

import (
	"context"
	"testing"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/all"
	"github.com/kexi/kexi/demo"
)

// TestDeclared checks what Info.Headlines and Info.Fields promise, so that the dashboard and
// the customer list, which read them, never guess: on the demo data every headline's figure
// is in the result, a counted headline's column is in a per-customer table and its value in
// that column, and every field reads a column of a per-customer table (an alias with the
// options' defaults). The dashboard's own keys are those it shows.
func TestDeclared(t *testing.T) {
	d := demo.Generate(demo.Options{Customers: 600, Seed: 5}).Dataset()
	dashboard := map[string]bool{"at_risk": true, "at_risk_days": true, "churn_days": true, "clv": true}
	seen := map[string]string{}
	for _, a := range all.List() {
		info := a.Info()
		if len(info.Headlines) == 0 && len(info.Fields) == 0 {
			continue
		}
		res, err := a.Run(context.Background(), inputFor(a, analysis.Input{Data: d, Settings: kexi.DefaultSettings}))
		if err != nil {
			t.Fatalf("%s: %v", info.Name, err)
		}
		columns := map[string]map[string]bool{} // per-customer column → its values
		for _, tb := range res.Tables {
			if !tb.PerCustomer {
				continue
			}
			for j, c := range tb.Columns {
				if columns[c.Key] == nil {
					columns[c.Key] = map[string]bool{}
				}
				for _, row := range tb.Rows {
					if s, ok := row[j].(string); ok {
						columns[c.Key][s] = true
					}
				}
			}
		}
		for _, h := range info.Headlines {
			if !dashboard[h.Key] {
				t.Errorf("%s: headline %q is none the dashboard shows", info.Name, h.Key)
			}
			if other, ok := seen[h.Key]; ok {
				t.Errorf("%s and %s both declare the headline %q", other, info.Name, h.Key)
			}
			seen[h.Key] = info.Name
			if _, ok := h.Value(res); !ok {
				t.Errorf("%s: headline %+v is not in the result", info.Name, h)
			}
			if h.Figure == "" && !columns[h.Drill.Column][h.Drill.Value] {
				t.Errorf("%s: headline %q counts %s = %s, which no per-customer row has", info.Name, h.Key, h.Drill.Column, h.Drill.Value)
			}
		}
		for _, f := range info.Fields {
			if col := info.Column(f.Key, nil); columns[col] == nil || col == "customer_id" {
				t.Errorf("%s: field %s reads column %q, which no per-customer table has", info.Name, f.Key, col)
			}
		}
	}
	for k := range dashboard {
		if seen[k] == "" {
			t.Errorf("no analysis declares the dashboard's headline %q", k)
		}
	}
}
