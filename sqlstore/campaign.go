package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/kexi/kexi"
)

var campaigns = &entity[kexi.Campaign]{
	table: "campaigns", kind: kexi.KindCampaigns,
	fields: []field[kexi.Campaign]{
		{name: "external_id", col: "external_id", typ: tText, get: func(_ *crypt, x *kexi.Campaign) any { return nullStr(x.ExternalID) }},
		{name: "name", col: "name", typ: tText, get: text(func(x *kexi.Campaign) string { return x.Name })},
		{name: "channel", col: "channel", typ: tText, get: text(func(x *kexi.Campaign) string { return x.Channel })},
		{name: "start", col: "start_at", typ: tTime, get: when(func(x *kexi.Campaign) time.Time { return x.Start })},
		{name: "end", col: "end_at", typ: tTime, get: when(func(x *kexi.Campaign) time.Time { return x.End })},
		{name: "cost", col: "cost", typ: tNum, get: num(func(x *kexi.Campaign) float64 { return x.Cost })},
		{name: "target_segment", col: "target_segment", typ: tText, get: text(func(x *kexi.Campaign) string { return x.TargetSegment })},
	},
	query: []string{"name", "external_id", "channel"},
	sel:   "t.id, coalesce(t.external_id, ''), t.name, t.channel, t.start_at, t.end_at, t.cost, t.target_segment, t.created_at, t.updated_at",
	from:  "campaigns t",
	scan: func(sc scanner, _ *scanning, x *kexi.Campaign) error {
		var start, end sql.NullInt64
		var created, updated int64
		err := sc.Scan(&x.ID, &x.ExternalID, &x.Name, &x.Channel, &start, &end, &x.Cost, &x.TargetSegment, &created, &updated)
		x.Start, x.End = fromMS(start), fromMS(end)
		x.CreatedAt, x.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
		return err
	},
	id:     func(x *kexi.Campaign) *int64 { return &x.ID },
	ext:    func(x *kexi.Campaign) string { return x.ExternalID },
	stamps: func(x *kexi.Campaign) (*time.Time, *time.Time) { return &x.CreatedAt, &x.UpdatedAt },
}

var responses = &entity[kexi.CampaignResponse]{
	table: "responses", kind: kexi.KindResponses, scope: scopeCustomer,
	fields: []field[kexi.CampaignResponse]{
		{name: "external_id", col: "external_id", typ: tText, get: func(_ *crypt, x *kexi.CampaignResponse) any { return nullStr(x.ExternalID) }},
		{name: "campaign_id", col: "campaign_id", typ: tInt, get: refID(func(x *kexi.CampaignResponse) int64 { return x.CampaignID })},
		{name: "campaign", col: "campaign_id", typ: tRef, ref: "campaigns"},
		{name: "customer_id", col: "customer_id", typ: tInt, get: refID(func(x *kexi.CampaignResponse) int64 { return x.CustomerID })},
		{name: "customer", col: "customer_id", typ: tRef, ref: "customers"},
		{name: "at", col: "at", typ: tTime, get: when(func(x *kexi.CampaignResponse) time.Time { return x.At })},
		{name: "kind", col: "kind", typ: tText, get: text(func(x *kexi.CampaignResponse) string { return x.Kind })},
		{name: "value", col: "value", typ: tNum, get: num(func(x *kexi.CampaignResponse) float64 { return x.Value })},
		{name: "control", col: "control", typ: tBool, get: func(_ *crypt, x *kexi.CampaignResponse) any { return boolInt(x.Control) }},
	},
	alias: map[string]string{"customer": "customer_id", "campaign": "campaign_id"},
	query: []string{"kind"},
	sel: "t.id, coalesce(t.external_id, ''), coalesce(t.campaign_id, 0), coalesce(k.external_id, ''), coalesce(t.customer_id, 0), " +
		"coalesce(c.external_id, ''), t.at, t.kind, t.value, t.control, t.created_at, t.updated_at",
	from:     "responses t LEFT JOIN customers c ON c.id = t.customer_id LEFT JOIN campaigns k ON k.id = t.campaign_id",
	linkInGo: true,
	scan: func(sc scanner, _ *scanning, x *kexi.CampaignResponse) error {
		var at sql.NullInt64
		var created, updated int64
		err := sc.Scan(&x.ID, &x.ExternalID, &x.CampaignID, &x.Campaign, &x.CustomerID, &x.Customer, &at, &x.Kind,
			&x.Value, &x.Control, &created, &updated)
		x.At = fromMS(at)
		x.CreatedAt, x.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
		return err
	},
	id:     func(x *kexi.CampaignResponse) *int64 { return &x.ID },
	ext:    func(x *kexi.CampaignResponse) string { return x.ExternalID },
	stamps: func(x *kexi.CampaignResponse) (*time.Time, *time.Time) { return &x.CreatedAt, &x.UpdatedAt },
}

