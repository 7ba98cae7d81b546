package all

import "github.com/kexi/kexi/analysis/attrition"

// Churn analysis A10, between A9 churn prediction (90) and A11 segments (110).
func init() { register(100, attrition.New()) }
