// Package storetest is the conformance suite every kexi.Store passes: CRUD for every entity,
// filters, sorting, paging and totals, custom-field filters, scope enforcement, error codes,
// Import (upsert, Present, stubs, no-op re-import, all or nothing), LoadDataset and its
// invariants, sessions, settings, the audit log and saved views.
//
// A store's test calls Run with a function that opens a new, empty store:
//
//	storetest.Run(t, func(t *testing.T) kexi.Store { … })
package storetest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kexi/kexi"
)

// Run runs the conformance suite; open must return a new, empty store for each subtest and
// arrange for it to be closed (t.Cleanup).
func Run(t *testing.T, open func(t *testing.T) kexi.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s kexi.Store)
	}{
		{"Customers", testCustomers},
		{"Orders", testOrders},
		{"OtherEntities", testOtherEntities},
		{"Leads", testLeads},
		{"Competitors", testCompetitors},
		{"Filters", testFilters},
		{"CustomFieldFilters", testCustomFilters},
		{"Scope", testScope},
		{"Import", testImport},
		{"ImportPresent", testImportPresent},
		{"ImportAllOrNothing", testImportAllOrNothing},
		{"ImportRefByID", testImportRefByID},
		{"ImportLeadStages", testImportLeadStages},
		{"ImportOrderLines", testImportOrderLines},
		{"LoadDataset", testLoadDataset},
		{"DataVersion", testDataVersion},
		{"Changes", testChanges},
		{"Refresh", testRefresh},
		{"UsersSessions", testUsersSessions},
		{"SettingsAudit", testSettingsAudit},
		{"SavedViews", testSavedViews},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

var ctx = context.Background()

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := kexi.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}

// wantField checks that an EINVALID error names a field in its problems.
func wantField(t *testing.T, err error, field string) {
	t.Helper()
	wantCode(t, err, kexi.EINVALID)
	var e *kexi.Error
	errors.As(err, &e)
	for _, p := range e.Problems {
		if p.Column == field {
			return
		}
	}
	t.Fatalf("error %v does not name field %q (problems %+v)", err, field, e.Problems)
}

func testCustomers(t *testing.T, s kexi.Store) {
	c := &kexi.Customer{ExternalID: "C1", Name: "王芳", Kind: kexi.Individual, Gender: "female",
		BirthDate: day(1990, 5, 17), Income: 12000.5, Province: "广东", City: "广州", Phone: "13800138000",
		Email: "wf@example.com", Channel: "wechat", Owner: "li.na", Tags: []string{"vip", "new"},
		Custom: map[string]string{"plan": "gold", "score": "9"}}
	must(t, s.CreateCustomer(ctx, c))
	if c.ID == 0 || c.CreatedAt.IsZero() || c.UpdatedAt.IsZero() || c.CreatedAt.Location() != time.UTC {
		t.Fatalf("create did not fill ID and UTC stamps: %+v", c)
	}
	got, err := s.FindCustomerByID(ctx, c.ID)
	must(t, err)
	if got.Name != "王芳" || got.Phone != "13800138000" || got.Email != "wf@example.com" || !got.BirthDate.Equal(day(1990, 5, 17)) ||
		got.Income != 12000.5 || !slices.Equal(got.Tags, []string{"vip", "new"}) || got.Custom["plan"] != "gold" ||
		got.Custom["score"] != "9" || got.Kind != kexi.Individual || got.Owner != "li.na" || !got.CreatedAt.Equal(c.CreatedAt) {
		t.Fatalf("round trip: got %+v", got)
	}
	// Duplicate external id → conflict; missing id → not found; bad kind → invalid.
	wantCode(t, s.CreateCustomer(ctx, &kexi.Customer{ExternalID: "C1", Name: "x"}), kexi.ECONFLICT)
	wantCode(t, s.UpdateCustomer(ctx, &kexi.Customer{ID: 999, Name: "x"}), kexi.ENOTFOUND)
	wantField(t, s.CreateCustomer(ctx, &kexi.Customer{Name: "x", Kind: "alien"}), "kind")
	wantField(t, s.CreateCustomer(ctx, &kexi.Customer{Name: "x", Income: math.NaN()}), "income")
	_, err = s.FindCustomerByID(ctx, 999)
	wantCode(t, err, kexi.ENOTFOUND)

	got.City, got.Phone, got.Tags = "深圳", "", nil
	must(t, s.UpdateCustomer(ctx, got))
	again, err := s.FindCustomerByID(ctx, c.ID)
	must(t, err)
	if again.City != "深圳" || again.Phone != "" || again.Tags != nil || again.Email != "wf@example.com" {
		t.Fatalf("after update: %+v", again)
	}
	// Two customers without external ids do not conflict.
	must(t, s.CreateCustomer(ctx, &kexi.Customer{Name: "a"}))
	must(t, s.CreateCustomer(ctx, &kexi.Customer{Name: "b"}))
	must(t, s.DeleteCustomer(ctx, c.ID))
	wantCode(t, s.DeleteCustomer(ctx, c.ID), kexi.ENOTFOUND)
	_, err = s.FindCustomerByID(ctx, c.ID)
	wantCode(t, err, kexi.ENOTFOUND)
}

func testOrders(t *testing.T, s kexi.Store) {
	c := &kexi.Customer{ExternalID: "C1", Name: "A"}
	must(t, s.CreateCustomer(ctx, c))
	p := &kexi.Product{ExternalID: "SKU1", Name: "Tea", Category: "food", Price: 10}
	must(t, s.CreateProduct(ctx, p))
	o := &kexi.Order{ExternalID: "O1", Customer: "C1", OrderedAt: time.Date(2025, 3, 1, 10, 30, 0, 0, time.UTC),
		Amount: 25, Cost: 12, Channel: "online", Status: kexi.StatusCompleted,
		Items: []kexi.OrderItem{{SKU: "SKU1", Name: "Tea", Quantity: 2, UnitPrice: 10}, {SKU: "X", Quantity: 1, UnitPrice: 5}}}
	must(t, s.CreateOrder(ctx, o))
	if o.CustomerID != c.ID {
		t.Fatalf("order customer id %d, want %d (resolved from external id)", o.CustomerID, c.ID)
	}
	got, err := s.FindOrderByID(ctx, o.ID)
	must(t, err)
	if got.Customer != "C1" || got.Amount != 25 || !got.OrderedAt.Equal(o.OrderedAt) || len(got.Items) != 2 ||
		got.Items[0].ProductID != p.ID || got.Items[1].ProductID != 0 || got.Items[1].SKU != "X" || got.Items[0].Quantity != 2 {
		t.Fatalf("order round trip: %+v", got)
	}
	wantField(t, s.CreateOrder(ctx, &kexi.Order{ExternalID: "O2", CustomerID: c.ID}), "ordered_at")
	wantField(t, s.CreateOrder(ctx, &kexi.Order{OrderedAt: day(2025, 1, 1), Amount: math.Inf(1)}), "amount")
	wantCode(t, s.CreateOrder(ctx, &kexi.Order{ExternalID: "O1", OrderedAt: day(2025, 1, 1)}), kexi.ECONFLICT)
	wantCode(t, s.CreateOrder(ctx, &kexi.Order{Customer: "nobody", OrderedAt: day(2025, 1, 1)}), kexi.EINVALID)
	// Items are replaced on update.
	got.Items = []kexi.OrderItem{{SKU: "SKU1", Quantity: 3, UnitPrice: 9}}
	must(t, s.UpdateOrder(ctx, got))
	again, err := s.FindOrderByID(ctx, o.ID)
	must(t, err)
	if len(again.Items) != 1 || again.Items[0].Quantity != 3 {
		t.Fatalf("items after update: %+v", again.Items)
	}
	wantCode(t, s.UpdateOrder(ctx, &kexi.Order{ID: 999, OrderedAt: day(2025, 1, 1)}), kexi.ENOTFOUND)
	// Deleting a product leaves the lines that name it with their SKU and no product id.
	p2 := &kexi.Product{ExternalID: "SKU2", Name: "Cup"}
	must(t, s.CreateProduct(ctx, p2))
	o3 := &kexi.Order{ExternalID: "O3", Customer: "C1", OrderedAt: day(2025, 3, 3), Amount: 7,
		Items: []kexi.OrderItem{{SKU: "SKU1", Quantity: 1, UnitPrice: 4}, {SKU: "SKU2", Name: "Cup", Quantity: 1, UnitPrice: 3}}}
	must(t, s.CreateOrder(ctx, o3))
	if o3.Items[1].ProductID != p2.ID {
		t.Fatalf("line of SKU2: product %d, want %d", o3.Items[1].ProductID, p2.ID)
	}
	must(t, s.DeleteProduct(ctx, p2.ID))
	after, err := s.FindOrderByID(ctx, o3.ID)
	must(t, err)
	if len(after.Items) != 2 || after.Items[0].ProductID != p.ID || after.Items[1].ProductID != 0 ||
		after.Items[1].SKU != "SKU2" || after.Items[1].Name != "Cup" {
		t.Fatalf("lines after deleting product SKU2: %+v", after.Items)
	}
	if again, err := s.FindOrderByID(ctx, o.ID); err != nil || again.Items[0].ProductID != p.ID {
		t.Fatalf("an order without SKU2 changed: %+v %v", again, err)
	}
	// An anonymous order has no customer.
	anon := &kexi.Order{OrderedAt: day(2025, 2, 2), Amount: 3}
	must(t, s.CreateOrder(ctx, anon))
	if a, _ := s.FindOrderByID(ctx, anon.ID); a.CustomerID != 0 || a.Customer != "" {
		t.Fatalf("anonymous order: %+v", a)
	}
	// Deleting the customer deletes its orders (cascade), not the anonymous one.
	x := &kexi.Interaction{Customer: "C1", At: day(2025, 3, 2), Kind: kexi.Complaint, Minutes: 5}
	must(t, s.CreateInteraction(ctx, x))
	must(t, s.DeleteCustomer(ctx, c.ID))
	_, err = s.FindOrderByID(ctx, o.ID)
	wantCode(t, err, kexi.ENOTFOUND)
	_, err = s.FindInteractionByID(ctx, x.ID)
	wantCode(t, err, kexi.ENOTFOUND)
	if _, err := s.FindOrderByID(ctx, anon.ID); err != nil {
		t.Fatalf("anonymous order gone: %v", err)
	}
	must(t, s.DeleteOrder(ctx, anon.ID))
	wantCode(t, s.DeleteOrder(ctx, anon.ID), kexi.ENOTFOUND)
}

