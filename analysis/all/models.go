package all

import (
	"github.com/kexi/kexi/analysis/churn"
	"github.com/kexi/kexi/analysis/segments"
)

// The models: churn prediction A9 and k-means segmentation A11.
func init() {
	register(90, churn.New())
	register(110, segments.New())
}
