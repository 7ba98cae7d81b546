package analysis

import "strings"

// Fill puts into a label the values its "{KEY}" placeholders name (a label may name a figure
// of the result: "Predicted revenue, next {horizon} months"). A placeholder vals lacks is
// dropped with the brackets around it: "Recency ({time_unit})" → "Recency".
func Fill(s string, vals map[string]string) string {
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			return s
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return s
		}
		j += i
		if v, ok := vals[s[i+1:j]]; ok {
			s = s[:i] + v + s[j+1:]
			continue
		}
		// Drop the placeholder with the brackets around it and the space before them.
		lo, hi := i, j+1
		for _, p := range [][2]string{{"(", ")"}, {"（", "）"}} {
			if strings.HasSuffix(s[:lo], p[0]) && strings.HasPrefix(s[hi:], p[1]) {
				lo, hi = lo-len(p[0]), hi+len(p[1])
				break
			}
		}
		s = strings.TrimRight(s[:lo], " ") + s[hi:]
	}
}

// FigureValues returns the result's figures as text for Fill: a Text figure through lbl (its
// label), a number as format gives it.
func (r *Result) FigureValues(lbl func(string) string, format func(float64) string) map[string]string {
	m := make(map[string]string, len(r.Summary))
	for _, f := range r.Summary {
		if f.Text != "" {
			m[f.Key] = lbl(f.Text)
		} else {
			m[f.Key] = format(f.Value)
		}
	}
	return m
}
