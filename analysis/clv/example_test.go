package clv_test

import (
	"fmt"

	"github.com/kexi/kexi/analysis/clv"
)

// Example fits the BG/NBD to a few CDNOW customers' summaries (weeks; x, t_x, T as lifetimes
// gives them) weighted as if each pattern were shared by many customers, then predicts.
func Example() {
	rows := []clv.Customer{
		{ID: 1, Frequency: 2, Recency: 30.43, T: 38.86, Weight: 60},
		{ID: 2, Frequency: 1, Recency: 1.71, T: 38.86, Weight: 110},
		{ID: 3, Frequency: 0, Recency: 0, T: 38.86, Weight: 700},
		{ID: 6, Frequency: 7, Recency: 29.43, T: 38.86, Weight: 30},
		{ID: 7, Frequency: 1, Recency: 5.00, T: 38.86, Weight: 100},
		{ID: 8, Frequency: 0, Recency: 0, T: 38.71, Weight: 500},
		{ID: 9, Frequency: 2, Recency: 35.71, T: 38.71, Weight: 60},
	}
	m, err := clv.FitBGNBD(rows, clv.FitOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("r=%.3f alpha=%.2f a=%.3f b=%.3f LL=%.1f\n", m.R, m.Alpha, m.A, m.B, m.LogLik)
	fmt.Printf("customer 1: P(alive)=%.3f, expected purchases in 39 weeks=%.3f\n",
		m.PAlive(2, 30.43, 38.86), clv.ExpectedPurchases(m, 39, 2, 30.43, 38.86))
	// Output:
	// r=0.109 alpha=3.64 a=0.019 b=0.018 LL=-3265.8
	// customer 1: P(alive)=0.971, expected purchases in 39 weeks=1.860
}
