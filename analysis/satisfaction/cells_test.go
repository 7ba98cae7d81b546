package satisfaction

import (
	"math"
	"testing"
)

// TestScoreCell checks that whole scores 0–10 come boxed once and keep their value, and that
// other scores (halves, −0, out of range, NaN) are boxed as they are.
func TestScoreCell(t *testing.T) {
	if scoreCell(7) != any(7.0) || scoreCell(0) != any(0.0) || scoreCell(10) != any(10.0) {
		t.Errorf("whole scores: %v %v %v", scoreCell(7), scoreCell(0), scoreCell(10))
	}
	for _, f := range []float64{7.5, 11, -1, math.Copysign(0, -1)} {
		if g, ok := scoreCell(f).(float64); !ok || g != f || math.Signbit(g) != math.Signbit(f) {
			t.Errorf("scoreCell(%v) = %v", f, scoreCell(f))
		}
	}
	if g := scoreCell(math.NaN()).(float64); !math.IsNaN(g) {
		t.Errorf("NaN gave %v", g)
	}
}
