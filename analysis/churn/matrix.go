package churn

// Matrix is a dense row-major matrix of feature values: row i is X[i*Cols : (i+1)*Cols].
type Matrix struct {
	Rows, Cols int
	X          []float64
}

// Row returns row i (a sub-slice, not a copy).
func (m *Matrix) Row(i int) []float64 { return m.X[i*m.Cols : (i+1)*m.Cols] }

// subset returns the rows idx as a new matrix, and the labels at idx when y is non-nil.
func (m *Matrix) subset(idx []int, y []bool) (*Matrix, []bool) {
	out := &Matrix{Rows: len(idx), Cols: m.Cols, X: make([]float64, len(idx)*m.Cols)}
	var ys []bool
	if y != nil {
		ys = make([]bool, len(idx))
	}
	for k, i := range idx {
		copy(out.X[k*m.Cols:], m.Row(i))
		if y != nil {
			ys[k] = y[i]
		}
	}
	return out, ys
}

// Model is a fitted binary classifier: Prob returns the predicted probability of the positive
// class (churn) for one row of features; Contrib adds each feature's contribution to the
// row's log-odds into c (len Cols) and returns the part no feature explains (the bias).
type Model interface {
	Prob(x []float64) float64
	Contrib(x []float64, c []float64) float64
	// Importance returns one non-negative importance per feature, summing to 1 (all zero for
	// a model that uses no feature).
	Importance() []float64
}
