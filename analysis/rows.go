package analysis

// Rows returns n table rows of width cells each, cut from one backing array: one allocation
// instead of one per row, which matters for per-customer tables of 100,000 rows. Each row's
// capacity is its width, so appending to one row never writes into the next.
func Rows(n, width int) [][]any {
	cells := make([]any, n*width)
	rows := make([][]any, n)
	for i := range rows {
		rows[i] = cells[i*width : (i+1)*width : (i+1)*width]
	}
	return rows
}
