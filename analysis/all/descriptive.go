package all

import (
	"github.com/kexi/kexi/analysis/behaviour"
	"github.com/kexi/kexi/analysis/lifecycle"
	"github.com/kexi/kexi/analysis/loyalty"
	"github.com/kexi/kexi/analysis/migration"
	"github.com/kexi/kexi/analysis/portrait"
	"github.com/kexi/kexi/analysis/pyramid"
	"github.com/kexi/kexi/analysis/rfm"
	"github.com/kexi/kexi/analysis/value"
)

// The descriptive analyses A1–A7 and the customer portrait A19.
func init() {
	register(10, rfm.New())
	register(20, pyramid.New())
	register(30, migration.New())
	register(40, lifecycle.New())
	register(50, behaviour.New())
	register(60, loyalty.New())
	register(70, value.New())
	register(190, portrait.New())
}
