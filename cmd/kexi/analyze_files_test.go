package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/sheet"
)

// TestDatasetFromFilesAsBatch: with and without a customers file, and whether the analyses read
// customers or not, the Dataset that datasetFromFiles makes (orders parsed straight into the
// table) is the one Batch.Dataset makes of the same files read record by record: customers
// numbered customers file first (a repeated one is rejected, as Read rejects it), then
// as the orders name them, with stubs for those the customers file lacks.
func TestDatasetFromFilesAsBatch(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	orders := write("orders.csv", "customer_id,date,amount,channel\n9,2024-01-05,10,web\n2,2024-01-03,5,shop\n"+
		"x7,2024-02-01 10:00:00,7,web\n9,2024-01-01,3,web\n,2024-01-02,1,\n2,bad,4,\n")
	customers := write("customers.csv", "customer_id,name,gender\n2,Two,f\n5,Five,m\nx7,Seven,\n2,Two again,m\n")
	loc, _ := time.LoadLocation("Asia/Shanghai")
	dates := kexi.DatesUntil(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), 5)
	for _, custs := range []string{"", customers} {
		for _, parts := range []kexi.Parts{kexi.PartOrders, kexi.PartOrders | kexi.PartCustomers} {
			var stderr bytes.Buffer
			got, err := datasetFromFiles(context.Background(), &Env{Stderr: &stderr}, orders, custs, parts, loc, dates)
			if err != nil {
				t.Fatal(err)
			}
			b := &kexi.Batch{}
			for _, f := range []struct{ path, kind string }{{custs, kexi.KindCustomers}, {orders, kexi.KindOrders}} {
				if f.path == "" {
					continue
				}
				fh, err := os.Open(f.path)
				if err != nil {
					t.Fatal(err)
				}
				r, err := sheet.Read(fh, f.path, sheet.Options{Kind: f.kind, SkipInvalid: true, NoItems: true, Location: loc, Dates: dates})
				fh.Close()
				if err != nil {
					t.Fatal(err)
				}
				b.Customers = append(b.Customers, r.Batch.Customers...)
				b.Orders = append(b.Orders, r.Batch.Orders...)
				b.CustomFields = append(b.CustomFields, r.Batch.CustomFields...)
			}
			want := b.Dataset()
			if !parts.Has(kexi.PartCustomers) {
				want.Customers = nil
			}
			if !reflect.DeepEqual(got.Orders.All(), want.Orders.All()) {
				t.Errorf("customers file %q, parts %b: orders\n got %v\nwant %v", custs, parts, got.Orders.All(), want.Orders.All())
			}
			if !reflect.DeepEqual(got.Keys, want.Keys) {
				t.Errorf("customers file %q, parts %b: keys\n got %+v\nwant %+v", custs, parts, got.Keys, want.Keys)
			}
			if !reflect.DeepEqual(got.Customers, want.Customers) {
				t.Errorf("customers file %q, parts %b: customers\n got %+v\nwant %+v", custs, parts, got.Customers, want.Customers)
			}
			if got.Orders.Loc != want.Orders.Loc || !reflect.DeepEqual(got.Orders.Facets, want.Orders.Facets) {
				t.Errorf("customers file %q, parts %b: loc %v facets %v, want %v %v", custs, parts, got.Orders.Loc,
					got.Orders.Facets, want.Orders.Loc, want.Orders.Facets)
			}
			if !bytes.Contains(stderr.Bytes(), []byte("left out 2 of 6 rows")) {
				t.Errorf("warning %q", stderr.String())
			}
		}
	}
}
