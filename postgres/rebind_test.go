package postgres

import "testing"

func TestRebind(t *testing.T) {
	for q, want := range map[string]string{
		"SELECT 1":                             "SELECT 1",
		"a = ? AND b IN (?, ?)":                "a = $1 AND b IN ($2, $3)",
		"x = ?2, y = ?1, z = ?":                "x = $2, y = $1, z = $3",
		"s = 'what?' AND t = ?":                "s = 'what?' AND t = $1",
		`"odd?col" = ? AND u = 'it''s ?' || ?`: `"odd?col" = $1 AND u = 'it''s ?' || $2`,
		"c ~ '^[-+]?[0-9]+$' AND d = ?":        "c ~ '^[-+]?[0-9]+$' AND d = $1",
		"f(?10, ?)":                            "f($10, $11)",
	} {
		if got := rebind(q); got != want {
			t.Errorf("rebind(%q) = %q, want %q", q, got, want)
		}
		if got := rebind(q); got != want { // from the cache
			t.Errorf("rebind(%q) again = %q", q, got)
		}
	}
}
