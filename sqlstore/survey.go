package sqlstore

import (
	"context"
	"time"

	"github.com/kexi/kexi"
)

var surveys = &entity[kexi.SurveyResponse]{
	table: "surveys", kind: kexi.KindSurveys, scope: scopeCustomer,
	fields: []field[kexi.SurveyResponse]{
		{name: "external_id", col: "external_id", typ: tText, get: func(_ *crypt, x *kexi.SurveyResponse) any { return nullStr(x.ExternalID) }},
		{name: "customer_id", col: "customer_id", typ: tInt, get: refID(func(x *kexi.SurveyResponse) int64 { return x.CustomerID })},
		{name: "customer", col: "customer_id", typ: tRef, ref: "customers"},
		{name: "at", col: "at", typ: tTime, get: when(func(x *kexi.SurveyResponse) time.Time { return x.At })},
		{name: "kind", col: "kind", typ: tText, get: text(func(x *kexi.SurveyResponse) string { return x.Kind })},
		{name: "score", col: "score", typ: tNum, get: num(func(x *kexi.SurveyResponse) float64 { return x.Score })},
		{name: "channel", col: "channel", typ: tText, get: text(func(x *kexi.SurveyResponse) string { return x.Channel })},
		{name: "comment", col: "comment", typ: tText, get: text(func(x *kexi.SurveyResponse) string { return x.Comment })},
	},
	alias: map[string]string{"customer": "customer_id"},
	query: []string{"comment"},
	sel: "t.id, coalesce(t.external_id, ''), coalesce(t.customer_id, 0), coalesce(c.external_id, ''), t.at, t.kind, " +
		"t.score, t.channel, t.comment, t.created_at, t.updated_at",
	from:     "surveys t LEFT JOIN customers c ON c.id = t.customer_id",
	linkInGo: true,
	scan: func(sc scanner, s *scanning, x *kexi.SurveyResponse) error {
		var at, created, updated int64
		err := sc.Scan(&x.ID, &x.ExternalID, &x.CustomerID, &x.Customer, &at, s.text(0, &x.Kind), &x.Score,
			s.text(1, &x.Channel), s.text(2, &x.Comment), &created, &updated)
		x.At, x.CreatedAt, x.UpdatedAt = time.UnixMilli(at).UTC(), time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
		return err
	},
	id:     func(x *kexi.SurveyResponse) *int64 { return &x.ID },
	ext:    func(x *kexi.SurveyResponse) string { return x.ExternalID },
	stamps: func(x *kexi.SurveyResponse) (*time.Time, *time.Time) { return &x.CreatedAt, &x.UpdatedAt },
}

// FindSurveyByID returns one survey response, or ENOTFOUND. It does not apply a scope.
func (db *DB) FindSurveyByID(ctx context.Context, id int64) (*kexi.SurveyResponse, error) {
	return surveys.byID(ctx, db.r, db.c, id)
}

// FindSurveys returns the survey responses matching f (within f.Scope) and their total count.
func (db *DB) FindSurveys(ctx context.Context, f kexi.Filter) ([]*kexi.SurveyResponse, int, error) {
	return surveys.find(ctx, db, f)
}

// CreateSurvey stores a new survey response. EINVALID when the score is outside its kind's
// range (NPS 0–10, CSAT 1–5, CES 1–7).
func (db *DB) CreateSurvey(ctx context.Context, s *kexi.SurveyResponse) error {
	return saveChild(ctx, db, surveys, s, &s.CustomerID, s.Customer, validateSurvey, true)
}

// UpdateSurvey rewrites the survey response with s.ID. ENOTFOUND when absent.
func (db *DB) UpdateSurvey(ctx context.Context, s *kexi.SurveyResponse) error {
	return saveChild(ctx, db, surveys, s, &s.CustomerID, s.Customer, validateSurvey, false)
}

// DeleteSurvey deletes a survey response. ENOTFOUND when absent.
func (db *DB) DeleteSurvey(ctx context.Context, id int64) error {
	return remove(ctx, db, surveys, id)
}
