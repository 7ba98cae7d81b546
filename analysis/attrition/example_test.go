package attrition_test

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/attrition"
)

// Example runs the churn analysis on three customers as of the end of 2024 with churn after
// 90 days: Ann bought last week; Bob, the bigger buyer, stopped in March; Cho cancelled her
// subscription (the churn flag) in December after buying in November.
func Example() {
	d := &kexi.Dataset{Customers: []kexi.Customer{{ID: 1, Name: "Ann"}, {ID: 2, Name: "Bob"},
		{ID: 3, Name: "Cho", Churned: true, ChurnedAt: day("2024-12-01")}}}
	d.Orders = kexi.NewOrderTable(slices.Concat(buys(1, "2024-06-01:100", "2024-12-24:100"),
		buys(2, "2024-01-15:900", "2024-03-01:600"), buys(3, "2024-11-05:80"))...)
	d.Normalize()
	res, err := attrition.New().Run(context.Background(), analysis.Input{Data: d, AsOf: day("2024-12-31"),
		Options: map[string]string{"churn_days": "90"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, k := range []string{"customers", "churned", "churn_rate", "revenue_lost"} {
		f, _ := res.Figure(k)
		fmt.Printf("%s %g\n", k, f.Value)
	}
	// The win-back list: priority = spend in the 12 months before leaving × ½^(days since the
	// last purchase ÷ 90): Bob 1,500 × ½^(305/90), Cho 80 × ½^(56/90).
	for _, r := range res.Table("winback").Rows {
		fmt.Printf("win back %s (churned %s, priority %.2f)\n", r[1], r[5].(time.Time).Format("2006-01-02"), r[15])
	}
	// Output:
	// customers 3
	// churned 2
	// churn_rate 0.6666666666666666
	// revenue_lost 1580
	// win back Bob (churned 2024-05-31, priority 143.20)
	// win back Cho (churned 2024-12-01, priority 51.97)
}
