package attrition_test

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/attrition"
	"github.com/kexi/kexi/internal/refdata"
)

// records reads a CSV file of the data folder as maps from header to trimmed value.
func records(t *testing.T, rel string) []map[string]string {
	recs := refdata.CSV(t, rel)
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for j, h := range recs[0] {
			m[h] = strings.TrimSpace(r[j])
		}
		out = append(out, m)
	}
	return out
}

// TestTelcoReference runs the analysis on IBM's Telco customer churn data, a customer table
// with a churn flag and no orders (see ../shared/data/telco-churn/SOURCE.md): 7,043 customers,
// Churn Yes 1,869 = 26.54 %; joined with the status table, Churn Category among churners
// Competitor 841, Attitude 314, Dissatisfaction 303, Price 211, Other 200, and Satisfaction
// Score (1–5, read as CSAT) with a mean of 3.2449 over all 7,043.
func TestTelcoReference(t *testing.T) {
	base := records(t, "telco-churn/WA_Fn-UseC_-Telco-Customer-Churn.csv")
	status := map[string]map[string]string{}
	for _, r := range records(t, "telco-churn/Telco_customer_churn_status.csv") {
		status[r["Customer ID"]] = r
	}
	d := &kexi.Dataset{}
	q3 := time.Date(2022, 9, 30, 0, 0, 0, 0, time.UTC) // the status table's quarter (no dates given)
	for i, r := range base {
		c := kexi.Customer{ID: int64(i + 1), ExternalID: r["customerID"], Churned: r["Churn"] == "Yes",
			Custom: map[string]string{"Contract": r["Contract"]}}
		s := status[r["customerID"]]
		if s == nil {
			t.Fatalf("%s has no status row", r["customerID"])
		}
		c.Custom["Churn Category"] = s["Churn Category"]
		score, err := strconv.ParseFloat(s["Satisfaction Score"], 64)
		if err != nil {
			t.Fatal(err)
		}
		d.Customers = append(d.Customers, c)
		d.Surveys = append(d.Surveys, kexi.SurveyResponse{ID: int64(i + 1), CustomerID: c.ID, At: q3, Kind: kexi.CSAT, Score: score})
	}
	d.Normalize()
	res, err := attrition.New().Run(context.Background(), analysis.Input{Data: d, Options: map[string]string{"reason_field": "Churn Category"}})
	if err != nil {
		t.Fatal(err)
	}
	fig := func(k string) float64 {
		f, ok := res.Figure(k)
		if !ok {
			t.Fatalf("no figure %s", k)
		}
		return f.Value
	}
	if fig("customers") != 7043 || fig("churned") != 1869 || fig("active") != 5174 || math.Abs(fig("churn_rate")-0.2654) > 0.00005 {
		t.Errorf("customers %v, churned %v, active %v, rate %v; want 7,043, 1,869, 5,174, 26.54 %%",
			fig("customers"), fig("churned"), fig("active"), fig("churn_rate"))
	}
	var reasons []string
	for _, r := range res.Table("churn_reasons").Rows {
		if !near(r[2].(float64), float64(r[1].(int))/1869) {
			t.Errorf("reason %v: share %v", r[0], r[2])
		}
		reasons = append(reasons, fmt.Sprint(r[0], " ", r[1]))
	}
	if got := strings.Join(reasons, ", "); got != "Competitor 841, Attitude 314, Dissatisfaction 303, Price 211, Other 200" {
		t.Errorf("churn reasons %s", got)
	}
	// Every customer answered once: the two groups' means weight back to the published mean.
	mc, mr := fig("mean_csat_churned"), fig("mean_csat_retained")
	if all := (1869*mc + 5174*mr) / 7043; math.Abs(all-3.2449) > 0.00005 || mc >= mr {
		t.Errorf("mean CSAT churned %v, retained %v, overall %v; want overall 3.2449, churned lower", mc, mr, all)
	}
	if len(res.Table("winback").Rows) != 100 || res.Table("winback").Rows[0][15] != 0.0 {
		t.Errorf("win-back list: %d rows, first %v", len(res.Table("winback").Rows), res.Table("winback").Rows[0])
	}
	t.Logf("mean CSAT churned %.4f, retained %.4f", mc, mr)
}