func testOtherEntities(t *testing.T, s kexi.Store) {
	c := &kexi.Customer{ExternalID: "C1", Name: "A"}
	must(t, s.CreateCustomer(ctx, c))
	at := time.Date(2025, 4, 1, 8, 0, 0, 0, time.UTC)

	x := &kexi.Interaction{ExternalID: "I1", CustomerID: c.ID, At: at, Kind: kexi.Visit, Minutes: 30, Rep: "li.na"}
	must(t, s.CreateInteraction(ctx, x))
	gx, err := s.FindInteractionByID(ctx, x.ID)
	must(t, err)
	if gx.Minutes != 30 || gx.Customer != "C1" || !gx.At.Equal(at) {
		t.Fatalf("interaction: %+v", gx)
	}
	gx.Minutes = 45
	must(t, s.UpdateInteraction(ctx, gx))
	wantField(t, s.CreateInteraction(ctx, &kexi.Interaction{CustomerID: c.ID}), "at")

	e := &kexi.WebEvent{AnonymousID: "anon-1", At: at, Type: "page_view", Page: "/p/1", Dwell: 12.5}
	must(t, s.CreateEvent(ctx, e))
	ge, err := s.FindEventByID(ctx, e.ID)
	must(t, err)
	if ge.CustomerID != 0 || ge.AnonymousID != "anon-1" || ge.Dwell != 12.5 {
		t.Fatalf("event: %+v", ge)
	}
	must(t, s.DeleteEvent(ctx, e.ID))

	sv := &kexi.SurveyResponse{CustomerID: c.ID, At: at, Kind: kexi.NPS, Score: 9, Comment: "好"}
	must(t, s.CreateSurvey(ctx, sv))
	// Score ranges: NPS 0–10, CSAT 1–5, CES 1–7.
	wantField(t, s.CreateSurvey(ctx, &kexi.SurveyResponse{At: at, Kind: kexi.NPS, Score: 11}), "score")
	wantField(t, s.CreateSurvey(ctx, &kexi.SurveyResponse{At: at, Kind: kexi.CSAT, Score: 0}), "score")
	wantField(t, s.CreateSurvey(ctx, &kexi.SurveyResponse{At: at, Kind: kexi.CES, Score: 8}), "score")
	wantField(t, s.CreateSurvey(ctx, &kexi.SurveyResponse{At: at, Kind: "stars", Score: 3}), "kind")
	must(t, s.CreateSurvey(ctx, &kexi.SurveyResponse{At: at, Kind: kexi.CES, Score: 7}))

	k := &kexi.Campaign{ExternalID: "K1", Name: "Spring", Start: day(2025, 3, 1), End: day(2025, 3, 31), Cost: 5000}
	must(t, s.CreateCampaign(ctx, k))
	wantField(t, s.CreateCampaign(ctx, &kexi.Campaign{Name: "bad", Start: day(2025, 3, 1), End: day(2025, 2, 1)}), "end")
	r := &kexi.CampaignResponse{Campaign: "K1", Customer: "C1", At: at, Kind: "bought", Value: 99, Control: true}
	must(t, s.CreateResponse(ctx, r))
	gr, err := s.FindResponseByID(ctx, r.ID)
	must(t, err)
	if gr.CampaignID != k.ID || gr.CustomerID != c.ID || gr.Campaign != "K1" || !gr.Control || gr.Value != 99 {
		t.Fatalf("response: %+v", gr)
	}
	wantCode(t, s.CreateResponse(ctx, &kexi.CampaignResponse{Campaign: "nope", Customer: "C1"}), kexi.EINVALID)
	// Deleting the campaign deletes its responses.
	must(t, s.DeleteCampaign(ctx, k.ID))
	_, err = s.FindResponseByID(ctx, r.ID)
	wantCode(t, err, kexi.ENOTFOUND)

	w := &kexi.SWOTItem{Kind: "S", Text: "强大的品牌", Impact: 4, Metric: "satisfaction.nps"}
	must(t, s.CreateSWOTItem(ctx, w))
	wantField(t, s.CreateSWOTItem(ctx, &kexi.SWOTItem{Kind: "X", Text: "?"}), "kind")
	w.Impact = 5
	must(t, s.UpdateSWOTItem(ctx, w))
	gw, err := s.FindSWOTItemByID(ctx, w.ID)
	must(t, err)
	if gw.Impact != 5 || gw.Text != "强大的品牌" {
		t.Fatalf("swot: %+v", gw)
	}
	list, n, err := s.FindSWOTItems(ctx, kexi.Filter{})
	must(t, err)
	if n != 1 || len(list) != 1 {
		t.Fatalf("swot list %d/%d", len(list), n)
	}
	p := &kexi.Product{ExternalID: "P1", Name: "Tea", Price: 10}
	must(t, s.CreateProduct(ctx, p))
	p.Price = 12
	must(t, s.UpdateProduct(ctx, p))
	gp, err := s.FindProductByID(ctx, p.ID)
	must(t, err)
	if gp.Price != 12 {
		t.Fatalf("product: %+v", gp)
	}
	must(t, s.DeleteProduct(ctx, p.ID))
}

func testLeads(t *testing.T, s kexi.Store) {
	l := &kexi.Lead{ExternalID: "L1", Name: "张三", Company: "ACME", Source: "search_ads", Owner: "li.na", Value: 5000,
		Stages: []kexi.StageEntry{
			{Stage: kexi.StageConsultation, EnteredAt: day(2025, 1, 5)},
			{Stage: kexi.StageNew, EnteredAt: day(2025, 1, 1)},
		}, Custom: map[string]string{"industry": "retail"}}
	must(t, s.CreateLead(ctx, l))
	got, err := s.FindLeadByID(ctx, l.ID)
	must(t, err)
	// History sorted by time; Stage is the latest entry; CreatedAt defaults to the first entry.
	if got.Stage != kexi.StageConsultation || len(got.Stages) != 2 || got.Stages[0].Stage != kexi.StageNew ||
		!got.CreatedAt.Equal(day(2025, 1, 1)) || got.Custom["industry"] != "retail" {
		t.Fatalf("lead: %+v", got)
	}
	got.Stages = append(got.Stages, kexi.StageEntry{Stage: kexi.StageWon, EnteredAt: day(2025, 2, 1)})
	must(t, s.UpdateLead(ctx, got))
	again, err := s.FindLeadByID(ctx, l.ID)
	must(t, err)
	if again.Stage != kexi.StageWon || len(again.Stages) != 3 {
		t.Fatalf("lead after update: %+v", again)
	}
	wantField(t, s.CreateLead(ctx, &kexi.Lead{Name: "x", Stages: []kexi.StageEntry{{Stage: "new"}}}), "stages[0].entered_at")
	must(t, s.DeleteLead(ctx, l.ID))
	_, err = s.FindLeadByID(ctx, l.ID)
	wantCode(t, err, kexi.ENOTFOUND)
}

func testCompetitors(t *testing.T, s kexi.Store) {
	c := &kexi.Competitor{ExternalID: "X", Name: "对手甲", Positioning: "low",
		Shares: []kexi.MarketShare{{Period: "2025", Region: "广东", Share: 0.3}, {Period: "2024", Share: 0.25}}}
	must(t, s.CreateCompetitor(ctx, c))
	got, err := s.FindCompetitorByID(ctx, c.ID)
	must(t, err)
	if len(got.Shares) != 2 || got.Shares[0].Period != "2024" || got.Shares[1].Share != 0.3 {
		t.Fatalf("competitor shares: %+v", got.Shares)
	}
	wantField(t, s.CreateCompetitor(ctx, &kexi.Competitor{Name: "y", Shares: []kexi.MarketShare{{Period: "2025", Share: 1.5}}}), "shares[0].share")
	got.Shares = got.Shares[:1]
	must(t, s.UpdateCompetitor(ctx, got))
	list, n, err := s.FindCompetitors(ctx, kexi.Filter{})
	must(t, err)
	if n != 1 || len(list[0].Shares) != 1 {
		t.Fatalf("competitors after update: %d %+v", n, list)
	}
	must(t, s.DeleteCompetitor(ctx, c.ID))
}

// seedCustomers creates five customers:
//
//	C1 王芳   广东 income 1000  owner a  custom.score "9"   tags vip
//	C2 李娜   广东 income 5000  owner b  custom.score "10"
//	C3 Zhang 江苏 income 3000  owner a  custom.score "2"   tags vip,new
//	C4 Wang  江苏 income 0     owner b
//	C5 Li    上海 income 2500  owner a  custom.score "x"
func seedCustomers(t *testing.T, s kexi.Store) []*kexi.Customer {
	cs := []*kexi.Customer{
		{ExternalID: "C1", Name: "王芳", Province: "广东", Income: 1000, Owner: "a", Custom: map[string]string{"score": "9"}, Tags: []string{"vip"}},
		{ExternalID: "C2", Name: "李娜", Province: "广东", Income: 5000, Owner: "b", Custom: map[string]string{"score": "10"}},
		{ExternalID: "C3", Name: "Zhang Wei", Province: "江苏", Income: 3000, Owner: "a", Custom: map[string]string{"score": "2"}, Tags: []string{"vip", "new"}},
		{ExternalID: "C4", Name: "Wang Fang", Province: "江苏", Owner: "b"},
		{ExternalID: "C5", Name: "Li Na", Province: "上海", Income: 2500, Owner: "a", Custom: map[string]string{"score": "x"}},
	}
	for _, c := range cs {
		must(t, s.CreateCustomer(ctx, c))
	}
	return cs
}

