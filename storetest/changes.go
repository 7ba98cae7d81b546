package storetest

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/kexi/kexi"
)

// changesSince reads Changes(since) and checks that it reaches the current version.
func changesSince(t *testing.T, s kexi.Store, since int64) kexi.Changes {
	t.Helper()
	ch, err := s.Changes(ctx, since)
	must(t, err)
	if v, _ := s.DataVersion(ctx); ch.Version != v || ch.Since != since {
		t.Fatalf("changes since %d reach %d (since %d), the data is at %d", since, ch.Version, ch.Since, v)
	}
	return ch
}

func testChanges(t *testing.T, s kexi.Store) {
	a, b := &kexi.Customer{ExternalID: "A", Name: "a"}, &kexi.Customer{ExternalID: "B", Name: "b"}
	must(t, s.CreateCustomer(ctx, a))
	must(t, s.CreateCustomer(ctx, b))
	p := &kexi.Product{ExternalID: "SKU1", Name: "tea"}
	must(t, s.CreateProduct(ctx, p))
	v0, _ := s.DataVersion(ctx)
	if ch := changesSince(t, s, v0); !ch.None() {
		t.Fatalf("nothing changed since the current version, got %+v", ch)
	}

	// An order names its customer; moving it names the old and the new one.
	o := &kexi.Order{CustomerID: a.ID, OrderedAt: day(2025, 3, 1), Amount: 5, Items: []kexi.OrderItem{{SKU: "SKU1", Quantity: 1}}}
	must(t, s.CreateOrder(ctx, o))
	if ch := changesSince(t, s, v0); !slices.Equal(ch.Customers, []int64{a.ID}) || ch.Parts != 0 || ch.Everything ||
		ch.CustomerParts != kexi.PartOrders|kexi.PartLines {
		t.Fatalf("after creating an order of A (%d): %+v", a.ID, ch)
	}
	v1, _ := s.DataVersion(ctx)
	o.CustomerID = b.ID
	must(t, s.UpdateOrder(ctx, o))
	if ch := changesSince(t, s, v1); !slices.Equal(ch.Customers, []int64{a.ID, b.ID}) || ch.Parts != 0 {
		t.Fatalf("after moving the order from A to B: %+v", ch)
	}
	// Changes add up over versions; a failed write adds nothing.
	wantCode(t, s.DeleteOrder(ctx, o.ID+100), kexi.ENOTFOUND)
	if ch := changesSince(t, s, v0); !slices.Equal(ch.Customers, []int64{a.ID, b.ID}) || ch.Version != v1+1 {
		t.Fatalf("since %d: %+v", v0, ch)
	}

	// An anonymous event is customer 0; an interaction its customer; a deleted customer itself.
	v2, _ := s.DataVersion(ctx)
	must(t, s.CreateEvent(ctx, &kexi.WebEvent{AnonymousID: "z", At: day(2025, 3, 2), Type: "click"}))
	must(t, s.CreateInteraction(ctx, &kexi.Interaction{CustomerID: b.ID, At: day(2025, 3, 2), Kind: kexi.Visit}))
	if ch := changesSince(t, s, v2); !slices.Equal(ch.Customers, []int64{0, b.ID}) || ch.CustomerParts != kexi.PartEvents|kexi.PartInteractions {
		t.Fatalf("after an anonymous event and an interaction of B: %+v", ch)
	}

	// A customer's own record reaches all of its records.
	v21, _ := s.DataVersion(ctx)
	a.City = "杭州"
	must(t, s.UpdateCustomer(ctx, a))
	if ch := changesSince(t, s, v21); !slices.Equal(ch.Customers, []int64{a.ID}) || ch.CustomerParts != kexi.PartCustomers|kexi.PartOrders|
		kexi.PartLines|kexi.PartInteractions|kexi.PartEvents|kexi.PartSurveys|kexi.PartResponses {
		t.Fatalf("after updating customer A: %+v", ch)
	}

	// Records not tied to a customer are parts; a campaign takes its responses along; a
	// deleted product changes the lines that named it; settings change no part.
	v3, _ := s.DataVersion(ctx)
	p.Name = "green tea"
	must(t, s.UpdateProduct(ctx, p))
	must(t, s.CreateLead(ctx, &kexi.Lead{Name: "l"}))
	must(t, s.CreateCampaign(ctx, &kexi.Campaign{Name: "k", Start: day(2025, 1, 1)}))
	must(t, s.CreateSWOTItem(ctx, &kexi.SWOTItem{Kind: "O", Text: "t"}))
	want := kexi.PartProducts | kexi.PartLeads | kexi.PartCampaigns | kexi.PartResponses | kexi.PartCompetitors
	if ch := changesSince(t, s, v3); len(ch.Customers) != 0 || ch.Parts != want {
		t.Fatalf("after a product, a lead, a campaign and a SWOT item: %+v (want parts %b)", ch, want)
	}
	v4, _ := s.DataVersion(ctx)
	must(t, s.DeleteProduct(ctx, p.ID))
	if ch := changesSince(t, s, v4); !slices.Equal(ch.Customers, []int64{b.ID}) || ch.Parts != kexi.PartProducts {
		t.Fatalf("after deleting a product B bought: %+v", ch)
	}
	v5, _ := s.DataVersion(ctx)
	set, err := s.Settings(ctx)
	must(t, err)
	set.CostPerMinute = 2
	must(t, s.SaveSettings(ctx, set))
	if ch := changesSince(t, s, v5); !ch.None() || ch.Version != v5+1 {
		t.Fatalf("after saving the settings: %+v", ch)
	}

	// An import changes everything; so does a version the store cannot account for.
	v6, _ := s.DataVersion(ctx)
	_, err = s.Import(ctx, &kexi.Batch{Customers: []kexi.Customer{{ExternalID: "C", Name: "c"}}})
	must(t, err)
	if ch := changesSince(t, s, v6); !ch.Everything || ch.Customers != nil {
		t.Fatalf("after an import: %+v", ch)
	}
	if ch := changesSince(t, s, v6+100); !ch.Everything {
		t.Fatalf("since a version ahead of the data: %+v", ch)
	}
}

