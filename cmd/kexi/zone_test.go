package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kexi/kexi/internal/refdata"
)

// kexiRunEnv is kexiRun with environment variables.
func kexiRunEnv(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// zoneResult is what the zone tests read of an analysis's JSON.
type zoneResult struct {
	Name    string `json:"name"`
	AsOf    string `json:"as_of"`
	Summary []struct {
		Key   string  `json:"key"`
		Value float64 `json:"value"`
		Text  string  `json:"text"`
	} `json:"summary"`
	Tables []struct {
		Key  string  `json:"key"`
		Rows [][]any `json:"rows"`
	} `json:"tables"`
	Series []struct {
		Key   string       `json:"key"`
		Cells [][3]float64 `json:"cells"`
	} `json:"series"`
}

func analyzeZoneJSON(t *testing.T, env map[string]string, args ...string) map[string]zoneResult {
	t.Helper()
	code, out, stderr := kexiRunEnv(t, env, append([]string{"analyze", "--format", "json"}, args...)...)
	if code != 0 {
		t.Fatalf("kexi analyze %v: exit %d: %s", args, code, stderr)
	}
	var rs []zoneResult
	if err := json.Unmarshal([]byte(out), &rs); err != nil {
		var r zoneResult
		if err2 := json.Unmarshal([]byte(out), &r); err2 != nil {
			t.Fatalf("json: %v\n%.500s", err, out)
		}
		rs = []zoneResult{r}
	}
	m := map[string]zoneResult{}
	for _, r := range rs {
		m[r.Name] = r
	}
	return m
}

// cohortPlusOne returns the December 2010 cohort's size and its customers active in month +1.
func cohortPlusOne(t *testing.T, r zoneResult) (size, active float64) {
	t.Helper()
	for _, tb := range r.Tables {
		if tb.Key != "cohorts" {
			continue
		}
		for _, row := range tb.Rows {
			if row[0] == "2010-12" && row[1] == 1.0 {
				return row[2].(float64), row[3].(float64)
			}
		}
	}
	t.Fatalf("no 2010-12 +1 cohort row in %s", r.Name)
	return 0, 0
}

// peakHour returns the hour of the day with the most orders in behaviour's weekday × hour map.
func peakHour(t *testing.T, r zoneResult) int {
	t.Helper()
	var hours [24]float64
	found := false
	for _, s := range r.Series {
		if s.Key == "weekday_hour" {
			found = true
			for _, c := range s.Cells {
				hours[int(c[0])] += c[2]
			}
		}
	}
	if !found {
		t.Fatal("no weekday_hour series")
	}
	best := 0
	for h := range hours {
		if hours[h] > hours[best] {
			best = h
		}
	}
	return best
}

// TestOnlineRetailZone: Online Retail's timestamps carry no offset. Read and analysed in the
// same (default, Asia/Shanghai) zone, the December 2010 cohort has 324 of 885 customers active
// in month +1 (pandas and SPEC: 0.366) and the orders peak at the UK's noon, whether the file
// is analysed directly or imported first. Before, the naive times were stored as UTC and cut
// in Shanghai: 322 customers and a peak at 20:00.
func TestOnlineRetailZone(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 541,909 rows three times")
	}
	path := refdata.Path(t, "online-retail/online_retail.csv.gz")
	check := func(how string, rs map[string]zoneResult) {
		t.Helper()
		if size, active := cohortPlusOne(t, rs["loyalty"]); size != 885 || active != 324 {
			t.Errorf("%s: Dec 2010 cohort +1: %v of %v active, want 324 of 885", how, active, size)
		}
		if h := peakHour(t, rs["behaviour"]); h != 12 {
			t.Errorf("%s: orders peak at %d:00, want 12:00", how, h)
		}
		// The default as-of is the end of the last order's day (2011-12-09 12:50 there).
		for _, n := range []string{"loyalty", "behaviour"} {
			if !strings.HasPrefix(rs[n].AsOf, "2011-12-09T23:59:59.999999999") {
				t.Errorf("%s: %s as of %s, want the end of 2011-12-09", how, n, rs[n].AsOf)
			}
		}
	}
	check("--orders", analyzeZoneJSON(t, nil, "loyalty", "behaviour", "--orders", path))
	check("--orders --tz Europe/London", analyzeZoneJSON(t, map[string]string{"KEXI_TZ": "Europe/London"},
		"loyalty", "behaviour", "--orders", path))

	db := filepath.Join(t.TempDir(), "kexi.db")
	if code, _, stderr := kexiRun(t, "import", "--db", db, "--skip-invalid", "--rejects", filepath.Join(t.TempDir(), "rej.csv"), path); code != 0 {
		t.Fatalf("import: exit %d: %s", code, stderr)
	}
	check("--db", analyzeZoneJSON(t, nil, "loyalty", "behaviour", "--db", db))
}

