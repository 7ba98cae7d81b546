package rfm_test

import (
	"math/rand/v2"
	"testing"

	"github.com/kexi/kexi/analysis/rfm"
)

// TestScoreOneByHand scores one of four customers.
//
//	customer  recency  frequency  monetary
//	1         10       1          100
//	2         40       3          300
//	3         10       1          50
//	4         200      2          300
//
// Customer 1: R is scored on −recency, sorted −200, −40, −10, −10: the two −10s sit at
// positions 2…3, mid-rank 2.5, score 1+⌊5·3/4⌋ = 4. F 1, 1, 2, 3: the 1s at 0…1, mid-rank 0.5,
// score 1+⌊5·1/4⌋ = 2. M 50, 100, 300, 300: 100 at position 1, score 1+⌊5·1.5/4⌋ = 2.
// Means: recency 65, frequency 1.75, monetary 187.5: R high (10 < 65), F low, M low →
// general_develop; rfm10 R=4, F=2 → potential_loyalists.
func TestScoreOneByHand(t *testing.T) {
	rows := []rfm.Row{
		{CustomerID: 1, Recency: 10, Frequency: 1, Monetary: 100},
		{CustomerID: 2, Recency: 40, Frequency: 3, Monetary: 300},
		{CustomerID: 3, Recency: 10, Frequency: 1, Monetary: 50},
		{CustomerID: 4, Recency: 200, Frequency: 2, Monetary: 300},
	}
	got := rfm.ScoreOne(rows, 0)
	if got.R != 4 || got.F != 2 || got.M != 2 || got.CN8 != rfm.GeneralDevelop || got.RFM10 != rfm.PotentialLoyalists {
		t.Errorf("ScoreOne = R%d F%d M%d %s %s, want R4 F2 M2 general_develop potential_loyalists", got.R, got.F, got.M, got.CN8, got.RFM10)
	}
	if rows[0].R != 0 {
		t.Error("ScoreOne changed its input")
	}
}

// TestScoreOneMatchesAssign scores every row of random data both ways, with many ties.
func TestScoreOneMatchesAssign(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{1, 2, 7, 100, 2000} {
		rows := make([]rfm.Row, n)
		for i := range rows {
			rows[i] = rfm.Row{CustomerID: int64(i + 1), Recency: r.IntN(400), Frequency: 1 + r.IntN(6), Monetary: float64(r.IntN(50)) * 10}
		}
		all := append([]rfm.Row(nil), rows...)
		rfm.Assign(all)
		for i := range rows {
			if got := rfm.ScoreOne(rows, i); got != all[i] {
				t.Fatalf("n=%d row %d: ScoreOne = %+v, Assign = %+v", n, i, got, all[i])
			}
		}
	}
}
