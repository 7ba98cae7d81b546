package kexihttp

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kexi/kexi/analysis/all"
	"github.com/kexi/kexi/demo"
)

// TestPageDump writes what the server answers for a demo data set (300 customers, seed 1) to
// the folder $KEXI_PAGEDUMP, one file per page, API answer or download and language, so that
// two trees can be compared with diff -r: every analysis page with and without a period, its
// JSON, its CSV and XLSX downloads, the dashboard, customer lists with analysis fields, and
// the portraits of customers 1 to 5. What changes from run to run (CSRF tokens, computing
// times, the import's timestamps) is blanked. Without $KEXI_PAGEDUMP it is skipped. To compare
// with another commit, copy this file into a checkout of it and run it there too:
//
//	KEXI_PAGEDUMP=/tmp/pages-new go test ./http -run TestPageDump -count=1
func TestPageDump(t *testing.T) {
	dir := os.Getenv("KEXI_PAGEDUMP")
	if dir == "" {
		t.Skip("KEXI_PAGEDUMP not set")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	f := newFixtureBatch(t, all.List(), demo.Generate(demo.Options{Customers: 300, Seed: 1}))
	blank := []struct {
		re   *regexp.Regexp
		with string
	}{
		{regexp.MustCompile(`(csrf-token" content=")[^"]*`), "${1}X"},
		{regexp.MustCompile(`(name="csrf"[^>]*value=")[^"]*`), "${1}X"},
		{regexp.MustCompile(`(computed in|计算耗时) [^<]*`), "${1} T"},
		{regexp.MustCompile(`"(updated_at|created_at)":"20[0-9-]+T[0-9:.]+Z"`), `"${1}":"T"`},
	}
	var paths []string
	for _, a := range all.List() {
		n := a.Info().Name
		if n == "portrait" {
			continue
		}
		paths = append(paths, "/analyses/"+n, "/analyses/"+n+"?period=90d", "/api/v1/analyses/"+n,
			"/api/v1/analyses/"+n+"?period=last_year", "/analyses/"+n+"/export?format=csv", "/analyses/"+n+"/export?format=xlsx")
	}
	paths = append(paths, "/", "/?period=all", "/api/v1/dashboard", "/api/v1/dashboard?period=90d", "/analyses",
		"/customers?col=rfm.segment&col=clv.value&col=churn.probability&sort=-clv.value",
		"/api/v1/customers?col=rfm.segment&col=clv.value&f=lifecycle.stage:eq:at_risk&sort=-rfm.monetary",
		"/customers?period=90d&col=rfm.cn8", "/api/v1/customers?period=90d&col=pyramid.tier&limit=500")
	for i := 1; i <= 5; i++ {
		paths = append(paths, "/api/v1/analyses/portrait?customer="+strconv.Itoa(i), "/customers/"+strconv.Itoa(i))
	}
	name := strings.NewReplacer("/", "_", "?", "_", "&", "_", ":", "_")
	for _, lang := range []string{"zh-CN", "en"} {
		for _, p := range paths {
			w := f.do(req{method: "GET", path: p, as: "admin", via: "session", header: map[string]string{"Accept-Language": lang}})
			body := w.Body.Bytes()
			if !strings.Contains(p, "xlsx") {
				for _, b := range blank {
					body = b.re.ReplaceAll(body, []byte(b.with))
				}
			}
			out := append([]byte(strconv.Itoa(w.Code)+"\n"), body...)
			if err := os.WriteFile(filepath.Join(dir, name.Replace(p)+"."+lang), out, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
