// Package all is the registry of analyses. Each group of analyses registers itself in its own
// file here with one line per analysis; the CLI, the API and the UI loop over List.
package all

import (
	"sort"

	"github.com/kexi/kexi/analysis"
)

type entry struct {
	order int
	a     analysis.Analysis
}

var registry []entry

// register adds an analysis; order places it in display order (the SPEC number × 10 keeps
// A1 … A19 in sequence).
func register(order int, a analysis.Analysis) {
	registry = append(registry, entry{order, a})
	sort.SliceStable(registry, func(i, j int) bool { return registry[i].order < registry[j].order })
}

// List returns every analysis in display order.
func List() []analysis.Analysis {
	out := make([]analysis.Analysis, len(registry))
	for i, e := range registry {
		out[i] = e.a
	}
	return out
}

// Get returns the analysis with the name, or nil.
func Get(name string) analysis.Analysis {
	for _, e := range registry {
		if e.a.Info().Name == name {
			return e.a
		}
	}
	return nil
}
