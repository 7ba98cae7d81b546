package kexihttp

import (
	"context"
	"fmt"

	"github.com/kexi/kexi"
)

// entity is what the API and the data pages need of one entity kind, whatever its Go type.
// Values are pointers to the kind's struct (*kexi.Customer, …); lists are slices of them.
type entity interface {
	kind() string
	newRecord() any
	emptyList() any
	get(ctx context.Context, st kexi.Store, id int64) (any, error)
	list(ctx context.Context, st kexi.Store, f kexi.Filter) (any, int, error)
	create(ctx context.Context, st kexi.Store, v any) error
	update(ctx context.Context, st kexi.Store, v any) error
	del(ctx context.Context, st kexi.Store, id int64) error
	setID(v any, id int64)
	// visible reports whether a user with scope sc may see v.
	visible(ctx context.Context, st kexi.Store, sc kexi.Scope, v any) (bool, error)
	// prepare checks (and, for owners, fills in) a record u is about to write.
	prepare(ctx context.Context, st kexi.Store, u *kexi.User, v any) error
}

// ent implements entity for one record type T with the store's method expressions.
type ent[T any] struct {
	name    string
	byID    func(kexi.Store, context.Context, int64) (*T, error)
	find    func(kexi.Store, context.Context, kexi.Filter) ([]*T, int, error)
	create_ func(kexi.Store, context.Context, *T) error
	update_ func(kexi.Store, context.Context, *T) error
	delete_ func(kexi.Store, context.Context, int64) error
	id      func(*T) *int64
	// customer points at the record's customer reference (id and external id); nil for kinds
	// that do not hang off a customer.
	customer func(*T) (*int64, *string)
	// owner points at the record's owner login (leads); nil otherwise.
	owner func(*T) *string
	// optional marks kinds whose customer reference may be empty (anonymous web events,
	// unconverted leads).
	optional bool
}

func (e *ent[T]) kind() string   { return e.name }
func (e *ent[T]) newRecord() any { return new(T) }
func (e *ent[T]) emptyList() any { return []*T{} }

func (e *ent[T]) get(ctx context.Context, st kexi.Store, id int64) (any, error) {
	return e.byID(st, ctx, id)
}

func (e *ent[T]) list(ctx context.Context, st kexi.Store, f kexi.Filter) (any, int, error) {
	xs, n, err := e.find(st, ctx, f)
	if xs == nil {
		xs = []*T{}
	}
	return xs, n, err
}

func (e *ent[T]) create(ctx context.Context, st kexi.Store, v any) error {
	return e.create_(st, ctx, v.(*T))
}

func (e *ent[T]) update(ctx context.Context, st kexi.Store, v any) error {
	return e.update_(st, ctx, v.(*T))
}

func (e *ent[T]) del(ctx context.Context, st kexi.Store, id int64) error {
	return e.delete_(st, ctx, id)
}

func (e *ent[T]) setID(v any, id int64) { *e.id(v.(*T)) = id }

func (e *ent[T]) visible(ctx context.Context, st kexi.Store, sc kexi.Scope, v any) (bool, error) {
	if !sc.Restricted() {
		return true, nil
	}
	t := v.(*T)
	if c, ok := v.(*kexi.Customer); ok {
		return customerVisible(c, sc), nil
	}
	if e.owner != nil && sc.Owner != "" {
		// Leads belong to their owner, whoever the converted customer is.
		return *e.owner(t) == sc.Owner, nil
	}
	if e.customer == nil {
		return true, nil
	}
	cid, _ := e.customer(t)
	if *cid == 0 {
		// Anonymous events are nobody's; an unconverted lead is in its province's region.
		l, ok := v.(*kexi.Lead)
		return ok && l.Province == sc.Region, nil
	}
	return customerIDVisible(ctx, st, sc, *cid)
}

