package sqlite

import (
	"errors"
	"fmt"
	"strings"

	"modernc.org/sqlite/vtab"
)

// Binding a value to a statement through database/sql costs about 140 ns: the arguments are
// checked and copied, and the driver takes the connection's mutex for each. A bulk insert of
// 500,000 orders spent half its writer's time so. kexi_src is a virtual table that serves
// rows of values straight from Go instead: the writer runs
//
//	INSERT INTO t (a, b) SELECT c0, c1 FROM temp.kexi_src WHERE h = ?
//
// with the handle of the rows as the one bound value, and SQLite reads each value with one
// call that takes no lock.

// srcCols is the number of value columns kexi_src has (c0 … c63): a bulk insert names at
// most 64 columns.
const srcCols = 64

// rowSource is rows of values for kexi_src: n values a row, row after row.
type rowSource struct {
	vals []any
	n    int
}

var sources = handles[*rowSource]{m: map[int64]*rowSource{}}

func init() {
	if err := vtab.RegisterModule(nil, "kexi_src", srcModule{}); err != nil {
		panic(err)
	}
}

// createSource is the statement that makes kexi_src usable on a connection; it lives in the
// connection's temp schema, which nothing else sees.
const createSource = "CREATE VIRTUAL TABLE IF NOT EXISTS temp.kexi_src USING kexi_src"

// srcSelect is the SELECT of n value columns from the rows a bound handle names.
func srcSelect(n int) string {
	return "SELECT " + srcColumns(n) + " FROM temp.kexi_src WHERE h = ?"
}

// srcColumns is "c0, c1, …" up to n value columns.
func srcColumns(n int) string {
	cols := make([]string, n)
	for i := range cols {
		cols[i] = fmt.Sprintf("c%d", i)
	}
	return strings.Join(cols, ", ")
}

type srcModule struct{}

func (srcModule) Create(ctx vtab.Context, args []string) (vtab.Table, error) {
	return srcModule{}.Connect(ctx, args)
}

func (srcModule) Connect(ctx vtab.Context, args []string) (vtab.Table, error) {
	if err := ctx.Declare("CREATE TABLE x(h INTEGER, " + srcColumns(srcCols) + ")"); err != nil {
		return nil, err
	}
	return srcTable{}, nil
}

type srcTable struct{}

// BestIndex takes h = ? as the whole of the search: without it there are no rows.
func (srcTable) BestIndex(info *vtab.IndexInfo) error {
	for i := range info.Constraints {
		c := &info.Constraints[i]
		if c.Usable && c.Column == 0 && c.Op == vtab.OpEQ {
			c.ArgIndex, c.Omit = 0, true
			info.IdxNum, info.EstimatedCost = 1, 1
			return nil
		}
	}
	info.IdxNum, info.EstimatedCost = 0, 1e12
	return nil
}

func (srcTable) Open() (vtab.Cursor, error) { return &srcCursor{}, nil }
func (srcTable) Disconnect() error          { return nil }
func (srcTable) Destroy() error             { return nil }

type srcCursor struct {
	h   int64
	src *rowSource
	row int // the current row's first value in src.vals
}

var errNoSource = errors.New("kexi_src: rows are read with WHERE h = ? and a handle of rows")

func (c *srcCursor) Filter(idxNum int, _ string, vals []vtab.Value) error {
	if idxNum != 1 || len(vals) != 1 {
		return errNoSource
	}
	h, _ := vals[0].(int64)
	src, ok := sources.get(h)
	if !ok {
		return errNoSource
	}
	c.h, c.src, c.row = h, src, 0
	return nil
}

func (c *srcCursor) Next() error { c.row += c.src.n; return nil }
func (c *srcCursor) Eof() bool   { return c.src == nil || c.row >= len(c.src.vals) }

func (c *srcCursor) Column(col int) (vtab.Value, error) {
	if col == 0 {
		return c.h, nil
	}
	if col > c.src.n {
		return nil, nil
	}
	switch v := c.src.vals[c.row+col-1].(type) {
	case nil, int64, float64, string, []byte:
		return v, nil
	case int:
		return int64(v), nil
	case bool:
		if v {
			return int64(1), nil
		}
		return int64(0), nil
	default:
		// Binding would have converted it; a value of another type here is a bug to see.
		return nil, fmt.Errorf("kexi_src: a value of type %T", v)
	}
}

func (c *srcCursor) Rowid() (int64, error) { return int64(c.row / max(1, c.src.n)), nil }
func (c *srcCursor) Close() error          { return nil }
