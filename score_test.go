package kexi

import (
	"math"
	"testing"
)

// TestValidScore checks each kind's bounds, just outside them, NaN and an unknown kind.
func TestValidScore(t *testing.T) {
	for _, tt := range []struct {
		kind  string
		score float64
		want  bool
	}{
		{NPS, 0, true}, {NPS, 10, true}, {NPS, -0.5, false}, {NPS, 10.5, false},
		{CSAT, 1, true}, {CSAT, 5, true}, {CSAT, 0, false}, {CSAT, 6, false},
		{CES, 1, true}, {CES, 7, true}, {CES, 0.9, false}, {CES, 7.1, false},
		{NPS, math.NaN(), false}, {"stars", 3, false},
	} {
		if got := ValidScore(tt.kind, tt.score); got != tt.want {
			t.Errorf("ValidScore(%q, %v) = %v, want %v", tt.kind, tt.score, got, tt.want)
		}
	}
}
