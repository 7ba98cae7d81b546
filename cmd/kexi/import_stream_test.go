package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kexi/kexi"
)

// TestImportStreamsInBatches imports files in batches of one, two and many records and
// checks that kexi import says the same and that the databases export the same records. The
// orders file has an order whose lines are far apart (O1), which cannot be streamed: kexi
// import then reads it whole.
func TestImportStreamsInBatches(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"customers.csv": "customer_id,name,city,plan\nC1,One,Beijing,1\nC2,Two,Shanghai,2.50\nC3,Three,,x\nC1,Again,Wuhan,3\n",
		"orders.csv": "order_id,customer_id,date,sku,description,quantity,unit_price,city\n" +
			"O2,C2,2024-01-03,P1,,1,10,Shanghai\nO2,C2,2024-01-03,P2,Pen,2,3,\nO3,C4,2024-01-04,P1,Book,1,10,Chengdu\n" +
			"O4,C1,2024-01-05,P3,,1,7,\n",
		"spread.csv": "order_id,customer_id,date,sku,quantity,unit_price\n" +
			"O1,C1,2024-01-02,P1,1,10\nO5,C5,2024-01-06,P2,1,3\nO6,C5,2024-01-07,P2,1,3\nO1,C1,2024-01-02,P3,2,5\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	run := func(rows int) (string, map[string]string) {
		old := importRows
		importRows = rows
		defer func() { importRows = old }()
		db := filepath.Join(t.TempDir(), "kexi.db")
		var out strings.Builder
		for _, f := range []string{"customers.csv", "orders.csv", "spread.csv"} {
			code, stdout, stderr := importRun(t, "import", "--db", db, "--skip-invalid", "--rejects", filepath.Join(dir, "rejects.csv"), filepath.Join(dir, f))
			if code != 0 {
				t.Fatalf("batches of %d: import %s: exit %d: %s", rows, f, code, stderr)
			}
			out.WriteString(strings.ReplaceAll(stdout, dir, "DIR"))
			if spread := strings.Contains(stderr, "reading the whole file"); spread != (f == "spread.csv" && rows < 3) {
				t.Errorf("batches of %d, %s: stderr %q", rows, f, stderr)
			}
		}
		exports := map[string]string{}
		for _, k := range []string{kexi.KindCustomers, kexi.KindOrders, kexi.KindProducts} {
			code, stdout, stderr := importRun(t, "export", "--db", db, "--kind", k)
			if code != 0 {
				t.Fatalf("export %s: exit %d: %s", k, code, stderr)
			}
			exports[k] = withoutStamps(stdout)
		}
		return out.String(), exports
	}
	wantOut, want := run(1 << 20)
	if !strings.Contains(wantOut, "1 rejected") || !strings.Contains(want[kexi.KindOrders], "P3") {
		t.Fatalf("unexpected import:\n%s\n%s", wantOut, want[kexi.KindOrders])
	}
	for _, rows := range []int{1, 2} {
		out, got := run(rows)
		if out != wantOut {
			t.Errorf("batches of %d say\n%s\nwant\n%s", rows, out, wantOut)
		}
		for k := range want {
			if got[k] != want[k] {
				t.Errorf("batches of %d: %s export\n%s\nwant\n%s", rows, k, got[k], want[k])
			}
		}
	}
}

// TestImportDryRunStreams checks that a dry run counts the records of a streamed file as
// one read of it does.
func TestImportDryRunStreams(t *testing.T) {
	path := filepath.Join(t.TempDir(), "orders.csv")
	body := "order_id,customer_id,date,sku,description,quantity,unit_price,city\n" +
		"O2,C2,2024-01-03,P1,,1,10,Shanghai\nO2,C2,2024-01-03,P2,Pen,2,3,\nO3,C4,2024-01-04,P1,Book,1,10,Chengdu\nO4,C2,2024-01-05,P3,,1,7,\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	var outs []string
	for _, rows := range []int{1 << 20, 1} {
		old := importRows
		importRows = rows
		code, stdout, stderr := importRun(t, "import", "--dry-run", path)
		importRows = old
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		outs = append(outs, stdout)
	}
	// 3 orders, 3 products
	if !strings.Contains(outs[0], "4 rows of orders read, 6 records") || outs[1] != outs[0] {
		t.Errorf("dry runs say %q and %q", outs[0], outs[1])
	}
}

// withoutStamps drops the Created At and Updated At columns of an exported CSV: they hold
// the time of the import.
func withoutStamps(csv string) string {
	lines := strings.Split(csv, "\n")
	head := strings.Split(lines[0], ",")
	var out []string
	for _, l := range lines {
		cells := strings.Split(l, ",")
		var kept []string
		for i, c := range cells {
			if i < len(head) && (head[i] == "Created At" || head[i] == "Updated At") {
				continue
			}
			kept = append(kept, c)
		}
		out = append(out, strings.Join(kept, ","))
	}
	return strings.Join(out, "\n")
}
