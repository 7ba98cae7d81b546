package postgres_test

import (
	"context"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/demo"
	"github.com/kexi/kexi/internal/pgtest"
	"github.com/kexi/kexi/internal/refdata"
	"github.com/kexi/kexi/postgres"
	"github.com/kexi/kexi/sqlite"
)

// TestSameDatasetAsSQLite imports the Online Retail file (with its zero-price lines) into both
// stores and checks that LoadDataset gives equal Datasets, in full and within a scope: every
// analysis reads a Dataset, so its output is then the same on both.
func TestSameDatasetAsSQLite(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 400k lines twice")
	}
	ctx := context.Background()
	lite, pg := bothStores(t)
	clean := refdata.RetailClean{KeepZeroPrice: true}
	for _, st := range []kexi.Store{lite, pg} {
		b := refdata.OnlineRetailBatch(t, clean)
		// A few more kinds, with what the retail file lacks: personal fields, tags, custom
		// fields, a scope to load within.
		for i := range b.Customers {
			c := &b.Customers[i]
			c.Owner = []string{"anna", "bo"}[i%2]
			if i%3 == 0 {
				c.Phone, c.Tags, c.Custom = "138"+c.ExternalID, []string{"retail"}, map[string]string{"tier": "gold"}
			}
		}
		if _, err := st.Import(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	for _, scope := range []kexi.Scope{{}, {Owner: "bo"}} {
		a, err := lite.LoadDataset(ctx, scope, kexi.AllParts)
		if err != nil {
			t.Fatal(err)
		}
		b, err := pg.LoadDataset(ctx, scope, kexi.AllParts)
		if err != nil {
			t.Fatal(err)
		}
		a.Normalize()
		b.Normalize()
		if a.Orders.Len() < 1000 || len(a.Customers) < 1000 {
			t.Fatalf("scope %+v: %d customers, %d orders loaded", scope, len(a.Customers), a.Orders.Len())
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("scope %+v: the Datasets differ: %s", scope, firstDiff(a, b))
		}
	}
	sameSummaries(t, lite, pg, 4000)
}

// TestSameSummaryDemo: on the demo data (returns, cancellations, $0 orders, several orders a
// day) PostgreSQL's summary query gives the bits of the embedded store's summary in Go.
func TestSameSummaryDemo(t *testing.T) {
	ctx := context.Background()
	lite, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "kexi.db"), sqlite.Options{Key: key})
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	pg := open(t)
	for _, st := range []kexi.Store{lite, pg} {
		if _, err := st.Import(ctx, demo.Generate(demo.Options{Customers: 800, Seed: 7})); err != nil {
			t.Fatal(err)
		}
	}
	sameSummaries(t, lite, pg, 500)
}

// sameSummaries compares LoadSummary on both stores, for open and closed windows in UTC and
// Asia/Shanghai, in full and within an owner's scope; the full one has at least min customers.
func sameSummaries(t *testing.T, lite *sqlite.DB, pg *postgres.DB, min int) {
	t.Helper()
	ctx := context.Background()
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	d, err := lite.LoadDataset(ctx, kexi.Scope{}, kexi.PartOrders)
	if err != nil {
		t.Fatal(err)
	}
	last := d.LastOrderAt()
	windows := []kexi.Window{{}, {Loc: sh}, {From: last.AddDate(-1, 0, 0), Until: last.AddDate(0, -2, 0), Loc: sh}}
	for _, scope := range []kexi.Scope{{}, {Owner: "bo"}, {Owner: "zhang.wei"}} {
		for _, w := range windows {
			a, err := lite.LoadSummary(ctx, scope, w)
			if err != nil {
				t.Fatal(err)
			}
			b, err := pg.LoadSummary(ctx, scope, w)
			if err != nil {
				t.Fatal(err)
			}
			if scope == (kexi.Scope{}) && w.Loc == nil && len(a.Customers) < min {
				t.Fatalf("%d customers summarised, want at least %d", len(a.Customers), min)
			}
			if !reflect.DeepEqual(a.Customers, b.Customers) {
				n := 0
				for i := range a.Customers {
					if i < len(b.Customers) && a.Customers[i] != b.Customers[i] {
						if n++; n <= 3 {
							t.Errorf("scope %+v window %v: customer %d: %+v on the embedded store, %+v on PostgreSQL",
								scope, w, a.Customers[i].CustomerID, a.Customers[i], b.Customers[i])
						}
					}
				}
				t.Errorf("scope %+v window %v: %d and %d customers, %d differ", scope, w, len(a.Customers), len(b.Customers), n)
			}
		}
	}
}

// firstDiff names the first field of two Datasets that differs.
func firstDiff(a, b *kexi.Dataset) string {
	va, vb := reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem()
	for i := range va.NumField() {
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			f := va.Type().Field(i).Name
			if f == "Customers" {
				for k := range min(len(a.Customers), len(b.Customers)) {
					if !reflect.DeepEqual(a.Customers[k], b.Customers[k]) {
						return f + ": " + a.Customers[k].ExternalID
					}
				}
			}
			return f
		}
	}
	return "nothing"
}

// TestSameFindOrder sorts customers by fields some of them lack (a NULL birth date, a missing
// custom field) and by texts that a locale would order otherwise: both stores give one order,
// SQLite's (NULLs first ascending, texts by byte).
func TestSameFindOrder(t *testing.T) {
	ctx := context.Background()
	lite, pg := bothStores(t)
	day := func(d int) time.Time { return time.Date(1990, 1, d, 0, 0, 0, 0, time.UTC) }
	customers := []kexi.Customer{
		{ExternalID: "a", Name: "b", BirthDate: day(3), Custom: map[string]string{"plan": "Zeta"}},
		{ExternalID: "b", Name: "B"},
		{ExternalID: "c", Name: "a", BirthDate: day(1), Custom: map[string]string{"plan": "alpha"}},
		{ExternalID: "d", Name: "_x"},
		{ExternalID: "e", Name: "A", BirthDate: day(2), Custom: map[string]string{"plan": "Beta"}},
		{ExternalID: "f", Name: "é"},
	}
	for _, st := range []kexi.Store{lite, pg} {
		if _, err := st.Import(ctx, &kexi.Batch{Customers: slices.Clone(customers)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, sort := range []string{"birth_date", "-birth_date", "custom.plan", "-custom.plan", "name", "-name"} {
		var got [2][]string
		for i, st := range []kexi.Store{lite, pg} {
			list, _, err := st.FindCustomers(ctx, kexi.Filter{Sort: sort})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range list {
				got[i] = append(got[i], c.ExternalID)
			}
		}
		if !slices.Equal(got[0], got[1]) {
			t.Errorf("sort %s: the embedded store gives %v, PostgreSQL %v", sort, got[0], got[1])
		}
	}
}

// bothStores opens a new SQLite store and a new PostgreSQL one with the same key and a clock
// fixed at 2025-01-02 03:04:05 UTC, both closed when t ends.
func bothStores(t *testing.T) (*sqlite.DB, *postgres.DB) {
	t.Helper()
	ctx := context.Background()
	clock := func() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC) }
	lite, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "kexi.db"), sqlite.Options{Key: key, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lite.Close() })
	pg, err := postgres.Open(ctx, pgtest.DSN(t), postgres.Options{Key: key, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Close() })
	return lite, pg
}
