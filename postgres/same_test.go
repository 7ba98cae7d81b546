package postgres_test

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/kexi/kexi"
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
	clock := func() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC) }
	lite, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "kexi.db"), sqlite.Options{Key: key, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	pg, err := postgres.Open(ctx, pgtest.DSN(t), postgres.Options{Key: key, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
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
