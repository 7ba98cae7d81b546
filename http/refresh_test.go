package kexihttp

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/rfm"
	"github.com/kexi/kexi/sqlite"
)

// loadCounter is a store that counts full Dataset loads and, while gate is set, holds them
// until it closes.
type loadCounter struct {
	*sqlite.DB
	mu    sync.Mutex
	loads int
	parts []kexi.Parts // of each load
	gate  chan struct{}
}

func (c *loadCounter) LoadDataset(ctx context.Context, sc kexi.Scope, p kexi.Parts) (*kexi.Dataset, error) {
	c.mu.Lock()
	c.loads++
	c.parts = append(c.parts, p)
	gate := c.gate
	c.mu.Unlock()
	if gate != nil {
		<-gate
	}
	return c.DB.LoadDataset(ctx, sc, p)
}

// partsLoaded returns the parts of each load so far.
func (c *loadCounter) partsLoaded() []kexi.Parts {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.parts)
}

func (c *loadCounter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.loads
}

// counted puts a load counter under the fixture's server.
func counted(f *fixture) *loadCounter {
	lc := &loadCounter{DB: f.st}
	f.srv = NewServer(Config{Store: lc, Analyses: f.srv.analyses})
	f.t.Cleanup(f.srv.Close)
	return lc
}

func dashboardOf(t *testing.T, f *fixture, as string) Headline {
	t.Helper()
	var h Headline
	w := f.do(req{method: "GET", path: "/api/v1/dashboard", as: as})
	if w.Code != 200 {
		t.Fatalf("dashboard as %s: %d %s", as, w.Code, w.Body)
	}
	decode(t, w, &h)
	return h
}

// An order created through the API shows on the next dashboard, for everyone who may see it,
// without the Dataset being loaded again.
//
// The revenues, from testBatch over the dashboard's default last 365 days (O5 of 2024-01-15
// falls before them): everyone's O1+O2+O3+O4 = 100+50+200+1000 = 1350, alice's (C1, C2)
// 100+50+200 = 350; her customer's new order of 77 makes 1427 and 427, and bob's of 3 makes
// 1430 for the whole and leaves alice at 427.
func TestRefreshShowsWrite(t *testing.T) {
	f := newFixtureWith(t, nil)
	lc := counted(f)
	if h := dashboardOf(t, f, "admin"); !near(h.Revenue, 1350) {
		t.Fatalf("revenue before %v, want 1350", h.Revenue)
	}
	if h := dashboardOf(t, f, "alice"); !near(h.Revenue, 350) {
		t.Fatalf("alice's revenue before %v, want 350", h.Revenue)
	}
	if n := lc.count(); n != 2 {
		t.Fatalf("%d loads for two scopes, want 2", n)
	}
	w := f.do(req{method: "POST", path: "/api/v1/orders", as: "admin",
		body: map[string]any{"customer": "C1", "ordered_at": "2025-03-06T10:00:00Z", "amount": 77}})
	if w.Code != 201 {
		t.Fatalf("create order: %d %s", w.Code, w.Body)
	}
	h := dashboardOf(t, f, "admin")
	if !near(h.Revenue, 1427) || h.AsOf.Format("2006-01-02") != "2025-03-06" {
		t.Errorf("after the order: revenue %v as of %s, want 1427 as of 2025-03-06", h.Revenue, h.AsOf)
	}
	if h := dashboardOf(t, f, "alice"); !near(h.Revenue, 427) {
		t.Errorf("alice's revenue after her customer's order %v, want 427", h.Revenue)
	}
	// An order of bob's customer is in the whole but not in alice's scope.
	w = f.do(req{method: "POST", path: "/api/v1/orders", as: "admin",
		body: map[string]any{"customer": marker + "-C3", "ordered_at": "2025-03-06T11:00:00Z", "amount": 3}})
	if w.Code != 201 {
		t.Fatalf("create order: %d %s", w.Code, w.Body)
	}
	if h := dashboardOf(t, f, "alice"); !near(h.Revenue, 427) {
		t.Errorf("alice's revenue after bob's order %v, want 427", h.Revenue)
	}
	if h := dashboardOf(t, f, "admin"); !near(h.Revenue, 1430) {
		t.Errorf("revenue after bob's order %v, want 1430", h.Revenue)
	}
	if n := lc.count(); n != 2 {
		t.Errorf("%d full loads, want 2 (the first of each scope): the writes were not spliced in", n)
	}
}

