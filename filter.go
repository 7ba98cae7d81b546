package kexi

// Op is a comparison operator in a filter condition.
type Op string

// Filter operators. Contains is a case-insensitive substring match; In takes a comma-separated
// list of values.
const (
	Eq       Op = "eq"
	Ne       Op = "ne"
	Lt       Op = "lt"
	Le       Op = "le"
	Gt       Op = "gt"
	Ge       Op = "ge"
	Contains Op = "contains"
	In       Op = "in"
)

// Cond is one condition of a filter: Field Op Value. Field is a field's JSON name
// ("province", "amount", "ordered_at") or "custom.NAME" for a custom field. Values are text and
// are compared as the field's type (numbers, dates as 2006-01-02 or RFC 3339).
type Cond struct {
	Field string `json:"field"`
	Op    Op     `json:"op"`
	Value string `json:"value"`
}

// Filter selects, sorts and pages records of one entity. All conditions must hold. Sort is a
// field name, "-name" for descending; the default is by ID. Limit 0 means the store's default
// (100); Limit < 0 means no limit.
type Filter struct {
	Where  []Cond `json:"where,omitempty"`
	Query  string `json:"q,omitempty"` // free text over the entity's name-like fields
	Sort   string `json:"sort,omitempty"`
	Offset int    `json:"offset,omitempty"`
	Limit  int    `json:"limit,omitempty"`
	Scope  Scope  `json:"-"`
}

// DefaultLimit is the page size a Filter with Limit 0 gets.
const DefaultLimit = 100
