package analysis

import "testing"

func TestDrillBin(t *testing.T) {
	// Edges 0, 10, 20, 30: three bins; a value on an inner edge goes to the bin above it, the
	// top edge to the last bin, values outside the edges to the first or last.
	d := Drill{Edges: []float64{0, 10, 20, 30}}
	for v, want := range map[float64]int{-5: 0, 0: 0, 9.9: 0, 10: 1, 19.9: 1, 20: 2, 30: 2, 99: 2} {
		if got := d.Bin(v); got != want {
			t.Errorf("Bin(%v) = %d, want %d", v, got, want)
		}
	}
}
