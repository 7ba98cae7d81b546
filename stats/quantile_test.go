package stats

import "testing"

func TestMedian(t *testing.T) {
	tests := []struct {
		x    []float64
		want float64
	}{
		{nil, 0},
		{[]float64{4}, 4},
		{[]float64{5, 1, 3}, 3},     // sorted 1 3 5
		{[]float64{7, 1, 3, 10}, 5}, // sorted 1 3 7 10 → (3+7)/2
	}
	for _, tt := range tests {
		if got := Median(tt.x); got != tt.want {
			t.Errorf("Median(%v) = %v, want %v", tt.x, got, tt.want)
		}
	}
}

func TestQuantile(t *testing.T) {
	x := []float64{1, 2, 4, 8, 16}
	tests := []struct{ p, want float64 }{
		{0, 1}, {1, 16}, {0.5, 4},
		{0.9, 12.8}, // h = 4·0.9 = 3.6 → 8 + 0.6·(16−8)
		{0.75, 8},   // h = 3
		{0.1, 1.4},  // h = 0.4 → 1 + 0.4·1
	}
	for _, tt := range tests {
		if got := Quantile(x, tt.p); got-tt.want > 1e-12 || tt.want-got > 1e-12 {
			t.Errorf("Quantile(%v) = %v, want %v", tt.p, got, tt.want)
		}
	}
	if Quantile(nil, 0.5) != 0 {
		t.Error("empty quantile should be 0")
	}
}
