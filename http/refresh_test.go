package kexihttp

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
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
	gate  chan struct{}
}

func (c *loadCounter) LoadDataset(ctx context.Context, sc kexi.Scope, p kexi.Parts) (*kexi.Dataset, error) {
	c.mu.Lock()
	c.loads++
	gate := c.gate
	c.mu.Unlock()
	if gate != nil {
		<-gate
	}
	return c.DB.LoadDataset(ctx, sc, p)
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
	before, _, err := f.srv.dataset(ctx, kexi.Scope{})
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
		d, _, err := f.srv.dataset(ctx, kexi.Scope{})
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
		d, _, err := f.srv.dataset(ctx, kexi.Scope{})
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
	before, _, err := f.srv.dataset(ctx, kexi.Scope{})
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
	if d, _, err := f.srv.dataset(ctx, kexi.Scope{}); err != nil || d != before {
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
				d, v, err := f.srv.dataset(ctx, scopes[(r+i)%len(scopes)])
				if err != nil {
					t.Error(err)
					return
				}
				if cur, _ := f.st.DataVersion(ctx); v > cur || len(d.index) != len(d.ds.Customers) {
					t.Errorf("dataset at %d, data at %d; index %d of %d customers", v, cur, len(d.index), len(d.ds.Customers))
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
		d, v, err := f.srv.dataset(ctx, sc)
		if err != nil {
			t.Fatal(err)
		}
		want, err := f.st.LoadDataset(ctx, sc, kexi.AllParts)
		if err != nil {
			t.Fatal(err)
		}
		if cur, _ := f.st.DataVersion(ctx); v != cur {
			t.Errorf("scope %+v: dataset at %d, data at %d", sc, v, cur)
		}
		if !reflect.DeepEqual(d.ds, want) {
			t.Errorf("scope %+v: the Dataset held differs from a fresh load", sc)
		}
	}
}

// slowCLV is an analysis named clv whose total is the number of orders it saw; every run
// after the first waits for gate.
type slowCLV struct {
	mu   sync.Mutex
	runs int
	gate chan struct{}
}

func (a *slowCLV) Info() analysis.Info { return analysis.Info{Name: "clv"} }

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