// FindCampaignByID returns one campaign, or ENOTFOUND.
func (db *DB) FindCampaignByID(ctx context.Context, id int64) (*kexi.Campaign, error) {
	return campaigns.byID(ctx, db.r, db.c, id)
}

// FindCampaigns returns the campaigns matching f and their total count.
func (db *DB) FindCampaigns(ctx context.Context, f kexi.Filter) ([]*kexi.Campaign, int, error) {
	return campaigns.find(ctx, db, f)
}

// CreateCampaign stores a new campaign. ECONFLICT on a taken external id.
func (db *DB) CreateCampaign(ctx context.Context, c *kexi.Campaign) error {
	return create(ctx, db, campaigns, c, func(c *kexi.Campaign) error { return validateCampaign(c, 0) }, nil)
}

// UpdateCampaign rewrites the campaign with c.ID. ENOTFOUND when absent.
func (db *DB) UpdateCampaign(ctx context.Context, c *kexi.Campaign) error {
	return update(ctx, db, campaigns, c, func(c *kexi.Campaign) error { return validateCampaign(c, 0) }, nil)
}

// DeleteCampaign deletes a campaign and its responses. ENOTFOUND when absent.
func (db *DB) DeleteCampaign(ctx context.Context, id int64) error {
	return remove(ctx, db, campaigns, id)
}

// FindResponseByID returns one campaign response, or ENOTFOUND. It does not apply a scope.
func (db *DB) FindResponseByID(ctx context.Context, id int64) (*kexi.CampaignResponse, error) {
	return responses.byID(ctx, db.r, db.c, id)
}

// FindResponses returns the campaign responses matching f (within f.Scope) and their total.
func (db *DB) FindResponses(ctx context.Context, f kexi.Filter) ([]*kexi.CampaignResponse, int, error) {
	return responses.find(ctx, db, f)
}

func (db *DB) saveResponse(ctx context.Context, r *kexi.CampaignResponse, isNew bool) error {
	if err := validateResponse(r, 0); err != nil {
		return err
	}
	return db.change(ctx, func(tx *sql.Tx, ch *changes) error {
		if err := resolveRef(ctx, tx, "campaigns", "campaign", r.Campaign, &r.CampaignID); err != nil {
			return err
		}
		if err := resolveRef(ctx, tx, "customers", "customer", r.Customer, &r.CustomerID); err != nil {
			return err
		}
		return save(ctx, tx, db, ch, responses, r, isNew)
	})
}

// CreateResponse stores a new campaign response; Campaign and Customer external ids are
// resolved when the IDs are 0 (EINVALID when they name nothing).
func (db *DB) CreateResponse(ctx context.Context, r *kexi.CampaignResponse) error {
	return db.saveResponse(ctx, r, true)
}

// UpdateResponse rewrites the campaign response with r.ID. ENOTFOUND when absent.
func (db *DB) UpdateResponse(ctx context.Context, r *kexi.CampaignResponse) error {
	return db.saveResponse(ctx, r, false)
}

// DeleteResponse deletes a campaign response. ENOTFOUND when absent.
func (db *DB) DeleteResponse(ctx context.Context, id int64) error {
	return remove(ctx, db, responses, id)
}
