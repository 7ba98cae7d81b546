package all

import "github.com/kexi/kexi/analysis/attributes"

// Attribute segmentation and market segments, the attribute half of A11, just before its
// k-means half (segments, 110).
func init() { register(105, attributes.New()) }