func exts(list []*kexi.Customer) []string {
	var out []string
	for _, c := range list {
		out = append(out, c.ExternalID)
	}
	return out
}

func findC(t *testing.T, s kexi.Store, f kexi.Filter) ([]string, int) {
	t.Helper()
	list, n, err := s.FindCustomers(ctx, f)
	must(t, err)
	return exts(list), n
}

func testFilters(t *testing.T, s kexi.Store) {
	seedCustomers(t, s)
	cases := []struct {
		name  string
		f     kexi.Filter
		want  []string
		total int
	}{
		{"all by id", kexi.Filter{}, []string{"C1", "C2", "C3", "C4", "C5"}, 5},
		{"province eq", kexi.Filter{Where: []kexi.Cond{{Field: "province", Op: kexi.Eq, Value: "广东"}}}, []string{"C1", "C2"}, 2},
		{"income gt 2500 (3000, 5000)", kexi.Filter{Where: []kexi.Cond{{Field: "income", Op: kexi.Gt, Value: "2500"}}}, []string{"C2", "C3"}, 2},
		{"income ge 2500", kexi.Filter{Where: []kexi.Cond{{Field: "income", Op: kexi.Ge, Value: "2500"}}}, []string{"C2", "C3", "C5"}, 3},
		{"two conditions", kexi.Filter{Where: []kexi.Cond{{Field: "province", Value: "江苏"}, {Field: "income", Op: kexi.Lt, Value: "100"}}}, []string{"C4"}, 1},
		{"contains is case-insensitive", kexi.Filter{Where: []kexi.Cond{{Field: "name", Op: kexi.Contains, Value: "wang"}}}, []string{"C4"}, 1},
		{"in", kexi.Filter{Where: []kexi.Cond{{Field: "external_id", Op: kexi.In, Value: "C5, C1"}}}, []string{"C1", "C5"}, 2},
		{"ne", kexi.Filter{Where: []kexi.Cond{{Field: "owner", Op: kexi.Ne, Value: "a"}}}, []string{"C2", "C4"}, 2},
		{"tags eq", kexi.Filter{Where: []kexi.Cond{{Field: "tags", Op: kexi.Eq, Value: "vip"}}}, []string{"C1", "C3"}, 2},
		{"query over names", kexi.Filter{Query: "Li"}, []string{"C5"}, 1},
		{"sort -income", kexi.Filter{Sort: "-income"}, []string{"C2", "C3", "C5", "C1", "C4"}, 5},
		{"sort name", kexi.Filter{Sort: "name", Limit: 2}, []string{"C5", "C4"}, 5},
		// Paging: income descending is C2 C3 C5 C1 C4; offset 1 limit 2 → C3 C5; total stays 5.
		{"paging", kexi.Filter{Sort: "-income", Offset: 1, Limit: 2}, []string{"C3", "C5"}, 5},
		{"no limit", kexi.Filter{Limit: -1, Offset: 3}, []string{"C4", "C5"}, 5},
	}
	for _, tc := range cases {
		got, n := findC(t, s, tc.f)
		if !slices.Equal(got, tc.want) || n != tc.total {
			t.Errorf("%s: got %v total %d, want %v total %d", tc.name, got, n, tc.want, tc.total)
		}
	}
	_, _, err := s.FindCustomers(ctx, kexi.Filter{Where: []kexi.Cond{{Field: "shoe_size", Value: "9"}}})
	wantField(t, err, "shoe_size")
	_, _, err = s.FindCustomers(ctx, kexi.Filter{Sort: "-shoe_size"})
	wantField(t, err, "shoe_size")
	_, _, err = s.FindCustomers(ctx, kexi.Filter{Where: []kexi.Cond{{Field: "income", Op: kexi.Gt, Value: "lots"}}})
	wantField(t, err, "income")
	_, _, err = s.FindCustomers(ctx, kexi.Filter{Where: []kexi.Cond{{Field: "income", Op: "near", Value: "1"}}})
	wantField(t, err, "income")

	// Default limit: 105 customers in all → the first page holds 100, total 105.
	for i := 0; i < 100; i++ {
		must(t, s.CreateCustomer(ctx, &kexi.Customer{Name: "n"}))
	}
	list, n, err := s.FindCustomers(ctx, kexi.Filter{})
	must(t, err)
	if len(list) != kexi.DefaultLimit || n != 105 {
		t.Fatalf("default limit: %d of %d", len(list), n)
	}

	// Orders: dates filter whole UTC days; "customer" matches the customer's external id.
	for i, at := range []time.Time{time.Date(2025, 1, 1, 23, 59, 0, 0, time.UTC), day(2025, 1, 2), time.Date(2025, 1, 2, 18, 0, 0, 0, time.UTC), day(2025, 1, 3)} {
		must(t, s.CreateOrder(ctx, &kexi.Order{Customer: []string{"C1", "C2", "C1", "C3"}[i], OrderedAt: at, Amount: float64(10 * (i + 1))}))
	}
	cases2 := []struct {
		f     kexi.Filter
		want  []float64
		total int
	}{
		{kexi.Filter{Where: []kexi.Cond{{Field: "ordered_at", Op: kexi.Eq, Value: "2025-01-02"}}}, []float64{20, 30}, 2},
		{kexi.Filter{Where: []kexi.Cond{{Field: "ordered_at", Op: kexi.Le, Value: "2025-01-02"}}}, []float64{10, 20, 30}, 3},
		{kexi.Filter{Where: []kexi.Cond{{Field: "ordered_at", Op: kexi.Gt, Value: "2025-01-02"}}}, []float64{40}, 1},
		{kexi.Filter{Where: []kexi.Cond{{Field: "ordered_at", Op: kexi.Ge, Value: "2025-01-02T12:00:00Z"}}}, []float64{30, 40}, 2},
		{kexi.Filter{Where: []kexi.Cond{{Field: "customer", Value: "C1"}}, Sort: "-amount"}, []float64{30, 10}, 2},
	}
	for i, tc := range cases2 {
		list, n, err := s.FindOrders(ctx, tc.f)
		must(t, err)
		var got []float64
		for _, o := range list {
			got = append(got, o.Amount)
		}
		if !slices.Equal(got, tc.want) || n != tc.total {
			t.Errorf("orders case %d: got %v total %d, want %v total %d", i, got, n, tc.want, tc.total)
		}
	}
	_, _, err = s.FindOrders(ctx, kexi.Filter{Where: []kexi.Cond{{Field: "ordered_at", Value: "yesterday"}}})
	wantField(t, err, "ordered_at")
}

func testCustomFilters(t *testing.T, s kexi.Store) {
	seedCustomers(t, s)
	// Scores "9", "10", "2", "x": numerically > 5 is 9 and 10 (as text "10" < "5", so a text
	// comparison would miss C2).
	got, n := findC(t, s, kexi.Filter{Where: []kexi.Cond{{Field: "custom.score", Op: kexi.Gt, Value: "5"}}})
	if !slices.Equal(got, []string{"C1", "C2"}) || n != 2 {
		t.Fatalf("custom.score > 5: %v %d", got, n)
	}
	got, _ = findC(t, s, kexi.Filter{Where: []kexi.Cond{{Field: "custom.score", Op: kexi.Eq, Value: "x"}}})
	if !slices.Equal(got, []string{"C5"}) {
		t.Fatalf("custom.score = x: %v", got)
	}
	got, _ = findC(t, s, kexi.Filter{Where: []kexi.Cond{{Field: "custom.score", Op: kexi.In, Value: "2,9"}}})
	if !slices.Equal(got, []string{"C1", "C3"}) {
		t.Fatalf("custom.score in 2,9: %v", got)
	}
	// No customer has custom.plan.
	got, _ = findC(t, s, kexi.Filter{Where: []kexi.Cond{{Field: "custom.plan", Value: "gold"}}})
	if len(got) != 0 {
		t.Fatalf("custom.plan: %v", got)
	}
	_, _, err := s.FindCustomers(ctx, kexi.Filter{Where: []kexi.Cond{{Field: `custom.a"b`, Value: "1"}}})
	wantCode(t, err, kexi.EINVALID)
	_, _, err = s.FindOrders(ctx, kexi.Filter{Where: []kexi.Cond{{Field: "custom.x", Value: "1"}}})
	wantCode(t, err, kexi.EINVALID)
}

