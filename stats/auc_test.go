package stats

import (
	"math"
	"testing"
)

func TestAUC(t *testing.T) {
	tests := []struct {
		name   string
		scores []float64
		labels []bool
		want   float64
	}{
		// Perfect separation: every positive above every negative → 1.
		{"perfect", []float64{0.1, 0.2, 0.8, 0.9}, []bool{false, false, true, true}, 1},
		// Reversed → 0.
		{"reversed", []float64{0.9, 0.8, 0.2, 0.1}, []bool{false, false, true, true}, 0},
		// Positives 0.35, 0.8; negatives 0.1, 0.4. Pairs (p > n): 0.35>0.1 yes, 0.35>0.4 no,
		// 0.8>0.1 yes, 0.8>0.4 yes → 3 of 4 = 0.75.
		{"sklearn example", []float64{0.1, 0.4, 0.35, 0.8}, []bool{false, false, true, true}, 0.75},
		// All scores equal: every pair is a tie worth 1/2 → 0.5 (this is what hard labels
		// lose: information inside a tie).
		{"all tied", []float64{1, 1, 1, 1}, []bool{true, false, true, false}, 0.5},
		// Positives 0.5, 0.9; negatives 0.5, 0.1. Pairs: (0.5,0.5) tie ½, (0.5,0.1) 1,
		// (0.9,0.5) 1, (0.9,0.1) 1 → 3.5/4 = 0.875.
		{"one tie", []float64{0.5, 0.9, 0.5, 0.1}, []bool{true, true, false, false}, 0.875},
		// Hard labels (0/1) of a classifier with 2 of 3 positives right and 1 of 3 negatives
		// wrong. Positives 1,1,0; negatives 1,0,0. Pairs: p=1 vs n=1 ½, vs 0 1, 1 → 2.5 each
		// for two positives = 5; p=0 vs n=1 0, vs 0 ½ ½ → 1. Total 6/9 = 0.6667.
		{"hard labels", []float64{1, 1, 0, 1, 0, 0}, []bool{true, true, true, false, false, false}, 6.0 / 9},
	}
	for _, tt := range tests {
		if got := AUC(tt.scores, tt.labels); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("%s: AUC = %v, want %v", tt.name, got, tt.want)
		}
	}
	if got := AUC([]float64{1, 2}, []bool{true, true}); !math.IsNaN(got) {
		t.Errorf("one class: AUC = %v, want NaN", got)
	}
	if got := AUC([]float64{1, 2}, []bool{true}); !math.IsNaN(got) {
		t.Errorf("length mismatch: AUC = %v, want NaN", got)
	}
}

func TestPrecisionAtK(t *testing.T) {
	s := []float64{0.9, 0.1, 0.8, 0.7, 0.2}
	l := []bool{true, false, false, true, true}
	// Top 3 by score: 0.9 (pos), 0.8 (neg), 0.7 (pos) → 2/3.
	if got := PrecisionAtK(s, l, 3); math.Abs(got-2.0/3) > 1e-12 {
		t.Errorf("PrecisionAtK(3) = %v, want 2/3", got)
	}
	// Top 1: 0.9 is positive → 1. k above n is clipped to n: 3 positives of 5 → 0.6.
	if got := PrecisionAtK(s, l, 1); got != 1 {
		t.Errorf("PrecisionAtK(1) = %v, want 1", got)
	}
	if got := PrecisionAtK(s, l, 99); got != 0.6 {
		t.Errorf("PrecisionAtK(99) = %v, want 0.6", got)
	}
}