// TestTmallZone: the Tmall report's times (Beijing time, no offset) peak in the evening,
// 20–22 h; stored as UTC and shown in Shanghai they peaked at 04–06 h.
func TestTmallZone(t *testing.T) {
	path := refdata.Path(t, "tmall-orders-zh/tmall_order_report.csv")
	for _, how := range []string{"--orders", "--db"} {
		args := []string{"behaviour", "--orders", path}
		if how == "--db" {
			db := filepath.Join(t.TempDir(), "kexi.db")
			if code, _, stderr := kexiRun(t, "import", "--db", db, path); code != 0 {
				t.Fatalf("import: exit %d: %s", code, stderr)
			}
			args = []string{"behaviour", "--db", db}
		}
		if h := peakHour(t, analyzeZoneJSON(t, nil, args...)["behaviour"]); h < 20 || h > 22 {
			t.Errorf("%s: Tmall orders peak at %d:00, want 20–22 h", how, h)
		}
	}
}

// TestAsOfOneRule: --as-of 2011-12-09 and the default (the end of the last order's day) give
// the same RFM; before, the default was the last order's time and mean recency moved from
// 91.54 to 92.06 days.
func TestAsOfOneRule(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "orders.csv")
	// The last order is at 12:50 on 2011-12-09. A's, at 18:00 on 2011-12-01, is 8 whole days
	// (and 5:59) before the end of the 9th; before, the default as-of (12:50) made it 7.
	orders := "order_id,customer_id,order_date,amount\n1,A,2011-12-01 18:00:00,10\n2,B,2011-12-09 12:50:00,20\n"
	if err := os.WriteFile(path, []byte(orders), 0o600); err != nil {
		t.Fatal(err)
	}
	recency := func(args ...string) map[string]any {
		r := analyzeZoneJSON(t, nil, append([]string{"rfm", "--orders", path}, args...)...)["rfm"]
		out := map[string]any{"as_of": r.AsOf}
		for _, row := range r.Tables[0].Rows {
			out[row[0].(string)] = row[1]
		}
		return out
	}
	def, given := recency(), recency("--as-of", "2011-12-09")
	if def["as_of"] != given["as_of"] || def["A"] != given["A"] || def["B"] != given["B"] {
		t.Errorf("default %v, --as-of 2011-12-09 %v: want the same", def, given)
	}
	if def["A"] != 8.0 || def["B"] != 0.0 {
		t.Errorf("recency A %v B %v, want 8 and 0 whole days to the end of 2011-12-09", def["A"], def["B"])
	}
}