func testScope(t *testing.T, s kexi.Store) {
	seedCustomers(t, s)
	// Owner a has C1, C3, C5; one order each for C1..C4 and an anonymous one.
	for i, c := range []string{"C1", "C2", "C3", "C4", ""} {
		must(t, s.CreateOrder(ctx, &kexi.Order{Customer: c, OrderedAt: day(2025, 1, i+1), Amount: float64(i + 1),
			Items: []kexi.OrderItem{{SKU: "S", Quantity: 1, UnitPrice: float64(i + 1)}}}))
	}
	must(t, s.CreateSurvey(ctx, &kexi.SurveyResponse{Customer: "C2", At: day(2025, 1, 1), Kind: kexi.NPS, Score: 3}))
	must(t, s.CreateLead(ctx, &kexi.Lead{Name: "la", Owner: "a", Province: "广东"}))
	must(t, s.CreateLead(ctx, &kexi.Lead{Name: "lb", Owner: "b", Customer: "C2", Province: "浙江"}))
	must(t, s.CreateLead(ctx, &kexi.Lead{Name: "lc", Owner: "b"}))
	must(t, s.CreateLead(ctx, &kexi.Lead{Name: "ld", Owner: "b", Province: "浙江"}))

	sa := kexi.Scope{Owner: "a"}
	got, n := findC(t, s, kexi.Filter{Scope: sa})
	if !slices.Equal(got, []string{"C1", "C3", "C5"}) || n != 3 {
		t.Fatalf("owner a customers: %v %d", got, n)
	}
	// A filter cannot widen the scope.
	got, _ = findC(t, s, kexi.Filter{Scope: sa, Where: []kexi.Cond{{Field: "external_id", Value: "C2"}}})
	if len(got) != 0 {
		t.Fatalf("owner a sees C2: %v", got)
	}
	os, n, err := s.FindOrders(ctx, kexi.Filter{Scope: sa})
	must(t, err)
	if n != 2 || os[0].Customer != "C1" || os[1].Customer != "C3" {
		t.Fatalf("owner a orders: %d %+v", n, os)
	}
	_, n, err = s.FindSurveys(ctx, kexi.Filter{Scope: sa})
	must(t, err)
	if n != 0 {
		t.Fatalf("owner a sees %d surveys of C2", n)
	}
	ls, _, err := s.FindLeads(ctx, kexi.Filter{Scope: sa})
	must(t, err)
	if len(ls) != 1 || ls[0].Name != "la" {
		t.Fatalf("owner a leads: %+v", ls)
	}
	// Region 广东: C1, C2; their orders (amounts 1, 2); leads: la (unconverted, in 广东) and lb
	// (converted to C2 in 广东, whatever its own province); not lc (no province) nor ld (浙江).
	sr := kexi.Scope{Region: "广东"}
	got, _ = findC(t, s, kexi.Filter{Scope: sr})
	if !slices.Equal(got, []string{"C1", "C2"}) {
		t.Fatalf("region customers: %v", got)
	}
	d, err := s.LoadDataset(ctx, sr, kexi.AllParts)
	must(t, err)
	if len(d.Customers) != 2 || d.Orders.Len() != 2 || len(d.Surveys) != 1 || len(d.Leads) != 2 {
		t.Fatalf("region dataset: %d customers %d orders %d surveys %d leads", len(d.Customers), d.Orders.Len(), len(d.Surveys), len(d.Leads))
	}
	ls, _, err = s.FindLeads(ctx, kexi.Filter{Scope: sr, Sort: "name"})
	must(t, err)
	if len(ls) != 2 || ls[0].Name != "la" || ls[1].Name != "lb" || ls[0].Province != "广东" {
		t.Fatalf("region leads: %+v", ls)
	}
	d, err = s.LoadDataset(ctx, sa, kexi.AllParts)
	must(t, err)
	var amounts []float64
	for _, o := range d.Orders.All() {
		amounts = append(amounts, o.Amount)
		if len(o.Items) != 1 || o.Items[0].UnitPrice != o.Amount {
			t.Fatalf("scoped order items: %+v", o)
		}
	}
	if len(d.Customers) != 3 || !slices.Equal(amounts, []float64{1, 3}) || len(d.Surveys) != 0 || len(d.Leads) != 1 {
		t.Fatalf("owner a dataset: %d customers, orders %v, %d surveys, %d leads", len(d.Customers), amounts, len(d.Surveys), len(d.Leads))
	}
	// Both restrictions at once: owner a in 江苏 → C3 only.
	got, _ = findC(t, s, kexi.Filter{Scope: kexi.Scope{Owner: "a", Region: "江苏"}})
	if !slices.Equal(got, []string{"C3"}) {
		t.Fatalf("owner a in 江苏: %v", got)
	}
}

func count(m map[string]int, k string) int { return m[k] }

func testImport(t *testing.T, s kexi.Store) {
	b := &kexi.Batch{
		Customers: []kexi.Customer{{ExternalID: "C1", Name: "A", Province: "广东", Phone: "138"}, {ExternalID: "C2", Name: "B"}},
		Products:  []kexi.Product{{ExternalID: "SKU1", Name: "Tea", Category: "food"}},
		Campaigns: []kexi.Campaign{{ExternalID: "K1", Name: "Spring"}},
		Orders: []kexi.Order{
			{ExternalID: "O1", Customer: "C1", OrderedAt: day(2025, 1, 1), Amount: 10, Items: []kexi.OrderItem{{SKU: "SKU1", Quantity: 1, UnitPrice: 10}}},
			{ExternalID: "O2", Customer: "C9", OrderedAt: day(2025, 1, 2), Amount: 20}, // C9 becomes a stub
			{ExternalID: "O3", OrderedAt: day(2025, 1, 3), Amount: 30},                 // anonymous
		},
		Surveys:   []kexi.SurveyResponse{{ExternalID: "S1", Customer: "C9", At: day(2025, 1, 5), Kind: kexi.CSAT, Score: 4}},
		Responses: []kexi.CampaignResponse{{ExternalID: "R1", Campaign: "K1", Customer: "C2", Kind: "yes"}},
	}
	st, err := s.Import(ctx, b)
	must(t, err)
	if count(st.Inserted, kexi.KindCustomers) != 2 || count(st.Inserted, kexi.KindOrders) != 3 || st.Stubs != 1 ||
		count(st.Inserted, kexi.KindSurveys) != 1 || count(st.Inserted, kexi.KindResponses) != 1 {
		t.Fatalf("first import stats: %+v", st)
	}
	v1, err := s.DataVersion(ctx)
	must(t, err)
	stub, _, err := s.FindCustomers(ctx, kexi.Filter{Where: []kexi.Cond{{Field: "external_id", Value: "C9"}}})
	must(t, err)
	if len(stub) != 1 || !stub[0].Stub || stub[0].Name != "C9" {
		t.Fatalf("stub customer: %+v", stub)
	}
	os, _, err := s.FindOrders(ctx, kexi.Filter{Sort: "ordered_at"})
	must(t, err)
	if os[0].Customer != "C1" || os[0].Items[0].ProductID == 0 || os[1].CustomerID != stub[0].ID || os[2].CustomerID != 0 {
		t.Fatalf("references: %+v", os)
	}
	rs, _, err := s.FindResponses(ctx, kexi.Filter{})
	must(t, err)
	if rs[0].Campaign != "K1" || rs[0].Customer != "C2" {
		t.Fatalf("response refs: %+v", rs[0])
	}

	// Re-importing the same batch changes nothing and leaves the data version alone.
	st, err = s.Import(ctx, b)
	must(t, err)
	if count(st.Inserted, kexi.KindOrders) != 0 || count(st.Updated, kexi.KindOrders) != 0 || count(st.Unchanged, kexi.KindOrders) != 3 ||
		count(st.Unchanged, kexi.KindCustomers) != 2 || count(st.Updated, kexi.KindCustomers) != 0 || st.Stubs != 0 ||
		count(st.Unchanged, kexi.KindResponses) != 1 {
		t.Fatalf("no-op import stats: %+v", st)
	}
	if v2, _ := s.DataVersion(ctx); v2 != v1 {
		t.Fatalf("no-op import moved data version %d → %d", v1, v2)
	}

	// Importing the stub's customer record fills it in and clears Stub.
	st, err = s.Import(ctx, &kexi.Batch{Customers: []kexi.Customer{{ExternalID: "C9", Name: "Nine", City: "成都"}}})
	must(t, err)
	if count(st.Updated, kexi.KindCustomers) != 1 {
		t.Fatalf("stub fill stats: %+v", st)
	}
	c9, err := s.FindCustomerByID(ctx, stub[0].ID)
	must(t, err)
	if c9.Stub || c9.Name != "Nine" || c9.City != "成都" {
		t.Fatalf("filled stub: %+v", c9)
	}
	if v3, _ := s.DataVersion(ctx); v3 <= v1 {
		t.Fatalf("data version did not move on a real change: %d", v3)
	}
	// An order changed in one field and in its items → updated, items replaced.
	b2 := &kexi.Batch{Orders: []kexi.Order{{ExternalID: "O1", Customer: "C1", OrderedAt: day(2025, 1, 1), Amount: 12,
		Items: []kexi.OrderItem{{SKU: "SKU1", Quantity: 2, UnitPrice: 6}}}}}
	st, err = s.Import(ctx, b2)
	must(t, err)
	if count(st.Updated, kexi.KindOrders) != 1 {
		t.Fatalf("order update stats: %+v", st)
	}
	o1, _, _ := s.FindOrders(ctx, kexi.Filter{Where: []kexi.Cond{{Field: "external_id", Value: "O1"}}})
	if o1[0].Amount != 12 || len(o1[0].Items) != 1 || o1[0].Items[0].Quantity != 2 {
		t.Fatalf("order after update: %+v", o1[0])
	}
	// A batch repeating an external id: the last record wins.
	st, err = s.Import(ctx, &kexi.Batch{Products: []kexi.Product{{ExternalID: "P9", Name: "first"}, {ExternalID: "P9", Name: "second"}}})
	must(t, err)
	ps, n, _ := s.FindProducts(ctx, kexi.Filter{Where: []kexi.Cond{{Field: "external_id", Value: "P9"}}})
	if n != 1 || ps[0].Name != "second" || count(st.Inserted, kexi.KindProducts) != 1 {
		t.Fatalf("repeated external id: %d %+v %+v", n, ps, st)
	}
	// A response naming an unknown campaign fails the import, naming the record.
	_, err = s.Import(ctx, &kexi.Batch{Responses: []kexi.CampaignResponse{{Campaign: "K404", Customer: "C1"}}})
	wantCode(t, err, kexi.EINVALID)
}

