package analysis

import "testing"

func TestRows(t *testing.T) {
	rows := Rows(3, 2)
	if len(rows) != 3 {
		t.Fatalf("len = %d, want 3", len(rows))
	}
	for i, r := range rows {
		if len(r) != 2 || cap(r) != 2 {
			t.Errorf("row %d: len %d cap %d, want 2 and 2", i, len(r), cap(r))
		}
		r[0], r[1] = i, i*10
	}
	// Appending to row 0 must not overwrite row 1.
	_ = append(rows[0], "x")
	if rows[1][0] != 1 || rows[1][1] != 10 {
		t.Errorf("row 1 = %v, want [1 10]", rows[1])
	}
	if got := Rows(0, 5); len(got) != 0 {
		t.Errorf("Rows(0, 5) = %v", got)
	}
}
