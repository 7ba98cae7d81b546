package satisfaction_test

import (
	"context"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/satisfaction"
)

// TestMonthsInZone: a survey answered at 2024-01-31 20:00 UTC was answered on 1 February in
// Shanghai, and counts in February there.
func TestMonthsInZone(t *testing.T) {
	d := &kexi.Dataset{Customers: []kexi.Customer{{ID: 1}},
		Surveys: []kexi.SurveyResponse{{ID: 1, CustomerID: 1, At: time.Date(2024, 1, 31, 20, 0, 0, 0, time.UTC), Kind: kexi.NPS, Score: 10}}}
	d.Normalize()
	for tz, want := range map[string]string{"": "2024-01", "Asia/Shanghai": "2024-02"} {
		res, err := satisfaction.New().Run(context.Background(), analysis.Input{Data: d, Settings: kexi.Settings{TimeZone: tz}})
		if err != nil {
			t.Fatal(err)
		}
		if rows := res.Table("months").Rows; len(rows) != 1 || rows[0][0] != want {
			t.Errorf("%q: months %v, want %s", tz, rows, want)
		}
	}
}