func testImportPresent(t *testing.T, s kexi.Store) {
	_, err := s.Import(ctx, &kexi.Batch{Customers: []kexi.Customer{{ExternalID: "C1", Name: "A", Province: "广东", City: "广州",
		Phone: "138", Custom: map[string]string{"plan": "gold", "tier": "1"}}}})
	must(t, err)
	// A file with only name and custom.tier: province, city, phone and custom.plan stay.
	st, err := s.Import(ctx, &kexi.Batch{
		Customers: []kexi.Customer{{ExternalID: "C1", Name: "A2", Custom: map[string]string{"tier": "2"}}},
		Present:   map[string][]string{kexi.KindCustomers: {"external_id", "name", "custom.tier"}},
	})
	must(t, err)
	if count(st.Updated, kexi.KindCustomers) != 1 {
		t.Fatalf("present stats: %+v", st)
	}
	list, _, err := s.FindCustomers(ctx, kexi.Filter{})
	must(t, err)
	c := list[0]
	if c.Name != "A2" || c.Province != "广东" || c.City != "广州" || c.Phone != "138" || c.Custom["plan"] != "gold" || c.Custom["tier"] != "2" {
		t.Fatalf("present update blanked or missed fields: %+v", c)
	}
	// The same partial file again is a no-op.
	st, err = s.Import(ctx, &kexi.Batch{
		Customers: []kexi.Customer{{ExternalID: "C1", Name: "A2", Custom: map[string]string{"tier": "2"}}},
		Present:   map[string][]string{kexi.KindCustomers: {"external_id", "name", "custom.tier"}},
	})
	must(t, err)
	if count(st.Unchanged, kexi.KindCustomers) != 1 {
		t.Fatalf("partial re-import stats: %+v", st)
	}
	// A present but empty phone column does blank the phone; an empty custom value removes it.
	_, err = s.Import(ctx, &kexi.Batch{
		Customers: []kexi.Customer{{ExternalID: "C1"}},
		Present:   map[string][]string{kexi.KindCustomers: {"external_id", "phone", "custom.plan"}},
	})
	must(t, err)
	c, _ = s.FindCustomerByID(ctx, c.ID)
	if c.Phone != "" || c.Name != "A2" || c.Custom["plan"] != "" || c.Custom["tier"] != "2" {
		t.Fatalf("blanking present fields: %+v", c)
	}
	// Orders without item columns keep their items.
	_, err = s.Import(ctx, &kexi.Batch{Orders: []kexi.Order{{ExternalID: "O1", Customer: "C1", OrderedAt: day(2025, 1, 1), Amount: 5,
		Items: []kexi.OrderItem{{SKU: "A", Quantity: 1, UnitPrice: 5}}}}})
	must(t, err)
	_, err = s.Import(ctx, &kexi.Batch{Orders: []kexi.Order{{ExternalID: "O1", Status: kexi.StatusCancelled}},
		Present: map[string][]string{kexi.KindOrders: {"external_id", "status"}}})
	must(t, err)
	os, _, err := s.FindOrders(ctx, kexi.Filter{})
	must(t, err)
	if os[0].Status != kexi.StatusCancelled || os[0].Amount != 5 || len(os[0].Items) != 1 || !os[0].OrderedAt.Equal(day(2025, 1, 1)) {
		t.Fatalf("order after partial import: %+v", os[0])
	}
}

func testImportAllOrNothing(t *testing.T, s kexi.Store) {
	_, err := s.Import(ctx, &kexi.Batch{Customers: []kexi.Customer{{ExternalID: "C0", Name: "zero"}}})
	must(t, err)
	v1, _ := s.DataVersion(ctx)
	bad := []*kexi.Batch{
		{Customers: []kexi.Customer{{ExternalID: "C1", Name: "A"}},
			Orders: []kexi.Order{{ExternalID: "O1", Customer: "C1", OrderedAt: day(2025, 1, 1)}, {ExternalID: "O2", Customer: "C1"}}},
		{Customers: []kexi.Customer{{ExternalID: "C1", Name: "A"}},
			Orders: []kexi.Order{{ExternalID: "O1", Customer: "C1", OrderedAt: day(2025, 1, 1), Amount: math.NaN()}}},
		{Customers: []kexi.Customer{{ExternalID: "C1", Name: "A"}},
			Surveys: []kexi.SurveyResponse{{ExternalID: "S1", Customer: "C1", At: day(2025, 1, 1), Kind: kexi.NPS, Score: 12}}},
		{Orders: []kexi.Order{{ExternalID: "O1", OrderedAt: day(2025, 1, 1), Amount: 3,
			Items: []kexi.OrderItem{{SKU: "A", Quantity: 1, UnitPrice: 1}, {SKU: "B", Quantity: 1, UnitPrice: math.Inf(1)}}}}},
	}
	wantCols := []string{"ordered_at", "amount", "score", "items[1].unit_price"}
	for i, b := range bad {
		_, err := s.Import(ctx, b)
		wantField(t, err, wantCols[i])
		var e *kexi.Error
		errors.As(err, &e)
		if i == 0 && (e.Problems[0].Row != 2) {
			t.Errorf("bad batch 0: problem %+v does not name record 2", e.Problems[0])
		}
	}
	list, n, err := s.FindCustomers(ctx, kexi.Filter{})
	must(t, err)
	if n != 1 || list[0].ExternalID != "C0" {
		t.Fatalf("a failed import left records behind: %v", exts(list))
	}
	if _, n, _ := s.FindOrders(ctx, kexi.Filter{}); n != 0 {
		t.Fatalf("a failed import left %d orders", n)
	}
	if v2, _ := s.DataVersion(ctx); v2 != v1 {
		t.Fatalf("a failed import moved the data version")
	}
}

// testImportRefByID imports records that name their customer or campaign by id rather than
// by external id, as the API allows: an id that names nothing is refused, and nothing of the
// batch is kept.
func testImportRefByID(t *testing.T, s kexi.Store) {
	_, err := s.Import(ctx, &kexi.Batch{Customers: []kexi.Customer{{ExternalID: "C0", Name: "zero"}},
		Campaigns: []kexi.Campaign{{ExternalID: "K0", Name: "spring"}}})
	must(t, err)
	custs, _, err := s.FindCustomers(ctx, kexi.Filter{})
	must(t, err)
	camps, _, err := s.FindCampaigns(ctx, kexi.Filter{})
	must(t, err)
	cid, kid := custs[0].ID, camps[0].ID
	_, err = s.Import(ctx, &kexi.Batch{
		Orders:    []kexi.Order{{ExternalID: "O1", CustomerID: cid, OrderedAt: day(2025, 1, 1), Amount: 5}},
		Responses: []kexi.CampaignResponse{{ExternalID: "R1", CampaignID: kid, CustomerID: cid, At: day(2025, 1, 2), Kind: "click"}}})
	must(t, err)
	o, _, err := s.FindOrders(ctx, kexi.Filter{})
	must(t, err)
	if len(o) != 1 || o[0].CustomerID != cid {
		t.Fatalf("orders %+v, want O1 of customer %d", o, cid)
	}
	v1, _ := s.DataVersion(ctx)
	for i, b := range []*kexi.Batch{
		{Customers: []kexi.Customer{{ExternalID: "C1", Name: "one"}},
			Orders: []kexi.Order{{ExternalID: "O2", CustomerID: cid + 1000, OrderedAt: day(2025, 1, 1), Amount: 5}}},
		{Customers: []kexi.Customer{{ExternalID: "C1", Name: "one"}},
			Responses: []kexi.CampaignResponse{{ExternalID: "R2", CampaignID: kid + 1000, CustomerID: cid, At: day(2025, 1, 2), Kind: "click"}}},
		{Leads: []kexi.Lead{{ExternalID: "L1", Name: "lead", Stage: kexi.StageNew, CustomerID: cid + 1000}}},
	} {
		_, err := s.Import(ctx, b)
		if err == nil {
			t.Errorf("batch %d with a reference to nothing was imported", i)
			continue
		}
		wantCode(t, err, kexi.EINVALID)
	}
	if _, n, _ := s.FindCustomers(ctx, kexi.Filter{}); n != 1 {
		t.Errorf("a refused import left customers behind: %d", n)
	}
	if v2, _ := s.DataVersion(ctx); v2 != v1 {
		t.Errorf("a refused import moved the data version")
	}
}