// After an import the pages keep the Dataset they have while the new one loads in the
// background, and get the new one once it is in.
func TestRefreshReloadsInBackground(t *testing.T) {
	f := newFixtureWith(t, nil)
	lc := counted(f)
	ctx := context.Background()
	before, err := f.srv.dataset(ctx, kexi.Scope{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	gate := make(chan struct{})
	lc.mu.Lock()
	lc.gate = gate
	lc.mu.Unlock()
	if _, err := f.st.Import(ctx, &kexi.Batch{Orders: []kexi.Order{{Customer: "C2", OrderedAt: date("2025-03-07"), Amount: 5}}}); err != nil {
		t.Fatal(err)
	}
	got := make(chan *data, 1)
	go func() {
		d, err := f.srv.dataset(ctx, kexi.Scope{}, 0)
		if err != nil {
			t.Error(err)
		}
		got <- d
	}()
	select {
	case d := <-got:
		if d != before {
			t.Errorf("during the reload the page got version %d, want the Dataset held (%d)", d.v, before.v)
		}
	case <-time.After(time.Minute):
		t.Fatal("the page waited for the reload")
	}
	close(gate)
	v, _ := f.st.DataVersion(ctx)
	for i := 0; ; i++ {
		d, err := f.srv.dataset(ctx, kexi.Scope{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if d.v == v {
			if d.ds.Orders.Len() != before.ds.Orders.Len()+1 {
				t.Errorf("reloaded: %d orders, want %d", d.ds.Orders.Len(), before.ds.Orders.Len()+1)
			}
			break
		}
		if i == 1000 {
			t.Fatal("the reload never came in")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// While a reload runs in the background, an analysis page compared with the previous period
// files its results under the version of the Dataset they were computed on, not under the
// store's newer version (where they would pass for results of data they never saw).
func TestRefreshCompareKeepsVersion(t *testing.T) {
	f := newFixtureWith(t, []analysis.Analysis{rfm.New()})
	lc := counted(f)
	ctx := context.Background()
	before, err := f.srv.dataset(ctx, kexi.Scope{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	gate := make(chan struct{})
	defer close(gate)
	lc.mu.Lock()
	lc.gate = gate
	lc.mu.Unlock()
	if _, err := f.st.Import(ctx, &kexi.Batch{Orders: []kexi.Order{{Customer: "C2", OrderedAt: date("2025-03-07"), Amount: 5}}}); err != nil {
		t.Fatal(err)
	}
	if d, err := f.srv.dataset(ctx, kexi.Scope{}, 0); err != nil || d != before {
		t.Fatalf("during the reload: %v, want the Dataset held", err)
	}
	w := f.do(req{method: "GET", path: "/analyses/rfm?period=30d", as: "admin"})
	if w.Code != 200 || !strings.Contains(w.Body.String(), "对比") { // period_vs: compared with
		t.Fatalf("rfm page: %d, compared with the previous period: %v", w.Code, strings.Contains(w.Body.String(), "对比"))
	}
	f.srv.cache.mu.Lock()
	defer f.srv.cache.mu.Unlock()
	for k, e := range f.srv.cache.entries {
		if e.v > before.v {
			t.Errorf("%q filed under version %d, computed on the Dataset of version %d", k, e.v, before.v)
		}
	}
}

// Readers and writers at once: every Dataset a reader gets is one the store had, and after
// the writes the Dataset held equals a fresh load. Run with -race.
func TestRefreshConcurrent(t *testing.T) {
	f := newFixtureWith(t, nil)
	ctx := context.Background()
	custs, _, err := f.st.FindCustomers(ctx, kexi.Filter{Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	scopes := []kexi.Scope{{}, {Owner: "alice"}, {Region: "广东"}}
	// The readers ask for more parts as they go, so that parts are added while the writes are
	// spliced in.
	parts := []kexi.Parts{0, 0, kexi.PartInteractions, kexi.PartLines, kexi.PartEvents | kexi.PartProducts, kexi.AllParts}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for r := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				p := parts[min(i/2, len(parts)-1)]
				d, err := f.srv.dataset(ctx, scopes[(r+i)%len(scopes)], p)
				if err != nil {
					t.Error(err)
					return
				}
				v := d.v
				if cur, _ := f.st.DataVersion(ctx); v > cur || len(d.index) != len(d.ds.Customers) || !d.parts.Has(p) {
					t.Errorf("dataset at %d, data at %d; index %d of %d customers; parts %#x, want %#x",
						v, cur, len(d.index), len(d.ds.Customers), d.parts, p)
					return
				}
			}
		}()
	}
	var writers sync.WaitGroup
	for w := range 2 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			var mine []*kexi.Order
			for i := range 40 {
				c := custs[rng.IntN(len(custs))]
				switch {
				case len(mine) > 0 && rng.IntN(3) == 0:
					o := mine[rng.IntN(len(mine))]
					o.Amount, o.CustomerID, o.Customer = float64(rng.IntN(100)), c.ID, ""
					if err := f.st.UpdateOrder(ctx, o); err != nil {
						t.Error(err)
					}
				case len(mine) > 0 && rng.IntN(4) == 0:
					k := rng.IntN(len(mine))
					if err := f.st.DeleteOrder(ctx, mine[k].ID); err != nil {
						t.Error(err)
					}
					mine = append(mine[:k], mine[k+1:]...)
				case rng.IntN(5) == 0:
					cc := *c // the other writer may change c too
					cc.City = fmt.Sprintf("city %d-%d", w, i)
					if err := f.st.UpdateCustomer(ctx, &cc); err != nil {
						t.Error(err)
					}
				case rng.IntN(5) == 0:
					if err := f.st.CreateInteraction(ctx, &kexi.Interaction{CustomerID: c.ID, At: date("2025-03-01"), Kind: kexi.Visit}); err != nil {
						t.Error(err)
					}
				default:
					o := &kexi.Order{CustomerID: c.ID, OrderedAt: date("2025-02-01").Add(time.Duration(i) * time.Hour),
						Amount: float64(rng.IntN(100)), Items: []kexi.OrderItem{{SKU: "X", Quantity: 1, UnitPrice: 2}}}
					if err := f.st.CreateOrder(ctx, o); err != nil {
						t.Error(err)
					}
					mine = append(mine, o)
				}
			}
		}()
	}
	writers.Wait()
	close(stop)
	wg.Wait()
	for _, sc := range scopes {
		d, err := f.srv.dataset(ctx, sc, kexi.AllParts)
		if err != nil {
			t.Fatal(err)
		}
		v := d.v
		want, err := f.st.LoadDataset(ctx, sc, kexi.AllParts)
		if err != nil {
			t.Fatal(err)
		}
		if cur, _ := f.st.DataVersion(ctx); v != cur {
			t.Errorf("scope %+v: dataset at %d, data at %d", sc, v, cur)
		}
		sameDataset(t, fmt.Sprintf("scope %+v", sc), d.ds, want)
	}
}

// sameDataset reports the fields of the Dataset held that differ from those of a fresh load,
// with the first record that differs.
func sameDataset(t *testing.T, what string, got, want *kexi.Dataset) {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	t.Errorf("%s: the Dataset held differs from a fresh load", what)
	gv, wv := reflect.ValueOf(got).Elem(), reflect.ValueOf(want).Elem()
	for i := range gv.NumField() {
		g, w := gv.Field(i), wv.Field(i)
		if !g.CanInterface() || reflect.DeepEqual(g.Interface(), w.Interface()) {
			continue
		}
		t.Errorf("  field %s differs", gv.Type().Field(i).Name)
		if g.Kind() != reflect.Slice {
			continue
		}
		if g.Len() != w.Len() {
			t.Errorf("  %d records, want %d", g.Len(), w.Len())
		}
		for k := range min(g.Len(), w.Len()) {
			if !reflect.DeepEqual(g.Index(k).Interface(), w.Index(k).Interface()) {
				t.Errorf("  [%d] %+v\n  want %+v", k, g.Index(k).Interface(), w.Index(k).Interface())
				break
			}
		}
	}
}

// slowCLV is an analysis that declares the dashboard's CLV figure, whose total is the number
// of orders it saw; every run after the first waits for gate.
type slowCLV struct {
	mu   sync.Mutex
	runs int
	gate chan struct{}
}

func (a *slowCLV) Info() analysis.Info {
	return analysis.Info{Name: "clv", Headlines: []analysis.Headline{{Key: "clv", Figure: "clv_total", Forecast: true}}}
}

func (a *slowCLV) Run(ctx context.Context, in analysis.Input) (*analysis.Result, error) {
	a.mu.Lock()
	a.runs++
	n := a.runs
	a.mu.Unlock()
	if n > 1 {
		<-a.gate
	}
	return &analysis.Result{Summary: []analysis.Figure{{Key: "clv_total", Value: float64(in.Data.Orders.Len())}}}, nil
}

// After a write, the dashboard shows it without waiting for the analyses its figures come
// from: they show the results before the write until the new ones are in.
func TestRefreshFiguresFollow(t *testing.T) {
	clv := &slowCLV{gate: make(chan struct{})}
	f := newFixtureWith(t, []analysis.Analysis{clv})
	h := dashboardOf(t, f, "admin")
	if h.CLV == nil || *h.CLV != 5 {
		t.Fatalf("CLV figure before %v, want 5 (orders)", h.CLV)
	}
	w := f.do(req{method: "POST", path: "/api/v1/orders", as: "admin",
		body: map[string]any{"customer": "C1", "ordered_at": "2025-03-06T10:00:00Z", "amount": 77}})
	if w.Code != 201 {
		t.Fatalf("create order: %d %s", w.Code, w.Body)
	}
	got := make(chan Headline, 1)
	go func() { got <- dashboardOf(t, f, "admin") }()
	select {
	case h := <-got:
		if !near(h.Revenue, 1427) || h.CLV == nil || *h.CLV != 5 {
			t.Errorf("right after the write: revenue %v, CLV %v; want 1427 and the figure before (5)", h.Revenue, h.CLV)
		}
	case <-time.After(time.Minute):
		t.Fatal("the dashboard waited for the CLV analysis")
	}
	close(clv.gate)
	for i := 0; ; i++ {
		if h := dashboardOf(t, f, "admin"); h.CLV != nil && *h.CLV == 6 {
			break
		}
		if i == 1000 {
			t.Fatal("the new CLV figure never came")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// partsProbe is an analysis that reads the Dataset parts named and counts what it saw.
type partsProbe struct {
	name  string
	reads []string
}

func (a partsProbe) Info() analysis.Info { return analysis.Info{Name: a.name, Reads: a.reads} }

func (a partsProbe) Run(ctx context.Context, in analysis.Input) (*analysis.Result, error) {
	d := in.Data
	named := 0 // responses that name their customer and campaign, as a load names them
	for _, r := range d.Responses {
		if r.Customer != "" && r.Campaign != "" {
			named++
		}
	}
	return &analysis.Result{Summary: []analysis.Figure{
		{Key: "events", Value: float64(len(d.Events))},
		{Key: "interactions", Value: float64(len(d.Interactions))},
		{Key: "lines", Value: float64(len(d.Orders.Lines.Item))},
		{Key: "responses_named", Value: float64(named)},
	}}, nil
}

// probes are partsProbes of the events, interactions, order lines and campaign responses.
func probes() []analysis.Analysis {
	return []analysis.Analysis{partsProbe{"probe_events", []string{"events"}},
		partsProbe{"probe_interactions", []string{"interactions"}},
		partsProbe{"probe_lines", []string{"items"}},
		partsProbe{"probe_responses", []string{"responses", "campaigns", "customers"}}}
}

// probe returns a figure of the named probe's result for the user as.
func probe(t *testing.T, f *fixture, name, figure, as string) float64 {
	t.Helper()
	w := f.do(req{method: "GET", path: "/api/v1/analyses/" + name, as: as})
	if w.Code != 200 {
		t.Fatalf("%s as %s: %d %s", name, as, w.Code, w.Body)
	}
	var res analysis.Result
	decode(t, w, &res)
	v, ok := res.Figure(figure)
	if !ok {
		t.Fatalf("%s: no figure %s", name, figure)
	}
	return v.Value
}

// The first dashboard loads only the parts the dashboard reads; a page that needs a part not
// loaded yet gets it, added to the Dataset held, which then equals a fresh load of its parts.
// testBatch has two events, two interactions, one order line and two campaign responses.
func TestDatasetPartsOnDemand(t *testing.T) {
	f := newFixtureWith(t, probes())
	lc := counted(f)
	dashboardOf(t, f, "admin")
	base := kexi.PartCustomers | kexi.PartOrders | kexi.PartOrderDetails | kexi.PartSurveys
	if got := lc.partsLoaded(); !slices.Equal(got, []kexi.Parts{base}) {
		t.Fatalf("the dashboard loaded parts %#x, want only the dashboard's %#x", got, base)
	}
	for _, c := range []struct {
		name, figure string
		want         float64
	}{{"probe_events", "events", 2}, {"probe_interactions", "interactions", 2}, {"probe_lines", "lines", 1},
		{"probe_responses", "responses_named", 2}} {
		if got := probe(t, f, c.name, c.figure, "admin"); got != c.want {
			t.Errorf("%s: %s %v, want %v", c.name, c.figure, got, c.want)
		}
	}
	// Alice sees her customer's records only: one of each.
	if got := probe(t, f, "probe_events", "events", "alice"); got != 1 {
		t.Errorf("alice's events %v, want 1", got)
	}
	ctx := context.Background()
	d, err := f.srv.dataset(ctx, kexi.Scope{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	want, err := f.st.LoadDataset(ctx, kexi.Scope{}, d.parts)
	if err != nil {
		t.Fatal(err)
	}
	sameDataset(t, "after the pages", d.ds, want)
	if lc.count() != 1+4+1 { // the dashboard's, each probe's part, alice's first: hers with the events
		t.Errorf("%d loads (%#x), want 6", lc.count(), lc.partsLoaded())
	}
}

// A write before a page that needs a part loaded after it shows on that page, and a write
// after a part is loaded shows too (spliced in, not reloaded).
func TestDatasetPartsShowWrites(t *testing.T) {
	f := newFixtureWith(t, probes())
	lc := counted(f)
	dashboardOf(t, f, "admin")
	ctx := context.Background()
	c1 := f.alice[kexi.KindCustomers]
	if err := f.st.CreateInteraction(ctx, &kexi.Interaction{CustomerID: c1, At: date("2025-03-01"), Kind: kexi.Visit}); err != nil {
		t.Fatal(err)
	}
	order := func(amount float64) {
		t.Helper()
		w := f.do(req{method: "POST", path: "/api/v1/orders", as: "admin", body: map[string]any{"customer": "C1",
			"ordered_at": "2025-03-06T10:00:00Z", "amount": amount,
			"items": []map[string]any{{"sku": "P1", "quantity": 1, "unit_price": amount}}}})
		if w.Code != 201 {
			t.Fatalf("create order: %d %s", w.Code, w.Body)
		}
	}
	order(77)
	if got := probe(t, f, "probe_interactions", "interactions", "admin"); got != 3 {
		t.Errorf("interactions after a write before they were loaded: %v, want 3", got)
	}
	if got := probe(t, f, "probe_lines", "lines", "admin"); got != 2 {
		t.Errorf("order lines after a write before they were loaded: %v, want 2", got)
	}
	if h := dashboardOf(t, f, "admin"); !near(h.Revenue, 1427) {
		t.Errorf("revenue %v, want 1427", h.Revenue)
	}
	order(5)
	if err := f.st.CreateInteraction(ctx, &kexi.Interaction{CustomerID: c1, At: date("2025-03-02"), Kind: kexi.Visit}); err != nil {
		t.Fatal(err)
	}
	if got := probe(t, f, "probe_lines", "lines", "admin"); got != 3 {
		t.Errorf("order lines after a write once they were loaded: %v, want 3", got)
	}
	if got := probe(t, f, "probe_interactions", "interactions", "admin"); got != 4 {
		t.Errorf("interactions after a write once they were loaded: %v, want 4", got)
	}
	d, err := f.srv.dataset(ctx, kexi.Scope{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	v := d.v
	if cur, _ := f.st.DataVersion(ctx); v != cur {
		t.Errorf("dataset at %d, data at %d", v, cur)
	}
	want, err := f.st.LoadDataset(ctx, kexi.Scope{}, d.parts)
	if err != nil {
		t.Fatal(err)
	}
	sameDataset(t, "after the writes", d.ds, want)
	if n := lc.count(); n != 3 {
		t.Errorf("%d loads (%#x), want 3: the dashboard's and two parts added; the writes spliced in", n, lc.partsLoaded())
	}
}

// A write while a part is being added shows on the next dashboard, which does not wait for the
// part; the page that asked for the part gets it, and the Dataset held then equals a fresh
// load of its parts.
func TestDatasetWriteWhileWidening(t *testing.T) {
	f := newFixtureWith(t, probes())
	lc := counted(f)
	dashboardOf(t, f, "admin")
	gate := make(chan struct{})
	lc.mu.Lock()
	lc.gate = gate
	lc.mu.Unlock()
	probed := make(chan *httptest.ResponseRecorder, 1)
	go func() { probed <- f.do(req{method: "GET", path: "/api/v1/analyses/probe_events", as: "admin"}) }()
	for lc.count() < 2 { // the events' load has begun, and waits at the gate
		time.Sleep(time.Millisecond)
	}
	w := f.do(req{method: "POST", path: "/api/v1/orders", as: "admin",
		body: map[string]any{"customer": "C1", "ordered_at": "2025-03-06T10:00:00Z", "amount": 77}})
	if w.Code != 201 {
		t.Fatalf("create order: %d %s", w.Code, w.Body)
	}
	got := make(chan Headline, 1)
	go func() {
		var h Headline
		json.Unmarshal(f.do(req{method: "GET", path: "/api/v1/dashboard", as: "admin"}).Body.Bytes(), &h)
		got <- h
	}()
	select {
	case h := <-got:
		if !near(h.Revenue, 1427) {
			t.Errorf("revenue after the order %v, want 1427", h.Revenue)
		}
	case <-time.After(time.Minute):
		t.Fatal("the dashboard waited for the part being added")
	}
	close(gate)
	var res analysis.Result
	decode(t, <-probed, &res)
	if e, _ := res.Figure("events"); e.Value != 2 {
		t.Errorf("events %v, want 2", e.Value)
	}
	ctx := context.Background()
	d, err := f.srv.dataset(ctx, kexi.Scope{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	v := d.v
	if cur, _ := f.st.DataVersion(ctx); v != cur || !d.parts.Has(kexi.PartEvents) {
		t.Errorf("dataset at %d with parts %#x; data at %d", v, d.parts, cur)
	}
	want, err := f.st.LoadDataset(ctx, kexi.Scope{}, d.parts)
	if err != nil {
		t.Fatal(err)
	}
	sameDataset(t, "after the write and the widening", d.ds, want)
}

// A page that needs a part the Dataset lacks, after the data moved under it (an import through
// another server, here straight into the store), gets one consistent Dataset: not the orders of
// after the import beside the customers of before it, which the pages would be shown while the
// import's reload ran.
func TestWidenAfterImportConsistent(t *testing.T) {
	ctx := context.Background()
	f := newFixtureWith(t, nil)
	v1, err := f.st.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.srv.datasetAt(ctx, v1, kexi.Scope{}, 0); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	if _, err := f.st.Import(ctx, &kexi.Batch{Orders: []kexi.Order{
		{ExternalID: "W1", Customer: "NEW-1", OrderedAt: at, Amount: 5,
			Items: []kexi.OrderItem{{SKU: "S1", Quantity: 1, UnitPrice: 5}}}}}); err != nil {
		t.Fatal(err)
	}
	v2, err := f.st.DataVersion(ctx)
	if err != nil || v2 <= v1 {
		t.Fatalf("version after the import %d (%v), before %d", v2, err, v1)
	}
	lines := kexi.PartLines
	if f.srv.base.Has(lines) {
		t.Fatalf("the base parts %#x have the lines: pick another part to widen with", uint32(f.srv.base))
	}
	d, err := f.srv.datasetAt(ctx, v2, kexi.Scope{}, lines)
	if err != nil {
		t.Fatal(err)
	}
	ot := &d.ds.Orders
	for i, id := range ot.CustomerID {
		if _, ok := d.index[id]; id != 0 && !ok {
			t.Errorf("order %d names customer %d, who is not in the Dataset (%d customers)", ot.ID[i], id, len(d.ds.Customers))
		}
	}
	if n := len(ot.ID); n != 6 {
		t.Errorf("%d orders in the Dataset at version %d, want the fixture's 5 and the one imported", n, d.v)
	}
}
