package all

import (
	"github.com/kexi/kexi/analysis/funnel"
)

func init() {
	register(140, funnel.New())
}