// testImportOrderLines re-imports orders whose lines alone change: such an order is updated,
// its lines replaced in their new order, its UpdatedAt moved; the same lines again change
// nothing. Many lines in one order keep their order; deleting the order deletes them.
func testImportOrderLines(t *testing.T, s kexi.Store) {
	many := make([]kexi.OrderItem, 3000)
	for i := range many {
		many[i] = kexi.OrderItem{SKU: fmt.Sprintf("S%d", i%7), Quantity: float64(i + 1), UnitPrice: 0.01 * float64(i)}
	}
	orders := []kexi.Order{
		{ExternalID: "O1", OrderedAt: day(2025, 1, 1), Amount: 5, Items: []kexi.OrderItem{{SKU: "A", Quantity: 1, UnitPrice: 2}, {SKU: "B", Quantity: 1, UnitPrice: 3}}},
		{ExternalID: "O2", OrderedAt: day(2025, 1, 2), Amount: 1, Items: many},
		{ExternalID: "O3", OrderedAt: day(2025, 1, 3), Amount: 1},
	}
	_, err := s.Import(ctx, &kexi.Batch{Orders: slices.Clone(orders)})
	must(t, err)
	find := func(ext string) *kexi.Order {
		t.Helper()
		list, _, err := s.FindOrders(ctx, kexi.Filter{Where: []kexi.Cond{{Field: "external_id", Value: ext}}})
		must(t, err)
		if len(list) != 1 {
			t.Fatalf("%d orders %s", len(list), ext)
		}
		return list[0]
	}
	if o := find("O2"); !slices.Equal(o.Items, many) {
		t.Fatalf("O2: %d lines, not the 3,000 imported in their order", len(o.Items))
	}
	before := find("O1")
	v1, _ := s.DataVersion(ctx)
	again := slices.Clone(orders)
	again[0].Items = []kexi.OrderItem{{SKU: "B", Quantity: 1, UnitPrice: 3}, {SKU: "A", Quantity: 1, UnitPrice: 2}}
	time.Sleep(2 * time.Millisecond) // stamps are stored to the millisecond
	st, err := s.Import(ctx, &kexi.Batch{Orders: again})
	must(t, err)
	if st.Updated[kexi.KindOrders] != 1 || st.Unchanged[kexi.KindOrders] != 2 {
		t.Fatalf("lines reordered: %+v", st)
	}
	o := find("O1")
	if !slices.Equal(o.Items, again[0].Items) || !o.UpdatedAt.After(before.UpdatedAt) {
		t.Fatalf("O1 after: %+v, updated %v (before %v)", o.Items, o.UpdatedAt, before.UpdatedAt)
	}
	if v2, _ := s.DataVersion(ctx); v2 <= v1 {
		t.Fatalf("changed lines did not move the data version")
	}
	st, err = s.Import(ctx, &kexi.Batch{Orders: again})
	must(t, err)
	if st.Unchanged[kexi.KindOrders] != 3 {
		t.Fatalf("same lines again: %+v", st)
	}
	// Lines can also be dropped by an import that names them.
	none := []kexi.Order{{ExternalID: "O1", OrderedAt: day(2025, 1, 1), Amount: 5}}
	st, err = s.Import(ctx, &kexi.Batch{Orders: none})
	must(t, err)
	if o := find("O1"); st.Updated[kexi.KindOrders] != 1 || len(o.Items) != 0 {
		t.Fatalf("lines dropped: %+v, %d lines", st, len(o.Items))
	}
	must(t, s.DeleteOrder(ctx, find("O2").ID))
	d, err := s.LoadDataset(ctx, kexi.Scope{}, kexi.AllParts)
	must(t, err)
	lines := 0
	for _, o := range d.Orders.All() {
		lines += len(o.Items)
	}
	if d.Orders.Len() != 2 || lines != 0 {
		t.Fatalf("after deleting O2: %d orders, %d lines", d.Orders.Len(), lines)
	}
}

func testImportLeadStages(t *testing.T, s kexi.Store) {
	_, err := s.Import(ctx, &kexi.Batch{Leads: []kexi.Lead{{ExternalID: "L1", Name: "x", Owner: "a",
		Stages: []kexi.StageEntry{{Stage: "new", EnteredAt: day(2025, 1, 1)}, {Stage: "consultation", EnteredAt: day(2025, 1, 3)}}}}})
	must(t, err)
	// A later export lists the lead again with a different date for "new" (ignored: the first
	// date stays) and a new stage "quote" on Jan 10 → history new(1), consultation(3), quote(10).
	st, err := s.Import(ctx, &kexi.Batch{Leads: []kexi.Lead{{ExternalID: "L1", Name: "x", Owner: "a",
		Stages: []kexi.StageEntry{{Stage: "new", EnteredAt: day(2025, 1, 2)}, {Stage: "quote", EnteredAt: day(2025, 1, 10)}}}}})
	must(t, err)
	if count(st.Updated, kexi.KindLeads) != 1 {
		t.Fatalf("stage merge stats: %+v", st)
	}
	ls, _, err := s.FindLeads(ctx, kexi.Filter{})
	must(t, err)
	l := ls[0]
	want := []kexi.StageEntry{{Stage: "new", EnteredAt: day(2025, 1, 1)}, {Stage: "consultation", EnteredAt: day(2025, 1, 3)}, {Stage: "quote", EnteredAt: day(2025, 1, 10)}}
	if l.Stage != "quote" || len(l.Stages) != 3 {
		t.Fatalf("merged lead: %+v", l)
	}
	for i := range want {
		if l.Stages[i].Stage != want[i].Stage || !l.Stages[i].EnteredAt.Equal(want[i].EnteredAt) {
			t.Fatalf("merged history %+v, want %+v", l.Stages, want)
		}
	}
	// The same file again: nothing changes.
	st, err = s.Import(ctx, &kexi.Batch{Leads: []kexi.Lead{{ExternalID: "L1", Name: "x", Owner: "a",
		Stages: []kexi.StageEntry{{Stage: "new", EnteredAt: day(2025, 1, 2)}, {Stage: "quote", EnteredAt: day(2025, 1, 10)}}}}})
	must(t, err)
	if count(st.Unchanged, kexi.KindLeads) != 1 {
		t.Fatalf("lead re-import stats: %+v", st)
	}
}

func testLoadDataset(t *testing.T, s kexi.Store) {
	b := &kexi.Batch{
		Customers: []kexi.Customer{{ExternalID: "C1", Name: "A", Email: "a@x.cn"}, {ExternalID: "C2", Name: "B"}},
		Orders: []kexi.Order{
			{ExternalID: "O1", Customer: "C2", OrderedAt: day(2025, 1, 5), Amount: 10, Channel: "online",
				Items: []kexi.OrderItem{{SKU: "A", Quantity: 1, UnitPrice: 4}, {SKU: "B", Quantity: 2, UnitPrice: 3}}},
			{ExternalID: "O2", Customer: "C1", OrderedAt: day(2025, 1, 9), Amount: 20, Channel: "online",
				Items: []kexi.OrderItem{{SKU: "C", Quantity: 1, UnitPrice: 20}}},
			{ExternalID: "O3", Customer: "C2", OrderedAt: day(2025, 1, 1), Amount: 30},
			{ExternalID: "O4", Customer: "C1", OrderedAt: day(2025, 1, 2), Amount: 40,
				Items: []kexi.OrderItem{{SKU: "D", Quantity: 4, UnitPrice: 10}}},
		},
		Interactions: []kexi.Interaction{{Customer: "C1", At: day(2025, 2, 1), Kind: kexi.Visit}, {Customer: "C2", At: day(2025, 1, 1), Kind: kexi.Visit}},
		Surveys:      []kexi.SurveyResponse{{Customer: "C1", At: day(2025, 1, 1), Kind: kexi.NPS, Score: 10}},
		Leads:        []kexi.Lead{{ExternalID: "L1", Name: "x", Stages: []kexi.StageEntry{{Stage: "new", EnteredAt: day(2025, 1, 1)}}}},
		Campaigns:    []kexi.Campaign{{ExternalID: "K1", Name: "k", Start: day(2025, 1, 1)}},
		Responses:    []kexi.CampaignResponse{{Campaign: "K1", Customer: "C1", Kind: "yes"}},
		Competitors:  []kexi.Competitor{{Name: "c", Shares: []kexi.MarketShare{{Period: "2025", Share: 0.1}}}},
		SWOT:         []kexi.SWOTItem{{Kind: "O", Text: "t"}},
		Events:       []kexi.WebEvent{{AnonymousID: "z", At: day(2025, 1, 1), Type: "click"}},
		CustomFields: []kexi.CustomField{{Entity: "customer", Name: "plan", Type: kexi.FieldChoice, Choices: []string{"gold", "silver"}}},
	}
	_, err := s.Import(ctx, b)
	must(t, err)
	d, err := s.LoadDataset(ctx, kexi.Scope{}, kexi.AllParts)
	must(t, err)
	if len(d.Customers) != 2 || d.Orders.Len() != 4 || len(d.Interactions) != 2 || len(d.Surveys) != 1 || len(d.Leads) != 1 ||
		len(d.Campaigns) != 1 || len(d.Responses) != 1 || len(d.Competitors) != 1 || len(d.SWOT) != 1 || len(d.Events) != 1 ||
		len(d.CustomFields) != 1 {
		t.Fatalf("dataset sizes: %d %d %d %d %d %d %d %d %d %d %d", len(d.Customers), d.Orders.Len(), len(d.Interactions), len(d.Surveys),
			len(d.Leads), len(d.Campaigns), len(d.Responses), len(d.Competitors), len(d.SWOT), len(d.Events), len(d.CustomFields))
	}
	if d.Customers[0].Email != "a@x.cn" || d.Customers[0].ID > d.Customers[1].ID {
		t.Fatalf("customers: %+v", d.Customers)
	}
	// Orders by (customer, time): C1 (imported first, lower id) O4 Jan 2, O2 Jan 9; C2 O3 Jan 1, O1 Jan 5.
	var got []string
	for _, o := range d.Orders.All() {
		got = append(got, o.ExternalID)
	}
	if !slices.Equal(got, []string{"O4", "O2", "O3", "O1"}) {
		t.Fatalf("order order: %v", got)
	}
	if d.Customers[0].ExternalID != "C1" || d.Orders.Order(0).CustomerID != d.Customers[0].ID || len(d.Orders.Order(3).Items) != 2 || d.Orders.Order(3).Items[1].SKU != "B" || len(d.Orders.Order(2).Items) != 0 {
		t.Fatalf("orders: %+v", d.Orders)
	}
	// A load of some parts leaves the others empty and gives the same records for its own; a
	// load without the orders says when the last one was (O2, Jan 9).
	some, err := s.LoadDataset(ctx, kexi.Scope{}, kexi.PartsOf("orders", "surveys"))
	must(t, err)
	if some.Orders.Len() != 4 || some.Orders.LineStart != nil || len(some.Customers) != 0 || len(some.Surveys) != 1 ||
		len(some.Leads) != 0 || len(some.Events) != 0 || !some.LastOrder.IsZero() {
		t.Fatalf("orders and surveys: %d orders (lines %v), %d customers, %d surveys, %d leads, %d events, last %v",
			some.Orders.Len(), some.Orders.LineStart, len(some.Customers), len(some.Surveys), len(some.Leads),
			len(some.Events), some.LastOrder)
	}
	if e, _ := some.Keys.Of(d.Customers[1].ID); len(some.Keys.ID) != 2 || e != d.Customers[1].ExternalID {
		t.Fatalf("customer keys without the customers: %v, customer 2 is %q", some.Keys.ID, e)
	}
	// The orders' own columns, without their details (external id, cost, channel …): as the
	// whole load's, with the details taken away by Dataset.Only.
	want := d.Only(kexi.PartsOf("orders", "surveys"))
	for i := range d.Orders.Len() {
		o := want.Orders.Order(i)
		if p := some.Orders.Order(i); !reflect.DeepEqual(p, o) || o.ExternalID != "" {
			t.Fatalf("order %d alone %+v, with everything %+v", i, p, o)
		}
	}
	if full, err := s.LoadDataset(ctx, kexi.Scope{}, kexi.PartsOf("order_details")); err != nil ||
		!reflect.DeepEqual(full.Orders.Order(1), func() kexi.Order { o := d.Orders.Order(1); o.Items = nil; return o }()) {
		t.Fatalf("orders with details: %+v, %v", full.Orders.Order(1), err)
	}
	none, err := s.LoadDataset(ctx, kexi.Scope{}, kexi.PartsOf("leads"))
	must(t, err)
	if none.Orders.Len() != 0 || len(none.Leads) != 1 || !none.LastOrder.Equal(d.LastOrderAt()) {
		t.Fatalf("leads alone: %d orders, %d leads, last order %v (want %v)", none.Orders.Len(), len(none.Leads),
			none.LastOrder, d.LastOrderAt())
	}
	if d.Interactions[0].Customer != "C2" || d.Leads[0].Stages[0].Stage != "new" || len(d.Competitors[0].Shares) != 1 ||
		d.Responses[0].Campaign != "K1" || d.CustomFields[0].Choices[1] != "silver" {
		t.Fatalf("dataset details: %+v %+v %+v", d.Interactions, d.Leads, d.Competitors)
	}
}

