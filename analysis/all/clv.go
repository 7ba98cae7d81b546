package all

import "github.com/kexi/kexi/analysis/clv"

func init() { register(80, clv.New()) }
