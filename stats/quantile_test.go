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