func (e *ent[T]) prepare(ctx context.Context, st kexi.Store, u *kexi.User, v any) error {
	sc := u.Scope()
	if !sc.Restricted() {
		return nil
	}
	t := v.(*T)
	if c, ok := v.(*kexi.Customer); ok {
		if sc.Owner != "" {
			if c.Owner != "" && c.Owner != sc.Owner {
				return fieldError("owner", c.Owner, "a sales user can only keep their own customers")
			}
			c.Owner = sc.Owner
		}
		if sc.Region != "" {
			if c.Province != "" && c.Province != sc.Region {
				return fieldError("province", c.Province, "outside your region "+sc.Region)
			}
			c.Province = sc.Region
		}
		return nil
	}
	if e.owner != nil && sc.Owner != "" {
		o := e.owner(t)
		if *o != "" && *o != sc.Owner {
			return fieldError("owner", *o, "a sales user can only keep their own records")
		}
		*o = sc.Owner
	}
	if l, ok := v.(*kexi.Lead); ok && sc.Region != "" {
		if l.Province != "" && l.Province != sc.Region {
			return fieldError("province", l.Province, "outside your region "+sc.Region)
		}
		l.Province = sc.Region
	}
	if e.customer == nil {
		return nil
	}
	cid, ext := e.customer(t)
	if *cid == 0 && *ext != "" {
		cs, _, err := st.FindCustomers(ctx, kexi.Filter{Where: []kexi.Cond{{Field: "external_id", Op: kexi.Eq, Value: *ext}},
			Limit: 1, Scope: sc})
		if err != nil {
			return fmt.Errorf("find customer %q: %w", *ext, err)
		}
		if len(cs) == 0 {
			return fieldError("customer", *ext, "no such customer of yours")
		}
		*cid = cs[0].ID
	}
	if *cid == 0 {
		if e.optional && e.owner != nil {
			return nil
		}
		return fieldError("customer_id", "", "name one of your customers (customer_id or customer)")
	}
	ok, err := customerIDVisible(ctx, st, sc, *cid)
	if err != nil {
		return err
	}
	if !ok {
		return fieldError("customer_id", fmt.Sprint(*cid), "no such customer of yours")
	}
	return nil
}

// fieldError is an EINVALID error about one field.
func fieldError(field, value, reason string) error {
	return &kexi.Error{Code: kexi.EINVALID, Message: "invalid " + field,
		Problems: []kexi.FieldProblem{{Column: field, Value: value, Reason: reason}}}
}

// customerVisible reports whether scope sc covers customer c.
func customerVisible(c *kexi.Customer, sc kexi.Scope) bool {
	if sc.Owner != "" && c.Owner != sc.Owner {
		return false
	}
	if sc.Region != "" && c.Province != sc.Region {
		return false
	}
	return true
}

// customerIDVisible reports whether the customer with id exists and sc covers it.
func customerIDVisible(ctx context.Context, st kexi.Store, sc kexi.Scope, id int64) (bool, error) {
	c, err := st.FindCustomerByID(ctx, id)
	if kexi.ErrorCode(err) == kexi.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("find customer %d: %w", id, err)
	}
	return customerVisible(c, sc), nil
}

