package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/sheet"
)

// datasetFromFiles reads transactions (and optionally customers) from CSV/XLSX files into a
// Dataset without a database, with the parts of it that the analyses read. Columns are
// recognised as in import. Rows that cannot be read (no customer, a bad date …) are left out
// with a warning naming how many and the first problem, so an analyst sees at once what was
// dropped. Without PartLines, order lines are left out (unless the order totals come from
// them). Times without an offset are read in loc, and rows with a time outside dates are left
// out like other bad rows.
//
// A CSV file of orders without lines is parsed straight into the order table (sheet.ReadTable);
// other files are read into a batch of records, which kexi.Batch.Dataset turns into a Dataset.
// Both number orders and customers alike, so the Dataset is the same either way.
func datasetFromFiles(ctx context.Context, env *Env, orders, customers string, parts kexi.Parts, loc *time.Location, dates kexi.Dates) (*kexi.Dataset, error) {
	opt := func(kind string) sheet.Options {
		return sheet.Options{Kind: kind, SkipInvalid: true, NoItems: !parts.Has(kexi.PartLines), Location: loc, Dates: dates}
	}
	b := &kexi.Batch{}
	if customers != "" {
		r, err := readSheet(env, customers, func(f io.Reader) (*sheet.Result, error) {
			return sheet.Read(f, customers, opt(kexi.KindCustomers))
		})
		if err != nil {
			return nil, err
		}
		b = r.Batch
	}
	if orders == "" {
		return b.Dataset(), nil
	}
	// The customers file's customers come first, numbered as Batch.Dataset numbers them. Read
	// rejects a repeated id, so each is new and gets the next number.
	ids := &sheet.CustomerIDs{}
	var cs []kexi.Customer
	for _, c := range b.Customers {
		if c.ExternalID == "" { // numbered but not findable: leave it to Batch.Dataset
			ids = nil
			break
		}
		c.ID = ids.ID(c.ExternalID)
		cs = append(cs, c)
	}
	var table *kexi.OrderTable
	r, err := readSheet(env, orders, func(f io.Reader) (*sheet.Result, error) {
		if ids == nil {
			return sheet.Read(f, orders, opt(kexi.KindOrders))
		}
		r, t, err := sheet.ReadTable(f, orders, opt(kexi.KindOrders), ids)
		table = t
		return r, err
	})
	if err != nil {
		return nil, err
	}
	if table == nil {
		b.Customers = join(b.Customers, r.Batch.Customers)
		b.Products = join(b.Products, r.Batch.Products)
		b.Orders = join(b.Orders, r.Batch.Orders)
		b.CustomFields = join(b.CustomFields, r.Batch.CustomFields)
		return b.Dataset(), nil
	}
	d := &kexi.Dataset{CustomFields: b.CustomFields, Products: b.Products, Orders: *table, Keys: ids.Keys}
	if parts.Has(kexi.PartCustomers) {
		// The customers the orders name that the customers file has not: stubs, as
		// Batch.Dataset makes them.
		n, all := len(cs), len(ids.Keys.ID)
		cs = slices.Grow(cs, all-n)[:all]
		for i := n; i < all; i++ {
			c := &cs[i]
			c.ID, c.ExternalID, c.Stub = ids.Keys.ID[i], ids.Keys.ExternalID.At(i), true
			c.Name = c.ExternalID
		}
		d.Customers = cs
	}
	d.Normalize()
	return d, nil
}

// join appends b to a, taking b over when a is empty: a million orders are not worth copying.
func join[T any](a, b []T) []T {
	if len(a) == 0 {
		return b
	}
	return append(a, b...)
}

// readSheet opens the file at path and reads it with read, warning about the rows it left out.
func readSheet(env *Env, path string, read func(io.Reader) (*sheet.Result, error)) (*sheet.Result, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, kexi.Errorf(kexi.EINVALID, "cannot open %s: %v", path, err)
	}
	defer fh.Close()
	r, err := read(fh)
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