// testRefresh makes random writes of orders, customers and the records around them, and
// checks after each few that the Dataset spliced from the one before equals a fresh load, in
// three scopes and for three sets of parts.
func testRefresh(t *testing.T, s kexi.Store) {
	rng := rand.New(rand.NewPCG(15, 4))
	owners, provinces := []string{"ann", "bo", ""}, []string{"浙江", "广东", ""}
	var custs []*kexi.Customer
	newCustomer := func() {
		c := &kexi.Customer{ExternalID: fmt.Sprintf("C%d", len(custs)), Name: "c", Owner: owners[rng.IntN(3)],
			Province: provinces[rng.IntN(3)]}
		must(t, s.CreateCustomer(ctx, c))
		custs = append(custs, c)
	}
	for range 8 {
		newCustomer()
	}
	var prods []*kexi.Product
	for i := range 3 {
		p := &kexi.Product{ExternalID: fmt.Sprintf("P%d", i), Name: "p", Category: "c" + fmt.Sprint(i)}
		must(t, s.CreateProduct(ctx, p))
		prods = append(prods, p)
	}
	camp := &kexi.Campaign{ExternalID: "K", Name: "k", Start: day(2025, 1, 1)}
	must(t, s.CreateCampaign(ctx, camp))
	lead := &kexi.Lead{Name: "l", CustomerID: custs[0].ID}
	must(t, s.CreateLead(ctx, lead))

	live := func() []*kexi.Customer { // customers not deleted
		var out []*kexi.Customer
		for _, c := range custs {
			if c.ID != 0 {
				out = append(out, c)
			}
		}
		return out
	}
	pickCustomer := func(anon bool) int64 {
		l := live()
		if len(l) == 0 || anon && rng.IntN(5) == 0 {
			return 0
		}
		return l[rng.IntN(len(l))].ID
	}
	channels, statuses := []string{"online", "store", "wechat"}, []string{"paid", "paid", kexi.StatusReturn}
	items := func() []kexi.OrderItem {
		var out []kexi.OrderItem
		for range rng.IntN(3) {
			it := kexi.OrderItem{SKU: fmt.Sprintf("S%d", rng.IntN(5)), Name: "n", Quantity: float64(1 + rng.IntN(3)), UnitPrice: 2}
			if p := prods[rng.IntN(len(prods))]; p.ID != 0 && rng.IntN(2) == 0 {
				it.ProductID, it.SKU, it.Category = p.ID, p.ExternalID, p.Category
			}
			out = append(out, it)
		}
		return out
	}
	var orders []*kexi.Order
	var inters []*kexi.Interaction
	newOrder := func() {
		o := &kexi.Order{CustomerID: pickCustomer(true), OrderedAt: day(2025, 1, 1+rng.IntN(60)), Amount: float64(rng.IntN(100)),
			Channel: channels[rng.IntN(3)], Status: statuses[rng.IntN(3)], Province: provinces[rng.IntN(3)], Items: items()}
		must(t, s.CreateOrder(ctx, o))
		orders = append(orders, o)
	}
	for range 20 {
		newOrder()
	}

	ops := []func(){
		newOrder, newOrder, newOrder,
		func() { // update an order: amount, channel, lines, maybe its customer
			o := orders[rng.IntN(len(orders))]
			if o.ID == 0 {
				return
			}
			o.Amount, o.Channel, o.Items = float64(rng.IntN(100)), channels[rng.IntN(3)], items()
			if rng.IntN(3) == 0 {
				o.CustomerID = pickCustomer(true)
			}
			must(t, s.UpdateOrder(ctx, o))
		},
		func() {
			o := orders[rng.IntN(len(orders))]
			if o.ID != 0 {
				must(t, s.DeleteOrder(ctx, o.ID))
				o.ID = 0
			}
		},
		newCustomer,
		func() { // a customer moves to another owner or province, or changes its external id
			l := live()
			c := l[rng.IntN(len(l))]
			c.Owner, c.Province = owners[rng.IntN(3)], provinces[rng.IntN(3)]
			if rng.IntN(3) == 0 {
				c.ExternalID += "x"
			}
			must(t, s.UpdateCustomer(ctx, c))
		},
		func() {
			if l := live(); len(l) > 3 {
				c := l[rng.IntN(len(l))]
				must(t, s.DeleteCustomer(ctx, c.ID))
				for _, o := range orders {
					if o.CustomerID == c.ID {
						o.ID = 0
					}
				}
				for _, x := range inters {
					if x.CustomerID == c.ID {
						x.ID = 0
					}
				}
				c.ID = 0
			}
		},
		func() {
			if id := pickCustomer(false); id != 0 {
				x := &kexi.Interaction{CustomerID: id, At: day(2025, 2, 1+rng.IntN(20)), Kind: kexi.Visit}
				must(t, s.CreateInteraction(ctx, x))
				inters = append(inters, x)
			}
		},
		func() {
			if len(inters) > 0 {
				if x := inters[rng.IntN(len(inters))]; x.ID != 0 {
					x.CustomerID = pickCustomer(false)
					if x.CustomerID != 0 {
						must(t, s.UpdateInteraction(ctx, x))
					}
				}
			}
		},
		func() {
			must(t, s.CreateEvent(ctx, &kexi.WebEvent{CustomerID: pickCustomer(true), AnonymousID: "a", At: day(2025, 2, 1+rng.IntN(20)), Type: "view"}))
		},
		func() {
			if id := pickCustomer(false); id != 0 {
				must(t, s.CreateSurvey(ctx, &kexi.SurveyResponse{CustomerID: id, At: day(2025, 2, 3), Kind: kexi.NPS, Score: float64(rng.IntN(11))}))
			}
		},
		func() {
			if id := pickCustomer(false); id != 0 {
				must(t, s.CreateResponse(ctx, &kexi.CampaignResponse{CampaignID: camp.ID, CustomerID: id, Kind: "yes", At: day(2025, 2, 4)}))
			}
		},
		func() { camp.ExternalID += "k"; must(t, s.UpdateCampaign(ctx, camp)) },
		func() {
			if p := prods[rng.IntN(len(prods))]; p.ID != 0 && rng.IntN(3) == 0 {
				must(t, s.DeleteProduct(ctx, p.ID))
				p.ID = 0
			}
		},
		func() {
			lead.Name += "l"
			if l := live(); len(l) > 0 {
				lead.CustomerID = l[rng.IntN(len(l))].ID
			}
			must(t, s.UpdateLead(ctx, lead))
		},
	}

	scopes := []kexi.Scope{{}, {Owner: "ann"}, {Region: "浙江"}}
	partSets := []kexi.Parts{kexi.AllParts, kexi.PartsOf("orders", "interactions"), kexi.PartsOf("customers", "items", "responses", "campaigns")}
	type held struct {
		d *kexi.Dataset
		v int64
	}
	have := map[[2]int]held{}
	load := func(sc kexi.Scope, p kexi.Parts) *kexi.Dataset {
		d, err := s.LoadDataset(ctx, sc, p)
		must(t, err)
		return d
	}
	for i, sc := range scopes {
		for j, p := range partSets {
			v, _ := s.DataVersion(ctx)
			have[[2]int{i, j}] = held{load(sc, p), v}
		}
	}
	for step := range 60 {
		for range 1 + rng.IntN(4) {
			ops[rng.IntN(len(ops))]()
		}
		for i, sc := range scopes {
			for j, p := range partSets {
				h := have[[2]int{i, j}]
				ch := changesSince(t, s, h.v)
				if ch.Everything {
					t.Fatalf("step %d: changes since %d are everything", step, h.v)
				}
				fresh, err := s.LoadChanged(ctx, sc, p, ch)
				must(t, err)
				got := h.d.Splice(p, ch, fresh)
				want := load(sc, p)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("step %d, scope %+v, parts %b: the spliced Dataset differs from a load:\n%s", step, sc, p, datasetDiff(got, want))
				}
				have[[2]int{i, j}] = held{got, ch.Version}
			}
		}
	}
}

// datasetDiff names the fields of two Datasets that differ.
func datasetDiff(a, b *kexi.Dataset) string {
	var out string
	va, vb := reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem()
	for i := range va.NumField() {
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			out += fmt.Sprintf("%s:\n  spliced %#v\n  loaded  %#v\n", va.Type().Field(i).Name, va.Field(i).Interface(), vb.Field(i).Interface())
		}
	}
	return out
}