func testDataVersion(t *testing.T, s kexi.Store) {
	v0, err := s.DataVersion(ctx)
	must(t, err)
	c := &kexi.Customer{Name: "A"}
	must(t, s.CreateCustomer(ctx, c))
	v1, _ := s.DataVersion(ctx)
	must(t, s.UpdateCustomer(ctx, c))
	v2, _ := s.DataVersion(ctx)
	must(t, s.DeleteCustomer(ctx, c.ID))
	v3, _ := s.DataVersion(ctx)
	if !(v0 < v1 && v1 < v2 && v2 < v3) {
		t.Fatalf("data version did not increase on every write: %d %d %d %d", v0, v1, v2, v3)
	}
	// A failed write does not move it.
	wantCode(t, s.DeleteCustomer(ctx, c.ID), kexi.ENOTFOUND)
	if v4, _ := s.DataVersion(ctx); v4 != v3 {
		t.Fatalf("a failed delete moved the data version %d → %d", v3, v4)
	}
}

func testUsersSessions(t *testing.T, s kexi.Store) {
	u := &kexi.User{Login: "li.na", Name: "李娜", Role: kexi.RoleSales, PasswordHash: "$argon2id$x"}
	must(t, s.CreateUser(ctx, u))
	wantCode(t, s.CreateUser(ctx, &kexi.User{Login: "li.na", Role: kexi.RoleAdmin}), kexi.ECONFLICT)
	wantField(t, s.CreateUser(ctx, &kexi.User{Login: "x", Role: "king"}), "role")
	got, err := s.FindUserByLogin(ctx, "li.na")
	must(t, err)
	if got.ID != u.ID || got.PasswordHash != "$argon2id$x" || got.Role != kexi.RoleSales {
		t.Fatalf("user: %+v", got)
	}
	_, err = s.FindUserByLogin(ctx, "nobody")
	wantCode(t, err, kexi.ENOTFOUND)
	got.Role, got.Region = kexi.RoleManager, "广东"
	must(t, s.UpdateUser(ctx, got))
	again, err := s.FindUserByID(ctx, u.ID)
	must(t, err)
	if again.Role != kexi.RoleManager || again.Region != "广东" {
		t.Fatalf("user after update: %+v", again)
	}
	must(t, s.CreateUser(ctx, &kexi.User{Login: "admin", Role: kexi.RoleAdmin}))
	us, err := s.FindUsers(ctx)
	must(t, err)
	if len(us) != 2 || us[0].Login != "admin" {
		t.Fatalf("users: %+v", us)
	}
	exp := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	sess := &kexi.Session{TokenHash: "h1", UserID: u.ID, CSRF: "c", ExpiresAt: exp, API: true, Name: "ci"}
	must(t, s.CreateSession(ctx, sess))
	wantCode(t, s.CreateSession(ctx, &kexi.Session{TokenHash: "h1", UserID: u.ID, ExpiresAt: exp}), kexi.ECONFLICT)
	gs, err := s.FindSession(ctx, "h1")
	must(t, err)
	if gs.UserID != u.ID || gs.CSRF != "c" || !gs.API || !gs.ExpiresAt.Equal(exp) || gs.Name != "ci" {
		t.Fatalf("session: %+v", gs)
	}
	must(t, s.DeleteSession(ctx, "h1"))
	_, err = s.FindSession(ctx, "h1")
	wantCode(t, err, kexi.ENOTFOUND)
	// API tokens are listed per user, without browser sessions; expired sessions are purged.
	past := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	admin := us[0]
	must(t, s.CreateSession(ctx, &kexi.Session{TokenHash: "t-old", UserID: u.ID, API: true, Name: "old",
		CreatedAt: past.Add(-time.Hour), ExpiresAt: past}))
	must(t, s.CreateSession(ctx, &kexi.Session{TokenHash: "t-new", UserID: u.ID, API: true, Name: "new",
		CreatedAt: past, ExpiresAt: exp}))
	must(t, s.CreateSession(ctx, &kexi.Session{TokenHash: "t-admin", UserID: admin.ID, API: true, CreatedAt: past, ExpiresAt: exp}))
	must(t, s.CreateSession(ctx, &kexi.Session{TokenHash: "browser-old", UserID: u.ID, CreatedAt: past, ExpiresAt: past}))
	must(t, s.CreateSession(ctx, &kexi.Session{TokenHash: "browser-new", UserID: u.ID, CreatedAt: past, ExpiresAt: exp}))
	toks, err := s.FindAPITokens(ctx, u.ID)
	must(t, err)
	if len(toks) != 2 || toks[0].Name != "new" || toks[1].Name != "old" || !toks[1].ExpiresAt.Equal(past) ||
		toks[0].UserID != u.ID || !toks[0].API || toks[0].TokenHash != "t-new" {
		t.Fatalf("api tokens of %d: %+v", u.ID, toks)
	}
	if all, err := s.FindAPITokens(ctx, 0); err != nil || len(all) != 3 {
		t.Fatalf("all api tokens: %d %v", len(all), err)
	}
	n, err := s.DeleteExpiredSessions(ctx, past.Add(time.Minute))
	must(t, err)
	if n != 2 {
		t.Errorf("purged %d sessions, want the 2 expired", n)
	}
	for h, want := range map[string]string{"t-old": kexi.ENOTFOUND, "browser-old": kexi.ENOTFOUND, "t-new": "", "browser-new": ""} {
		_, err := s.FindSession(ctx, h)
		if kexi.ErrorCode(err) != want && !(want == "" && err == nil) {
			t.Errorf("after the purge, session %s: %v", h, err)
		}
	}
	must(t, s.DeleteSession(ctx, "t-admin"))
	// Deleting a user deletes their sessions.
	must(t, s.CreateSession(ctx, &kexi.Session{TokenHash: "h2", UserID: u.ID, ExpiresAt: exp}))
	must(t, s.DeleteUser(ctx, u.ID))
	_, err = s.FindSession(ctx, "h2")
	wantCode(t, err, kexi.ENOTFOUND)
	if toks, _ := s.FindAPITokens(ctx, u.ID); len(toks) != 0 {
		t.Errorf("a deleted user's tokens remain: %+v", toks)
	}
	wantCode(t, s.DeleteUser(ctx, u.ID), kexi.ENOTFOUND)
}

