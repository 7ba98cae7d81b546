// Package refdata finds the real public data sets in ../shared/data for tests, and loads the
// Online Retail transactions into a Dataset straight from the CSV (so analysis tests do not
// depend on the importer). Tests call Dir or Path; both skip the test with a clear message
// when the data folder is absent.
package refdata

import (
	"compress/gzip"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kexi/kexi"
)

// Dir returns the shared data folder: $KEXI_DATA, or ../shared/data beside the module root.
// It skips the test when the folder does not exist.
func Dir(tb testing.TB) string {
	tb.Helper()
	if d := os.Getenv("KEXI_DATA"); d != "" {
		if _, err := os.Stat(d); err == nil {
			return d
		}
		tb.Skipf("KEXI_DATA=%s does not exist: skipping reference test on real data", d)
	}
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			data := filepath.Join(d, "..", "shared", "data")
			if _, err := os.Stat(data); err != nil {
				tb.Skipf("real data sets not found at %s (set KEXI_DATA): skipping reference test", data)
			}
			return data
		}
		if filepath.Dir(d) == d {
			tb.Skip("module root not found: skipping reference test on real data")
		}
	}
}

// Path returns the path of a file under the data folder ("online-retail/online_retail.csv.gz"),
// skipping the test when it is absent.
func Path(tb testing.TB, rel string) string {
	tb.Helper()
	p := filepath.Join(Dir(tb), rel)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("%s not found: skipping reference test", p)
	}
	return p
}

// CSV returns the records of a CSV file under the data folder, header first, failing the test
// when it cannot be read and skipping it when the file is absent (see Path).
func CSV(tb testing.TB, rel string) [][]string {
	tb.Helper()
	f, err := os.Open(Path(tb, rel))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatalf("%s: %v", rel, err)
	}
	if len(recs) == 0 {
		tb.Fatalf("%s: no header", rel)
	}
	return recs
}

// RetailRow is one raw row of Online Retail.
type RetailRow struct {
	Invoice, StockCode, Description string
	Quantity                        float64
	At                              time.Time
	UnitPrice                       float64
	Customer                        string // "" when missing; "17850" (the ".0" dropped)
	Country                         string
}

var (
	retailOnce sync.Once
	retailRows []RetailRow
	retailErr  error
)

// OnlineRetailRows returns every row of online_retail.csv.gz (541,909), read once per process.
func OnlineRetailRows(tb testing.TB) []RetailRow {
	tb.Helper()
	p := Path(tb, "online-retail/online_retail.csv.gz")
	retailOnce.Do(func() { retailRows, retailErr = readRetail(p) })
	if retailErr != nil {
		tb.Fatalf("read %s: %v", p, retailErr)
	}
	return retailRows
}

func readRetail(path string) ([]RetailRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(gz)
	r.ReuseRecord = true
	if _, err := r.Read(); err != nil {
		return nil, err
	}
	rows := make([]RetailRow, 0, 542000)
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		q, err := strconv.ParseFloat(rec[3], 64)
		if err != nil {
			return nil, err
		}
		at, err := time.Parse("2006-01-02 15:04:05", rec[4])
		if err != nil {
			return nil, err
		}
		p, err := strconv.ParseFloat(rec[5], 64)
		if err != nil {
			return nil, err
		}
		rows = append(rows, RetailRow{Invoice: rec[0], StockCode: rec[1], Description: rec[2],
			Quantity: q, At: at, UnitPrice: p, Customer: strings.TrimSuffix(rec[6], ".0"), Country: rec[7]})
	}
	return rows, nil
}

// RetailClean chooses which Online Retail rows become order lines.
type RetailClean struct {
	// KeepZeroPrice keeps rows with unit price 0 (the published BG/NBD fit keeps them);
	// SPEC's cleaning drops them.
	KeepZeroPrice bool
}

// OnlineRetail returns the Online Retail purchases as a Dataset, cleaned as SPEC §2 says: rows
// without a customer, cancellation invoices ("C…"), quantity ≤ 0 and price ≤ 0 (or < 0 with
// KeepZeroPrice) are dropped. Each invoice is one order (ID = invoice number, Amount = Σ q·p of
// its kept lines); each customer gets ID = its CustomerID number and Country as Country.
func OnlineRetail(tb testing.TB, c RetailClean) *kexi.Dataset {
	tb.Helper()
	b := OnlineRetailBatch(tb, c)
	d := &kexi.Dataset{Customers: b.Customers, Orders: kexi.NewOrderTable(b.Orders...)}
	d.Normalize()
	return d
}

// OnlineRetailBatch returns OnlineRetail's customers and orders (with their ids) as a Batch to
// import.
func OnlineRetailBatch(tb testing.TB, c RetailClean) *kexi.Batch {
	tb.Helper()
	rows := OnlineRetailRows(tb)
	d := &kexi.Batch{}
	var orders []kexi.Order // each with its lines
	custSeen := map[int64]bool{}
	orderAt := map[string]int{}
	for i := range rows {
		r := &rows[i]
		if r.Customer == "" || strings.HasPrefix(r.Invoice, "C") || r.Quantity <= 0 || r.UnitPrice < 0 ||
			(r.UnitPrice == 0 && !c.KeepZeroPrice) {
			continue
		}
		cid, err := strconv.ParseInt(r.Customer, 10, 64)
		if err != nil {
			tb.Fatalf("customer id %q: %v", r.Customer, err)
		}
		if !custSeen[cid] {
			custSeen[cid] = true
			d.Customers = append(d.Customers, kexi.Customer{ID: cid, ExternalID: r.Customer, Name: r.Customer, Country: r.Country})
		}
		oi, ok := orderAt[r.Invoice]
		if !ok {
			id, err := strconv.ParseInt(r.Invoice, 10, 64)
			if err != nil {
				tb.Fatalf("invoice %q: %v", r.Invoice, err)
			}
			oi = len(orders)
			orderAt[r.Invoice] = oi
			orders = append(orders, kexi.Order{ID: id, ExternalID: r.Invoice, CustomerID: cid, Customer: r.Customer,
				OrderedAt: r.At, Status: kexi.StatusCompleted, Channel: "online"})
		}
		orders[oi].Amount += r.Quantity * r.UnitPrice
		orders[oi].Items = append(orders[oi].Items, kexi.OrderItem{SKU: r.StockCode, Name: r.Description, Quantity: r.Quantity, UnitPrice: r.UnitPrice})
	}
	d.Orders = orders
	return d
}
