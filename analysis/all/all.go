// Package all is the registry of analyses: one line per analysis in display order (the SPEC's
// A1 … A19). The CLI, the API and the UI loop over List. A new analysis is one package that
// exports New and one line here.
package all

import (
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/acquisition"
	"github.com/kexi/kexi/analysis/attributes"
	"github.com/kexi/kexi/analysis/attrition"
	"github.com/kexi/kexi/analysis/basket"
	"github.com/kexi/kexi/analysis/behaviour"
	"github.com/kexi/kexi/analysis/campaigns"
	"github.com/kexi/kexi/analysis/churn"
	"github.com/kexi/kexi/analysis/clv"
	"github.com/kexi/kexi/analysis/competitors"
	"github.com/kexi/kexi/analysis/funnel"
	"github.com/kexi/kexi/analysis/lifecycle"
	"github.com/kexi/kexi/analysis/loyalty"
	"github.com/kexi/kexi/analysis/portrait"
	"github.com/kexi/kexi/analysis/pyramid"
	"github.com/kexi/kexi/analysis/quality"
	"github.com/kexi/kexi/analysis/rfm"
	"github.com/kexi/kexi/analysis/satisfaction"
	"github.com/kexi/kexi/analysis/segments"
	"github.com/kexi/kexi/analysis/tiermigration"
	"github.com/kexi/kexi/analysis/value"
)

// registry holds every analysis in display order. Each package is named after its analysis
// (without the underscore: tiermigration runs "tier_migration") and exports New.
var registry = []analysis.Analysis{
	rfm.New(),           // A1
	pyramid.New(),       // A2
	tiermigration.New(), // A3
	lifecycle.New(),     // A4
	behaviour.New(),     // A5
	loyalty.New(),       // A6
	value.New(),         // A7
	clv.New(),           // A8
	churn.New(),         // A9
	attrition.New(),     // A10
	attributes.New(),    // A11, the attribute half, before its k-means half
	segments.New(),      // A11
	satisfaction.New(),  // A12
	acquisition.New(),   // A13
	funnel.New(),        // A14
	campaigns.New(),     // A15
	basket.New(),        // A16
	competitors.New(),   // A17
	quality.New(),       // A18
	portrait.New(),      // A19
}

// List returns every analysis in display order. The slice is the caller's own.
func List() []analysis.Analysis {
	return append([]analysis.Analysis(nil), registry...)
}

// Get returns the analysis with the name, or nil.
func Get(name string) analysis.Analysis {
	for _, a := range registry {
		if a.Info().Name == name {
			return a
		}
	}
	return nil
}