// entities maps every kind to its entity.
var entities = map[string]entity{
	kexi.KindCustomers: &ent[kexi.Customer]{name: kexi.KindCustomers,
		byID: kexi.Store.FindCustomerByID, find: kexi.Store.FindCustomers, create_: kexi.Store.CreateCustomer,
		update_: kexi.Store.UpdateCustomer, delete_: kexi.Store.DeleteCustomer,
		id: func(x *kexi.Customer) *int64 { return &x.ID }},
	kexi.KindOrders: &ent[kexi.Order]{name: kexi.KindOrders,
		byID: kexi.Store.FindOrderByID, find: kexi.Store.FindOrders, create_: kexi.Store.CreateOrder,
		update_: kexi.Store.UpdateOrder, delete_: kexi.Store.DeleteOrder,
		id:       func(x *kexi.Order) *int64 { return &x.ID },
		customer: func(x *kexi.Order) (*int64, *string) { return &x.CustomerID, &x.Customer }},
	kexi.KindProducts: &ent[kexi.Product]{name: kexi.KindProducts,
		byID: kexi.Store.FindProductByID, find: kexi.Store.FindProducts, create_: kexi.Store.CreateProduct,
		update_: kexi.Store.UpdateProduct, delete_: kexi.Store.DeleteProduct,
		id: func(x *kexi.Product) *int64 { return &x.ID }},
	kexi.KindInteractions: &ent[kexi.Interaction]{name: kexi.KindInteractions,
		byID: kexi.Store.FindInteractionByID, find: kexi.Store.FindInteractions, create_: kexi.Store.CreateInteraction,
		update_: kexi.Store.UpdateInteraction, delete_: kexi.Store.DeleteInteraction,
		id:       func(x *kexi.Interaction) *int64 { return &x.ID },
		customer: func(x *kexi.Interaction) (*int64, *string) { return &x.CustomerID, &x.Customer }},
	kexi.KindEvents: &ent[kexi.WebEvent]{name: kexi.KindEvents,
		byID: kexi.Store.FindEventByID, find: kexi.Store.FindEvents, create_: kexi.Store.CreateEvent,
		update_: kexi.Store.UpdateEvent, delete_: kexi.Store.DeleteEvent,
		id:       func(x *kexi.WebEvent) *int64 { return &x.ID },
		customer: func(x *kexi.WebEvent) (*int64, *string) { return &x.CustomerID, &x.Customer },
		optional: true},
	kexi.KindSurveys: &ent[kexi.SurveyResponse]{name: kexi.KindSurveys,
		byID: kexi.Store.FindSurveyByID, find: kexi.Store.FindSurveys, create_: kexi.Store.CreateSurvey,
		update_: kexi.Store.UpdateSurvey, delete_: kexi.Store.DeleteSurvey,
		id:       func(x *kexi.SurveyResponse) *int64 { return &x.ID },
		customer: func(x *kexi.SurveyResponse) (*int64, *string) { return &x.CustomerID, &x.Customer }},
	kexi.KindLeads: &ent[kexi.Lead]{name: kexi.KindLeads,
		byID: kexi.Store.FindLeadByID, find: kexi.Store.FindLeads, create_: kexi.Store.CreateLead,
		update_: kexi.Store.UpdateLead, delete_: kexi.Store.DeleteLead,
		id:       func(x *kexi.Lead) *int64 { return &x.ID },
		customer: func(x *kexi.Lead) (*int64, *string) { return &x.CustomerID, &x.Customer },
		owner:    func(x *kexi.Lead) *string { return &x.Owner },
		optional: true},
	kexi.KindCampaigns: &ent[kexi.Campaign]{name: kexi.KindCampaigns,
		byID: kexi.Store.FindCampaignByID, find: kexi.Store.FindCampaigns, create_: kexi.Store.CreateCampaign,
		update_: kexi.Store.UpdateCampaign, delete_: kexi.Store.DeleteCampaign,
		id: func(x *kexi.Campaign) *int64 { return &x.ID }},
	kexi.KindResponses: &ent[kexi.CampaignResponse]{name: kexi.KindResponses,
		byID: kexi.Store.FindResponseByID, find: kexi.Store.FindResponses, create_: kexi.Store.CreateResponse,
		update_: kexi.Store.UpdateResponse, delete_: kexi.Store.DeleteResponse,
		id:       func(x *kexi.CampaignResponse) *int64 { return &x.ID },
		customer: func(x *kexi.CampaignResponse) (*int64, *string) { return &x.CustomerID, &x.Customer }},
	kexi.KindCompetitors: &ent[kexi.Competitor]{name: kexi.KindCompetitors,
		byID: kexi.Store.FindCompetitorByID, find: kexi.Store.FindCompetitors, create_: kexi.Store.CreateCompetitor,
		update_: kexi.Store.UpdateCompetitor, delete_: kexi.Store.DeleteCompetitor,
		id: func(x *kexi.Competitor) *int64 { return &x.ID }},
	kexi.KindSWOT: &ent[kexi.SWOTItem]{name: kexi.KindSWOT,
		byID: kexi.Store.FindSWOTItemByID, find: kexi.Store.FindSWOTItems, create_: kexi.Store.CreateSWOTItem,
		update_: kexi.Store.UpdateSWOTItem, delete_: kexi.Store.DeleteSWOTItem,
		id: func(x *kexi.SWOTItem) *int64 { return &x.ID }},
}
