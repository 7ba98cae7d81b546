package churn

import (
	"encoding/csv"
	"math"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/internal/refdata"
	"github.com/kexi/kexi/stats"
)

var (
	telcoOnce sync.Once
	telcoData *kexi.Dataset
	telcoErr  error
)

// telcoDataset reads the IBM Telco churn CSV into a Dataset the way the importer stores
// such a file: one customer per row with the Churn column as the Churned flag, gender as
// Gender, and every other column as a text custom field (numbers as numeric text; the 11
// blank TotalCharges left out). No orders.
func telcoDataset(tb testing.TB) *kexi.Dataset {
	tb.Helper()
	path := refdata.Path(tb, "telco-churn/WA_Fn-UseC_-Telco-Customer-Churn.csv")
	telcoOnce.Do(func() {
		f, err := os.Open(path)
		if err != nil {
			telcoErr = err
			return
		}
		defer f.Close()
		recs, err := csv.NewReader(f).ReadAll()
		if err != nil {
			telcoErr = err
			return
		}
		head := recs[0]
		d := &kexi.Dataset{}
		for i, r := range recs[1:] {
			c := kexi.Customer{ID: int64(i + 1), Custom: map[string]string{}}
			for j, h := range head {
				v := strings.TrimSpace(r[j])
				switch h {
				case "customerID":
					c.ExternalID = v
				case "gender":
					c.Gender = strings.ToLower(v)
				case "Churn":
					c.Churned = v == "Yes"
				default:
					if v != "" {
						c.Custom[h] = v
					}
				}
			}
			d.Customers = append(d.Customers, c)
		}
		d.Normalize()
		telcoData = d
	})
	if telcoErr != nil {
		tb.Fatal(telcoErr)
	}
	return telcoData
}

// TestTelcoReference checks SPEC's reference: 7,043 customers, 26.54 % churn, stratified
// 5-fold AUC ≥ 0.83 for both the logistic regression and the GBDT (published 0.84–0.85). It
// would catch scoring hard labels instead of probabilities: those give an AUC near 0.71, and
// the out-of-fold scores must take many distinct values.
func TestTelcoReference(t *testing.T) {
	d := telcoDataset(t)
	asOf := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	rep, err := Predict(d, asOf, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Mode != LabelFlag {
		t.Errorf("mode = %s, want flag", rep.Mode)
	}
	if rep.Rows != 7043 || rep.Churned != 1869 {
		t.Fatalf("rows %d churned %d, want 7043 and 1869", rep.Rows, rep.Churned)
	}
	if r := float64(rep.Churned) / float64(rep.Rows); math.Abs(r-0.2654) > 0.00005 {
		t.Errorf("churn rate %.4f, want 0.2654", r)
	}
	t.Logf("features (%d): %v", len(rep.Features), rep.Features)
	for _, name := range []string{ModelLogit, ModelGBDT} {
		cv := rep.CV[name]
		if cv == nil {
			t.Fatalf("no cross-validation for %s", name)
		}
		t.Logf("%s: folds %.4f, mean AUC %.4f, pooled %.4f, precision@10%% %.3f", name, cv.FoldAUC, cv.AUC, cv.PooledAUC, cv.Precision)
		if cv.AUC < 0.83 || cv.AUC > 0.90 {
			t.Errorf("%s: 5-fold AUC %.4f, want 0.83–0.90 (published 0.84–0.85)", name, cv.AUC)
		}
		distinct := map[float64]bool{}
		for _, p := range cv.OOF {
			distinct[p] = true
		}
		if len(distinct) < 500 {
			t.Errorf("%s: only %d distinct out-of-fold scores: hard labels?", name, len(distinct))
		}
		// Scoring hard labels (p ≥ 0.5) loses the ranking: the AUC drops to about 0.7.
		hard := make([]float64, len(cv.OOF))
		for i, p := range cv.OOF {
			if p >= 0.5 {
				hard[i] = 1
			}
		}
		y := make([]bool, len(d.Customers))
		for i := range d.Customers {
			y[i] = d.Customers[i].Churned
		}
		if h := stats.AUC(hard, y); h > cv.PooledAUC-0.05 {
			t.Errorf("%s: AUC of hard labels %.4f is not clearly below the probability AUC %.4f", name, h, cv.PooledAUC)
		} else {
			t.Logf("%s: AUC of thresholded labels %.4f", name, h)
		}
		// Churners are concentrated at the top: precision among the top 10 % well above
		// the base rate.
		if cv.Precision < 2*cv.BaseRate {
			t.Errorf("%s: precision at top 10%% %.3f, want ≥ 2 × base rate %.3f", name, cv.Precision, cv.BaseRate)
		}
	}
	// The risk list holds the 5,174 customers not churned, most at risk first.
	if len(rep.Scores) != 5174 {
		t.Errorf("risk list has %d customers, want 5174", len(rep.Scores))
	}
	for i := 1; i < len(rep.Scores); i++ {
		if rep.Scores[i].Prob > rep.Scores[i-1].Prob {
			t.Fatalf("risk list not sorted at %d", i)
		}
	}
	top := rep.Scores[0]
	t.Logf("top risk: %+v", top)
	// Month-to-month contracts are the best-known churn driver in this data: the logistic
	// regression must give them a positive coefficient.
	for k, f := range rep.Features {
		if f == "custom.Contract=Month-to-month" && rep.Coef[k] <= 0 {
			t.Errorf("coefficient of %s = %.3f, want > 0", f, rep.Coef[k])
		}
		if f == "custom.tenure" && rep.Coef[k] >= 0 {
			t.Errorf("coefficient of %s = %.3f, want < 0", f, rep.Coef[k])
		}
	}
}
