package analysis

import "testing"

func TestFrac(t *testing.T) {
	if got := Frac(1, 4); got != 0.25 {
		t.Errorf("Frac(1, 4) = %v", got)
	}
	if got := Frac(3, 0); got != 0 {
		t.Errorf("Frac(3, 0) = %v, want 0", got)
	}
}

func TestWithFields(t *testing.T) {
	l := WithFields(map[string]Text{"x": {En: "X", Zh: "甲"}}, "province", "city")
	if l["province"] != (Text{En: "Province", Zh: "省份"}) || l["city"].Zh != "城市" || l["x"].En != "X" || len(l) != 3 {
		t.Errorf("WithFields = %v", l)
	}
	for _, bad := range [][]string{{"nope"}, {"x", "province"}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("WithFields(%q) did not panic", bad)
				}
			}()
			m := map[string]Text{"x": {}}
			if bad[0] == "x" {
				m = map[string]Text{"province": {}}
				bad = bad[1:]
			}
			WithFields(m, bad...)
		}()
	}
}