// TestNoTimesNoAsOf: on customers without any dated record, segments, churn and funnel print no
// "as of 0001-01-01" and churn no cut-off of 0001-01-01.
func TestNoTimesNoAsOf(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "customers.csv")
	var b strings.Builder
	b.WriteString("customer_id,name,gender,age,churned\n")
	for i := range 40 {
		g, churned := "female", "no"
		if i%2 == 0 {
			g = "male"
		}
		if i%3 == 0 {
			churned = "yes"
		}
		b.WriteString(strings.Join([]string{"C" + string(rune('A'+i%26)) + string(rune('a'+i/26)), "n", g, "3" + string(rune('0'+i%10)), churned}, ",") + "\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "kexi.db")
	if code, _, stderr := kexiRun(t, "import", "--db", db, path); code != 0 {
		t.Fatalf("import: exit %d: %s", code, stderr)
	}
	for _, args := range [][]string{{"segments", "--option", "features=age"}, {"churn"}, {"funnel"}} {
		code, out, stderr := kexiRun(t, append([]string{"analyze", "--db", db}, args...)...)
		if code != 0 || strings.Contains(out, "0001-01-01") || !strings.HasPrefix(out, "== ") {
			t.Errorf("%s: exit %d, shows the zero date:\n%s%s", args[0], code, out, stderr)
		}
	}
}

// TestDatesOutOfRange: a record dated 9999-12-31 is refused on import, and so is an as-of date
// of 9999-12-31 (exit 2, not a failure of the analyses).
func TestDatesOutOfRange(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "orders.csv")
	orders := "order_id,customer_id,order_date,amount\n1,A,2024-03-01,10\n2,B,9999-12-31 23:59:59,20\n"
	if err := os.WriteFile(path, []byte(orders), 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "kexi.db")
	code, _, stderr := kexiRun(t, "import", "--db", db, path)
	if code != 2 || !strings.Contains(stderr, "expected a date from 1900-01-01 to") {
		t.Errorf("import of a 9999 order: exit %d: %s", code, stderr)
	}
	// --at and a stage history's dates keep to the same range.
	surveys := filepath.Join(dir, "surveys.csv")
	if err := os.WriteFile(surveys, []byte("customer_id,nps\nA,9\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = kexiRun(t, "import", "--dry-run", "--kind", "surveys", "--at", "9999-12-31", surveys)
	if code != 2 || !strings.Contains(stderr, "--at \"9999-12-31\": expected a date from 1900-01-01 to") {
		t.Errorf("--at 9999-12-31: exit %d: %s", code, stderr)
	}
	leads := filepath.Join(dir, "leads.csv")
	if err := os.WriteFile(leads, []byte("lead_id,stages\nL1,new@2024-01-02; won@9999-12-31\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = kexiRun(t, "import", "--dry-run", "--kind", "leads", leads)
	if code != 2 || !strings.Contains(stderr, `stage "won": expected a date from 1900-01-01 to`) {
		t.Errorf("a stage dated 9999-12-31: exit %d: %s", code, stderr)
	}
	// KEXI_FUTURE_YEARS widens the range, but never past kexi.Latest.
	code, _, stderr = kexiRunEnv(t, map[string]string{"KEXI_FUTURE_YEARS": "100"}, "import", "--db", db, path)
	if code != 2 {
		t.Errorf("import with KEXI_FUTURE_YEARS=100: exit %d: %s", code, stderr)
	}
	// Without the bad row the file imports, and a far as-of is refused.
	if err := os.WriteFile(path, []byte(orders[:strings.LastIndex(orders[:len(orders)-1], "\n")+1]), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := kexiRun(t, "import", "--db", db, path); code != 0 {
		t.Fatalf("import: exit %d: %s", code, stderr)
	}
	for _, args := range [][]string{{"--as-of", "9999-12-31"}, {"--from", "1000-01-01"}, {"--to", "2999-01-01"}, {"--option", "as_of=9999-12-31"}} {
		code, _, stderr := kexiRun(t, append([]string{"analyze", "rfm", "--db", db}, args...)...)
		if code != 2 {
			t.Errorf("analyze rfm %v: exit %d, want 2: %s", args, code, stderr)
		}
	}
	if code, _, stderr := kexiRunEnv(t, map[string]string{"KEXI_TZ": "Mars/Olympus"}, "analyze", "rfm", "--db", db); code != 2 || !strings.Contains(stderr, "Mars/Olympus") {
		t.Errorf("KEXI_TZ=Mars/Olympus: exit %d: %s", code, stderr)
	}
}

// TestServeChecksFutureYearsFirst: a bad KEXI_FUTURE_YEARS stops kexi serve with exit 2
// before it opens (and so creates) the database or starts scheduled backups.
func TestServeChecksFutureYearsFirst(t *testing.T) {
	db := filepath.Join(t.TempDir(), "new.db")
	code, _, stderr := kexiRunEnv(t, map[string]string{"KEXI_FUTURE_YEARS": "many"}, "serve", "--db", db, "--addr", "127.0.0.1:0")
	if code != 2 || !strings.Contains(stderr, "KEXI_FUTURE_YEARS") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(db); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the database was opened before the setting was checked: %v", err)
	}
}
