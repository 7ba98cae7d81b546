package all

import (
	"github.com/kexi/kexi/analysis/acquisition"
	"github.com/kexi/kexi/analysis/basket"
	"github.com/kexi/kexi/analysis/campaign"
	"github.com/kexi/kexi/analysis/competitors"
	"github.com/kexi/kexi/analysis/funnel"
	"github.com/kexi/kexi/analysis/quality"
	"github.com/kexi/kexi/analysis/satisfaction"
)

func init() {
	register(120, satisfaction.New())
	register(130, acquisition.New())
	register(140, funnel.New())
	register(150, campaign.New())
	register(160, basket.New())
	register(170, competitors.New())
	register(180, quality.New())
}