func testSettingsAudit(t *testing.T, s kexi.Store) {
	got, err := s.Settings(ctx)
	must(t, err)
	if !reflect.DeepEqual(got, kexi.DefaultSettings) {
		t.Fatalf("new store settings %+v, want defaults", got)
	}
	want := kexi.Settings{Currency: "GBP", TimeZone: "Europe/London", CostPerMinute: 0.5, Lang: "en",
		Labels: kexi.ValueLabels{{Field: "channel", Value: "douyin", Label: "抖音"}, {Field: "custom.等级", Value: "g", Label: "金卡"}}}
	must(t, s.SaveSettings(ctx, want))
	got, err = s.Settings(ctx)
	must(t, err)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("settings %+v, want %+v", got, want)
	}
	wantField(t, s.SaveSettings(ctx, kexi.Settings{Currency: "GBP", TimeZone: "UTC", Lang: "en",
		Labels: kexi.ValueLabels{{Field: "channel", Value: "douyin", Label: "抖音"}, {Field: "channel", Value: "douyin", Label: "DY"}}}), "value")
	wantField(t, s.SaveSettings(ctx, kexi.Settings{Currency: "GBP", TimeZone: "UTC", Lang: "en",
		Labels: kexi.ValueLabels{{Field: "Channel!", Value: "douyin", Label: "抖音"}}}), "field")
	wantField(t, s.SaveSettings(ctx, kexi.Settings{Currency: "GBP", TimeZone: "Mars/Olympus", Lang: "en"}), "time_zone")
	wantField(t, s.SaveSettings(ctx, kexi.Settings{Currency: "GBP", TimeZone: "UTC", Lang: "en", CostPerMinute: -1}), "cost_per_minute")

	must(t, s.Audit(ctx, kexi.AuditEntry{At: day(2025, 1, 1), Login: "admin", Action: "delete", Entity: "customers", Detail: "id 7"}))
	must(t, s.Audit(ctx, kexi.AuditEntry{At: day(2025, 1, 2), Login: "li.na", Action: "export", Entity: "orders"}))
	must(t, s.Audit(ctx, kexi.AuditEntry{At: day(2025, 1, 3), Login: "admin", Action: "sign_in"}))
	wantCode(t, s.Audit(ctx, kexi.AuditEntry{Login: "x"}), kexi.EINVALID)
	es, err := s.FindAudit(ctx, 2)
	must(t, err)
	if len(es) != 2 || es[0].Action != "sign_in" || es[1].Action != "export" || es[1].Login != "li.na" || !es[1].At.Equal(day(2025, 1, 2)) {
		t.Fatalf("audit newest first: %+v", es)
	}
	all, err := s.FindAudit(ctx, -1)
	must(t, err)
	if len(all) != 3 || all[2].Detail != "id 7" {
		t.Fatalf("audit all: %+v", all)
	}
}

func testSavedViews(t *testing.T, s kexi.Store) {
	li := &kexi.User{Login: "li.na", Role: kexi.RoleSales}
	wang := &kexi.User{Login: "wang", Role: kexi.RoleSales}
	boss := &kexi.User{Login: "boss", Role: kexi.RoleManager}
	for _, u := range []*kexi.User{li, wang, boss} {
		must(t, s.CreateUser(ctx, u))
	}
	v := &kexi.SavedView{Name: " 重要挽留 ", OwnerID: boss.ID, Shared: kexi.RoleSales,
		Where: []kexi.Cond{{Field: "rfm.segment", Op: kexi.Eq, Value: "important_winback"}, {Field: "province", Op: kexi.In, Value: "广东,浙江"}},
		Query: "王", Sort: "-clv.value", Columns: []string{"name", "rfm.segment", "custom.plan"},
		Params: map[string]string{"as_of": "2026-12-06", "rfm.scheme": "cn8"}}
	must(t, s.CreateSavedView(ctx, v))
	if v.ID == 0 || v.CreatedAt.IsZero() || v.Name != "重要挽留" {
		t.Fatalf("created view: %+v", v)
	}
	got, err := s.FindSavedViewByID(ctx, v.ID)
	must(t, err)
	if got.Name != "重要挽留" || got.Owner != "boss" || got.OwnerID != boss.ID || got.Shared != kexi.RoleSales ||
		!slices.Equal(got.Where, v.Where) || got.Query != "王" || got.Sort != "-clv.value" ||
		!slices.Equal(got.Columns, v.Columns) || got.Params["rfm.scheme"] != "cn8" || got.Params["as_of"] != "2026-12-06" ||
		!got.CreatedAt.Equal(v.CreatedAt) {
		t.Fatalf("view read back: %+v", got)
	}
	// Names are unique per owner, not across owners.
	wantCode(t, s.CreateSavedView(ctx, &kexi.SavedView{Name: "重要挽留", OwnerID: boss.ID}), kexi.ECONFLICT)
	mine := &kexi.SavedView{Name: "重要挽留", OwnerID: li.ID}
	must(t, s.CreateSavedView(ctx, mine))
	must(t, s.CreateSavedView(ctx, &kexi.SavedView{Name: "A 私人", OwnerID: wang.ID}))
	must(t, s.CreateSavedView(ctx, &kexi.SavedView{Name: "B 分析师", OwnerID: boss.ID, Shared: kexi.RoleAnalyst}))

	names := func(vs []*kexi.SavedView) []string {
		var out []string
		for _, v := range vs {
			out = append(out, v.Owner+":"+v.Name)
		}
		return out
	}
	// A user finds their own views and those shared with their role, by name.
	vs, err := s.FindSavedViews(ctx, li.ID, kexi.RoleSales)
	must(t, err)
	if got := names(vs); !slices.Equal(got, []string{"boss:重要挽留", "li.na:重要挽留"}) && !slices.Equal(got, []string{"li.na:重要挽留", "boss:重要挽留"}) {
		t.Errorf("li.na's views: %v", got)
	}
	vs, err = s.FindSavedViews(ctx, wang.ID, kexi.RoleSales)
	must(t, err)
	if got := names(vs); !slices.Equal(got, []string{"wang:A 私人", "boss:重要挽留"}) {
		t.Errorf("wang's views: %v", got)
	}
	vs, err = s.FindSavedViews(ctx, 0, "")
	must(t, err)
	if len(vs) != 4 {
		t.Errorf("every view: %v", names(vs))
	}

	// Bad input is EINVALID naming the field.
	long := strings.Repeat("名", kexi.MaxViewName+1)
	wantField(t, s.CreateSavedView(ctx, &kexi.SavedView{Name: long, OwnerID: li.ID}), "name")
	wantField(t, s.CreateSavedView(ctx, &kexi.SavedView{Name: "  ", OwnerID: li.ID}), "name")
	wantField(t, s.CreateSavedView(ctx, &kexi.SavedView{Name: "x", OwnerID: li.ID, Shared: "everyone"}), "shared")
	wantField(t, s.CreateSavedView(ctx, &kexi.SavedView{Name: "x", OwnerID: li.ID,
		Where: []kexi.Cond{{Field: "province", Op: "like", Value: "广"}}}), "where[0].op")
	wantField(t, s.CreateSavedView(ctx, &kexi.SavedView{Name: "x", OwnerID: li.ID,
		Where: []kexi.Cond{{Op: kexi.Eq, Value: "广"}}}), "where[0].field")
	wantField(t, s.CreateSavedView(ctx, &kexi.SavedView{Name: "x", OwnerID: 9999}), "owner_id")
	wantField(t, s.CreateSavedView(ctx, &kexi.SavedView{Name: "x", OwnerID: li.ID,
		Where: make([]kexi.Cond, kexi.MaxViewConds+1)}), "where")

	// Update keeps the owner and the creation time, and moves the name.
	got.Name, got.Shared, got.OwnerID = "挽留 v2", "", li.ID
	got.Where = got.Where[:1]
	must(t, s.UpdateSavedView(ctx, got))
	again, err := s.FindSavedViewByID(ctx, v.ID)
	must(t, err)
	if again.Name != "挽留 v2" || again.Shared != "" || again.OwnerID != boss.ID || len(again.Where) != 1 ||
		!again.CreatedAt.Equal(v.CreatedAt) {
		t.Fatalf("view after update: %+v", again)
	}
	if vs, _ := s.FindSavedViews(ctx, wang.ID, kexi.RoleSales); len(vs) != 1 {
		t.Errorf("a view made private is still listed for wang: %v", names(vs))
	}
	again.Name = "B 分析师"
	wantCode(t, s.UpdateSavedView(ctx, again), kexi.ECONFLICT)
	wantCode(t, s.UpdateSavedView(ctx, &kexi.SavedView{ID: 9999, Name: "x"}), kexi.ENOTFOUND)

	// One user may keep at most MaxViewsOwned views.
	for i := len(names(mustViews(t, s, wang.ID))); i < kexi.MaxViewsOwned; i++ {
		must(t, s.CreateSavedView(ctx, &kexi.SavedView{Name: fmt.Sprintf("v%03d", i), OwnerID: wang.ID}))
	}
	wantField(t, s.CreateSavedView(ctx, &kexi.SavedView{Name: "one too many", OwnerID: wang.ID}), "name")
	must(t, s.CreateSavedView(ctx, &kexi.SavedView{Name: "one too many", OwnerID: li.ID}))

	// Delete; deleting a user deletes their views.
	must(t, s.DeleteSavedView(ctx, mine.ID))
	_, err = s.FindSavedViewByID(ctx, mine.ID)
	wantCode(t, err, kexi.ENOTFOUND)
	wantCode(t, s.DeleteSavedView(ctx, mine.ID), kexi.ENOTFOUND)
	must(t, s.DeleteUser(ctx, wang.ID))
	if vs := mustViews(t, s, wang.ID); len(vs) != 0 {
		t.Errorf("a deleted user's views remain: %d", len(vs))
	}
	// Views are not data the analyses read: they leave the data version alone.
	v0, err := s.DataVersion(ctx)
	must(t, err)
	must(t, s.CreateSavedView(ctx, &kexi.SavedView{Name: "z", OwnerID: li.ID}))
	if v1, _ := s.DataVersion(ctx); v1 != v0 {
		t.Errorf("saving a view moved the data version %d → %d", v0, v1)
	}
}

func mustViews(t *testing.T, s kexi.Store, owner int64) []*kexi.SavedView {
	t.Helper()
	vs, err := s.FindSavedViews(ctx, owner, "")
	must(t, err)
	var own []*kexi.SavedView
	for _, v := range vs {
		if v.OwnerID == owner {
			own = append(own, v)
		}
	}
	return own
}
