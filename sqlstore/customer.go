package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kexi/kexi"
)

var customers = &entity[kexi.Customer]{
	table: "customers", kind: kexi.KindCustomers, custom: true, scope: scopeSelf,
	fields: []field[kexi.Customer]{
		{name: "external_id", col: "external_id", typ: tText, get: func(_ *crypt, x *kexi.Customer) any { return nullStr(x.ExternalID) }},
		{name: "name", col: "name", typ: tText, get: text(func(x *kexi.Customer) string { return x.Name })},
		{name: "kind", col: "kind", typ: tText, get: text(func(x *kexi.Customer) string { return string(x.Kind) })},
		{name: "gender", col: "gender", typ: tText, get: text(func(x *kexi.Customer) string { return x.Gender })},
		{name: "birth_date", col: "birth_date", typ: tTime, get: when(func(x *kexi.Customer) time.Time { return x.BirthDate })},
		{name: "age", col: "age", typ: tInt, get: func(_ *crypt, x *kexi.Customer) any { return int64(x.Age) }},
		{name: "income", col: "income", typ: tNum, get: num(func(x *kexi.Customer) float64 { return x.Income })},
		{name: "income_band", col: "income_band", typ: tText, get: text(func(x *kexi.Customer) string { return x.IncomeBand })},
		{name: "occupation", col: "occupation", typ: tText, get: text(func(x *kexi.Customer) string { return x.Occupation })},
		{name: "education", col: "education", typ: tText, get: text(func(x *kexi.Customer) string { return x.Education })},
		{name: "country", col: "country", typ: tText, get: text(func(x *kexi.Customer) string { return x.Country })},
		{name: "province", col: "province", typ: tText, get: text(func(x *kexi.Customer) string { return x.Province })},
		{name: "city", col: "city", typ: tText, get: text(func(x *kexi.Customer) string { return x.City })},
		{name: "phone", col: "phone_mac", typ: tMac, get: func(c *crypt, x *kexi.Customer) any { return c.mac(x.Phone) }},
		{name: "phone", col: "phone_enc", typ: tBlob, get: func(c *crypt, x *kexi.Customer) any { return c.seal(x.Phone) }},
		{name: "email", col: "email_mac", typ: tMac, get: func(c *crypt, x *kexi.Customer) any { return c.mac(x.Email) }},
		{name: "email", col: "email_enc", typ: tBlob, get: func(c *crypt, x *kexi.Customer) any { return c.seal(x.Email) }},
		{name: "channel", col: "channel", typ: tText, get: text(func(x *kexi.Customer) string { return x.Channel })},
		{name: "campaign", col: "campaign", typ: tText, get: text(func(x *kexi.Customer) string { return x.Campaign })},
		{name: "owner", col: "owner", typ: tText, get: text(func(x *kexi.Customer) string { return x.Owner })},
		{name: "tags", col: "tags", typ: tTags, get: func(_ *crypt, x *kexi.Customer) any { return tagsJSON(x.Tags) }},
		{name: "churned", col: "churned", typ: tBool, get: func(_ *crypt, x *kexi.Customer) any { return boolInt(x.Churned) }},
		{name: "churned_at", col: "churned_at", typ: tTime, get: when(func(x *kexi.Customer) time.Time { return x.ChurnedAt })},
		{name: "custom", col: "custom", typ: tJSON, get: func(_ *crypt, x *kexi.Customer) any { return customJSON(x.Custom) }},
		{name: "stub", col: "stub", typ: tBool, get: func(_ *crypt, x *kexi.Customer) any { return boolInt(x.Stub) }},
	},
	query: []string{"name", "external_id", "city", "province"},
	sel: "t.id, coalesce(t.external_id, ''), t.name, t.kind, t.gender, t.birth_date, t.age, t.income, t.income_band, " +
		"t.occupation, t.education, t.country, t.province, t.city, t.phone_enc, t.email_enc, t.channel, t.campaign, " +
		"t.owner, t.tags, t.churned, t.churned_at, t.custom, t.stub, t.created_at, t.updated_at",
	from:   "customers t",
	scan:   scanCustomer,
	id:     func(x *kexi.Customer) *int64 { return &x.ID },
	ext:    func(x *kexi.Customer) string { return x.ExternalID },
	stamps: func(x *kexi.Customer) (*time.Time, *time.Time) { return &x.CreatedAt, &x.UpdatedAt },
}

