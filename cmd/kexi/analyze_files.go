package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/sheet"
)

// datasetFromFiles reads transactions (and optionally customers) from CSV/XLSX files into a
// Dataset without a database. Columns are recognised as in import. Rows that cannot be read
// (no customer, a bad date …) are left out with a warning naming how many and the first
// problem, so an analyst sees at once what was dropped. Without lines, order lines are left
// out (unless the order totals come from them). Times without an offset are read in loc, and
// rows with a time outside dates are left out like other bad rows.
func datasetFromFiles(ctx context.Context, env *Env, orders, customers string, lines bool, loc *time.Location, dates kexi.Dates) (*kexi.Dataset, error) {
	b := &kexi.Batch{}
	for _, f := range []struct{ path, kind string }{{customers, kexi.KindCustomers}, {orders, kexi.KindOrders}} {
		if f.path == "" {
			continue
		}
		r, err := readSheet(env, f.path, sheet.Options{Kind: f.kind, SkipInvalid: true, NoItems: !lines,
			Location: loc, Dates: dates})
		if err != nil {
			return nil, err
		}
		b.Customers = join(b.Customers, r.Batch.Customers)
		b.Products = join(b.Products, r.Batch.Products)
		b.Orders = join(b.Orders, r.Batch.Orders)
		b.CustomFields = join(b.CustomFields, r.Batch.CustomFields)
	}
	return b.Dataset(), nil
}

// join appends b to a, taking b over when a is empty: a million orders are not worth copying.
func join[T any](a, b []T) []T {
	if len(a) == 0 {
		return b
	}
	return append(a, b...)
}

func readSheet(env *Env, path string, opt sheet.Options) (*sheet.Result, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, kexi.Errorf(kexi.EINVALID, "cannot open %s: %v", path, err)
	}
	defer fh.Close()
	r, err := sheet.Read(fh, path, opt)
	if err != nil {
		return nil, err
	}
	if r.Rejected > 0 {
		first := ""
		if len(r.Rejects) > 0 {
			first = fmt.Sprintf(" (first: %s)", r.Rejects[0].String())
		}
		fmt.Fprintf(env.Stderr, "kexi analyze: left out %d of %d rows of %s that could not be read%s\n",
			r.Rejected, r.Rows, path, first)
	}
	return r, nil
}
