package analysis

import "testing"

func TestPositions(t *testing.T) {
	for _, tc := range []struct {
		name string
		ids  []int64
	}{
		{"dense (table)", []int64{3, 4, 6, 7}},   // span 4 < 4×4
		{"sparse (search)", []int64{3, 40, 600}}, // span 597 ≥ 4×3
		{"empty", nil},
	} {
		find := Positions(tc.ids)
		for i, id := range tc.ids {
			if got := find(id); got != i {
				t.Errorf("%s: position of %d = %d, want %d", tc.name, id, got, i)
			}
		}
		for _, id := range []int64{-1, 0, 2, 5, 8, 41, 601} {
			if got := find(id); got != -1 {
				t.Errorf("%s: position of absent %d = %d, want -1", tc.name, id, got)
			}
		}
	}
}