func scanCustomer(sc scanner, s *scanning, x *kexi.Customer) error {
	var kind string
	var birth, churnedAt sql.NullInt64
	var phone, email []byte
	var tags, custom sql.NullString
	var created, updated int64
	err := sc.Scan(&x.ID, &x.ExternalID, &x.Name, &kind, &x.Gender, &birth, &x.Age, &x.Income, &x.IncomeBand,
		&x.Occupation, &x.Education, &x.Country, &x.Province, &x.City, &phone, &email, &x.Channel, &x.Campaign,
		&x.Owner, &tags, &x.Churned, &churnedAt, &custom, &x.Stub, &created, &updated)
	if err != nil {
		return err
	}
	x.Kind = kexi.CustomerKind(kind)
	x.BirthDate, x.ChurnedAt = fromMS(birth), fromMS(churnedAt)
	x.CreatedAt, x.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	if x.Phone, err = s.c.open(phone); err != nil {
		return fmt.Errorf("customer %d phone: %w", x.ID, err)
	}
	if x.Email, err = s.c.open(email); err != nil {
		return fmt.Errorf("customer %d email: %w", x.ID, err)
	}
	if tags.Valid {
		if err := json.Unmarshal([]byte(tags.String), &x.Tags); err != nil {
			return fmt.Errorf("customer %d tags: %w", x.ID, err)
		}
	}
	if x.Custom, err = s.custom.parse(custom); err != nil {
		return fmt.Errorf("customer %d custom fields: %w", x.ID, err)
	}
	return nil
}

func tagsJSON(tags []string) any {
	if len(tags) == 0 {
		return nil
	}
	b, _ := json.Marshal(tags)
	return string(b)
}

func customJSON(m map[string]string) any {
	if len(m) == 0 {
		return nil
	}
	b, _ := json.Marshal(m) // sorted keys: one canonical text per map
	return string(b)
}

// scanning is what an entity's scan needs besides the row.
type scanning struct {
	c      *crypt  // opens personal data
	custom customs // nil: each record gets a custom-field map of its own
	texts  texts   // nil: each record gets texts of its own
	shared [6]sharedText
}

// text returns a destination for Scan that sets *p to the column's text: with texts, one copy
// of each distinct text for all the records of a Dataset. Event types, pages, sessions,
// interaction kinds, reps and subjects, lead sources and stages repeat over millions of rows:
// a copy each cost a Dataset of 100k customers over 100 MB. k (< 6) tells the columns of a
// row apart.
func (s *scanning) text(k int, p *string) *sharedText {
	s.shared[k] = sharedText{p: p, texts: s.texts}
	return &s.shared[k]
}

// sharedText is a text column's destination that keeps one copy of each text (scanning.text).
type sharedText struct {
	p     *string
	texts texts
}

// Scan implements sql.Scanner.
func (t *sharedText) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*t.p = ""
	case string:
		*t.p = t.texts.str(v)
	case []byte:
		*t.p = t.texts.get(v)
	default:
		return fmt.Errorf("a text was expected, not %T", src)
	}
	return nil
}

// customs shares the custom-field maps of the records of one Dataset: records whose custom
// fields are the same text get one map, parsed once. Custom fields are mostly a few choices
// ("level": "gold"), where a map each would cost a Dataset of 100k customers 35 MiB; the maps
// are read-only, as is all of a Dataset.
type customs map[string]map[string]string

// parse is parseCustom, through m (nil: no sharing).
func (m customs) parse(s sql.NullString) (map[string]string, error) {
	if m == nil || !s.Valid {
		return parseCustom(s)
	}
	if v, ok := m[s.String]; ok {
		return v, nil
	}
	v, err := parseCustom(s)
	if err == nil {
		m[s.String] = v
	}
	return v, err
}

func parseCustom(s sql.NullString) (map[string]string, error) {
	if !s.Valid || s.String == "" || s.String == "{}" {
		return nil, nil
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(s.String), &raw); err != nil {
		return nil, err
	}
	m := make(map[string]string, len(raw))
	for k, v := range raw {
		switch v := v.(type) {
		case string:
			m[k] = v
		case nil:
		default:
			m[k] = fmt.Sprint(v)
		}
	}
	return m, nil
}

// FindCustomerByID returns one customer, or ENOTFOUND. It does not apply a scope.
func (db *DB) FindCustomerByID(ctx context.Context, id int64) (*kexi.Customer, error) {
	return customers.byID(ctx, db.r, db.c, id)
}

// FindCustomers returns the customers matching f (within f.Scope) and their total count.
// EINVALID names an unknown field or a bad value.
func (db *DB) FindCustomers(ctx context.Context, f kexi.Filter) ([]*kexi.Customer, int, error) {
	return customers.find(ctx, db, f)
}

// CreateCustomer stores a new customer and fills its ID and stamps. ECONFLICT when the
// external id is taken; EINVALID for bad fields.
func (db *DB) CreateCustomer(ctx context.Context, c *kexi.Customer) error {
	return create(ctx, db, customers, c, func(c *kexi.Customer) error { return validateCustomer(c, 0) }, nil)
}

// UpdateCustomer rewrites the customer with c.ID. ENOTFOUND when it does not exist.
func (db *DB) UpdateCustomer(ctx context.Context, c *kexi.Customer) error {
	return update(ctx, db, customers, c, func(c *kexi.Customer) error { return validateCustomer(c, 0) }, nil)
}

// DeleteCustomer deletes a customer with its orders, interactions, events, surveys and
// campaign responses. ENOTFOUND when it does not exist.
func (db *DB) DeleteCustomer(ctx context.Context, id int64) error {
	return remove(ctx, db, customers, id)
}
