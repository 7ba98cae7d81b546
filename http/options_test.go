package kexihttp

import (
	"strings"
	"testing"

	"github.com/kexi/kexi/analysis/all"
)

// TestOptionKeysNotReserved: an analysis page reads its options from the query by key, next
// to as_of, period, table …; an option named like one of those could never be set from the
// page (clv's BG/BB "period" was shadowed by the period picker's ?period=).
func TestOptionKeysNotReserved(t *testing.T) {
	n := 0
	for _, a := range all.List() {
		for _, o := range a.Info().Options {
			n++
			if a.Info().Name == "rfm" && o.Key == "as_of" {
				continue // means the page's as_of, which sets both alike
			}
			if reservedParams[o.Key] || strings.HasPrefix(o.Key, "page_") {
				t.Errorf("%s: option %q is also a page parameter, so a page cannot set it", a.Info().Name, o.Key)
			}
		}
	}
	if n == 0 {
		t.Fatal("no analysis options registered")
	}
}
