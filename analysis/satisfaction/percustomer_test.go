package satisfaction

import (
	"testing"
	"time"

	"github.com/kexi/kexi"
)

// TestPerCustomer: customer 1 answered NPS 10 and has no orders (not churned), customer 2
// answered CSAT 2 and is flagged churned, customer 3 never answered (no row).
func TestPerCustomer(t *testing.T) {
	day := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	d := &kexi.Dataset{
		Customers: []kexi.Customer{{ID: 1}, {ID: 2, Churned: true}, {ID: 3}},
		Surveys: []kexi.SurveyResponse{{CustomerID: 1, Kind: kexi.NPS, Score: 10, At: day},
			{CustomerID: 2, Kind: kexi.CSAT, Score: 2, At: day}},
	}
	last := []latest{{1, 0, 0}, {0, 2, 0}, {}}
	per, churn := perCustomer(d, last, day.AddDate(1, 0, 0), 180)
	if len(per.Rows) != 2 {
		t.Fatalf("%d rows, want 2", len(per.Rows))
	}
	if r := per.Rows[0]; r[0] != int64(1) || r[4] != "promoter" || r[5] != "false" {
		t.Errorf("customer 1: %v", r)
	}
	if r := per.Rows[1]; r[0] != int64(2) || r[4] != "dissatisfied" || r[5] != "true" {
		t.Errorf("customer 2: %v", r)
	}
	if e := churn[[2]string{kexi.NPS, "promoter"}]; e == nil || *e != (churnGroup{1, 0}) {
		t.Errorf("promoters %v", e)
	}
	if e := churn[[2]string{kexi.CSAT, "dissatisfied"}]; e == nil || *e != (churnGroup{1, 1}) {
		t.Errorf("dissatisfied %v", e)
	}
}
