// Package kexi holds kexi's domain: the records a business loads (customers, orders, leads,
// campaigns, …), the Dataset that analyses read, the filters the stores understand, the service
// interfaces the stores implement, and the one error type every layer returns.
//
// The package uses only the standard library. Everything else depends on it; it depends on
// nothing, so data flows one way: sheet/API → store → Dataset → analysis → Result → CLI/API/page.
package kexi

import (
	"strings"
	"time"
)

// CustomerKind says whether a customer is a person, a company or a public body.
type CustomerKind string

// Customer kinds (个人/企业/政府).
const (
	Individual CustomerKind = "individual"
	Enterprise CustomerKind = "enterprise"
	Government CustomerKind = "government"
)

// Customer is one customer (客户). Zero values mean "unknown": Age 0, Income 0, a zero BirthDate.
// Phone and Email are personal data and are encrypted at rest by the stores.
type Customer struct {
	ID         int64        `json:"id"`
	ExternalID string       `json:"external_id"`
	Name       string       `json:"name"`
	Kind       CustomerKind `json:"kind,omitempty"`
	Gender     string       `json:"gender,omitempty"` // "male", "female" or what the source says
	BirthDate  time.Time    `json:"birth_date,omitzero"`
	Age        int          `json:"age,omitempty"`
	Income     float64      `json:"income,omitempty"`
	IncomeBand string       `json:"income_band,omitempty"`
	Occupation string       `json:"occupation,omitempty"`
	Education  string       `json:"education,omitempty"`
	Country    string       `json:"country,omitempty"`
	Province   string       `json:"province,omitempty"`
	City       string       `json:"city,omitempty"`
	Phone      string       `json:"phone,omitempty"`
	Email      string       `json:"email,omitempty"`
	Channel    string       `json:"channel,omitempty"`  // acquisition channel 获客渠道
	Campaign   string       `json:"campaign,omitempty"` // external id of the acquiring campaign
	Owner      string       `json:"owner,omitempty"`    // login of the owning sales rep
	Tags       []string     `json:"tags,omitempty"`
	// Churned is an explicit churn flag (subscription businesses); ChurnedAt when it is known.
	Churned   bool      `json:"churned,omitempty"`
	ChurnedAt time.Time `json:"churned_at,omitzero"`
	// Custom holds typed custom fields by name; their types are in CustomField definitions.
	// Values are kept as text in a canonical form: numbers as Go formats them, dates as 2006-01-02.
	Custom map[string]string `json:"custom,omitempty"`
	// Stub is true for a customer created because an order or response named it before the
	// customer itself was imported; a later customer import fills it in.
	Stub      bool      `json:"stub,omitempty"`
	CreatedAt time.Time `json:"created_at,omitzero"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// Field returns the customer's value of a text field by the name analyses use for it in their
// options — kind, gender, province, city, country, channel, campaign, owner, occupation,
// education, income_band, or custom.NAME for a custom field — and whether the name is one of them.
func (c *Customer) Field(name string) (string, bool) {
	if f, ok := strings.CutPrefix(name, "custom."); ok {
		return c.Custom[f], true
	}
	switch name {
	case "kind":
		return string(c.Kind), true
	case "gender":
		return c.Gender, true
	case "province":
		return c.Province, true
	case "city":
		return c.City, true
	case "country":
		return c.Country, true
	case "channel":
		return c.Channel, true
	case "campaign":
		return c.Campaign, true
	case "owner":
		return c.Owner, true
	case "occupation":
		return c.Occupation, true
	case "education":
		return c.Education, true
	case "income_band":
		return c.IncomeBand, true
	}
	return "", false
}

// AgeAt returns the customer's age at t in whole years: Age when set, else the years from
// BirthDate to t; ok is false when neither is known. The age is not checked for sense.
func (c *Customer) AgeAt(t time.Time) (age int, ok bool) {
	if c.Age != 0 {
		return c.Age, true
	}
	if c.BirthDate.IsZero() {
		return 0, false
	}
	b := c.BirthDate
	age = t.Year() - b.Year()
	if t.Month() < b.Month() || (t.Month() == b.Month() && t.Day() < b.Day()) {
		age--
	}
	return age, true
}

// FieldType is the type of a custom field.
type FieldType string

// Custom field types.
const (
	FieldText   FieldType = "text"
	FieldNumber FieldType = "number"
	FieldDate   FieldType = "date"
	FieldChoice FieldType = "choice"
)

// CustomField defines one custom field of an entity ("customer" or "lead").
type CustomField struct {
	Entity  string    `json:"entity"`
	Name    string    `json:"name"`
	Type    FieldType `json:"type"`
	Choices []string  `json:"choices,omitempty"`
}

// Order statuses. A return document (退货) carries the refunded value in Returned and no Amount.
const (
	StatusCompleted = "completed"
	StatusPending   = "pending"
	StatusCancelled = "cancelled"
	StatusReturn    = "return"
)

// Order is one order (订单). Amount is revenue after discount; Cost is cost of goods; Returned is
// the value refunded or returned against this order. Items are its line items.
type Order struct {
	ID         int64       `json:"id"`
	ExternalID string      `json:"external_id"`
	CustomerID int64       `json:"customer_id"`
	Customer   string      `json:"customer,omitempty"` // the customer's external id, as imported
	OrderedAt  time.Time   `json:"ordered_at"`
	Amount     float64     `json:"amount"`
	Cost       float64     `json:"cost,omitempty"`
	Shipping   float64     `json:"shipping,omitempty"`
	Discount   float64     `json:"discount,omitempty"`
	Returned   float64     `json:"returned,omitempty"`
	Channel    string      `json:"channel,omitempty"`
	Status     string      `json:"status,omitempty"`
	Province   string      `json:"province,omitempty"` // shipping province, when the order has one
	City       string      `json:"city,omitempty"`
	Items      []OrderItem `json:"items,omitempty"`
	CreatedAt  time.Time   `json:"created_at,omitzero"`
	UpdatedAt  time.Time   `json:"updated_at,omitzero"`
}

// IsPurchase reports whether the order counts as a purchase: not a return, not cancelled, and
// with an amount of 0 or more ($0 orders are purchases; see OrderRow.IsPurchase).
func (o *Order) IsPurchase() bool { return isPurchase(o.Amount, o.Status) }

// IsPaid reports whether the order is a purchase with a positive amount (see OrderRow.IsPaid).
func (o *Order) IsPaid() bool { return o.Amount > 0 && o.IsPurchase() }

// OrderItem is one line of an order. Quantity may be fractional (weights).
type OrderItem struct {
	ProductID int64   `json:"product_id,omitempty"`
	SKU       string  `json:"sku,omitempty"`
	Name      string  `json:"name,omitempty"`
	Category  string  `json:"category,omitempty"`
	Quantity  float64 `json:"quantity"`
	UnitPrice float64 `json:"unit_price"`
	UnitCost  float64 `json:"unit_cost,omitempty"`
}

// Product is one product (产品).
type Product struct {
	ID         int64     `json:"id"`
	ExternalID string    `json:"external_id"` // the SKU
	Name       string    `json:"name"`
	Category   string    `json:"category,omitempty"`
	Price      float64   `json:"price,omitempty"`
	Cost       float64   `json:"cost,omitempty"`
	CreatedAt  time.Time `json:"created_at,omitzero"`
	UpdatedAt  time.Time `json:"updated_at,omitzero"`
}

// Interaction kinds (咨询/沟通/拜访/售后/投诉).
const (
	Consultation  = "consultation"
	Communication = "communication"
	Visit         = "visit"
	AfterSales    = "after_sales"
	Complaint     = "complaint"
)

// Interaction is one service or sales contact (互动). Minutes drive the indirect cost of serving
// the customer.
type Interaction struct {
	ID         int64     `json:"id"`
	ExternalID string    `json:"external_id"`
	CustomerID int64     `json:"customer_id"`
	Customer   string    `json:"customer,omitempty"`
	At         time.Time `json:"at"`
	Kind       string    `json:"kind"`
	Channel    string    `json:"channel,omitempty"`
	Minutes    float64   `json:"minutes,omitempty"`
	Rep        string    `json:"rep,omitempty"`
	Subject    string    `json:"subject,omitempty"`
	Notes      string    `json:"notes,omitempty"`
	CreatedAt  time.Time `json:"created_at,omitzero"`
	UpdatedAt  time.Time `json:"updated_at,omitzero"`
}

// WebEvent is one tracked web or app event (行为). CustomerID is 0 for anonymous visitors, who
// are then known by AnonymousID.
type WebEvent struct {
	ID          int64     `json:"id"`
	ExternalID  string    `json:"external_id"`
	CustomerID  int64     `json:"customer_id,omitempty"`
	Customer    string    `json:"customer,omitempty"`
	AnonymousID string    `json:"anonymous_id,omitempty"`
	At          time.Time `json:"at"`
	Type        string    `json:"type"` // page_view, click, search, add_to_cart, …
	Page        string    `json:"page,omitempty"`
	Dwell       float64   `json:"dwell,omitempty"` // seconds
	SessionID   string    `json:"session_id,omitempty"`
	CreatedAt   time.Time `json:"created_at,omitzero"`
	UpdatedAt   time.Time `json:"updated_at,omitzero"`
}

// Survey kinds and their score ranges: NPS 0–10, CSAT 1–5, CES 1–7.
const (
	NPS  = "nps"
	CSAT = "csat"
	CES  = "ces"
)

// ScoreRange returns the lowest and highest score of a survey kind (NPS 0–10, CSAT 1–5, CES
// 1–7); ok is false for any other kind. The importer, the stores and the analyses all check
// scores against it.
func ScoreRange(kind string) (lo, hi float64, ok bool) {
	switch kind {
	case NPS:
		return 0, 10, true
	case CSAT:
		return 1, 5, true
	case CES:
		return 1, 7, true
	}
	return 0, 0, false
}

// ValidScore reports whether score is a score of the survey kind: within its ScoreRange (NaN
// never is).
func ValidScore(kind string, score float64) bool {
	lo, hi, ok := ScoreRange(kind)
	return ok && score >= lo && score <= hi
}

// SurveyResponse is one answer to a satisfaction survey (调查).
type SurveyResponse struct {
	ID         int64     `json:"id"`
	ExternalID string    `json:"external_id"`
	CustomerID int64     `json:"customer_id"`
	Customer   string    `json:"customer,omitempty"`
	At         time.Time `json:"at"`
	Kind       string    `json:"kind"`
	Score      float64   `json:"score"`
	Channel    string    `json:"channel,omitempty"` // questionnaire, phone, online_review
	Comment    string    `json:"comment,omitempty"`
	CreatedAt  time.Time `json:"created_at,omitzero"`
	UpdatedAt  time.Time `json:"updated_at,omitzero"`
}

// Lead stages (新建/咨询/跟进/报价/成交/流失). Stores accept other stage names too.
const (
	StageNew          = "new"
	StageConsultation = "consultation"
	StageFollowUp     = "follow_up"
	StageQuote        = "quote"
	StageWon          = "won"
	StageLost         = "lost"
)

// StageEntry records when a lead entered a stage.
type StageEntry struct {
	Stage     string    `json:"stage"`
	EnteredAt time.Time `json:"entered_at"`
}

// Lead is one sales lead or opportunity (线索). Stage is the current stage; Stages is its history
// in time order (the first entry is the stage it was created in). A converted lead is in its
// customer's region; one that has not converted, in its Province.
type Lead struct {
	ID         int64             `json:"id"`
	ExternalID string            `json:"external_id"`
	Name       string            `json:"name,omitempty"`
	Company    string            `json:"company,omitempty"`
	Source     string            `json:"source,omitempty"` // source channel
	Campaign   string            `json:"campaign,omitempty"`
	Owner      string            `json:"owner,omitempty"`
	Stage      string            `json:"stage"`
	Stages     []StageEntry      `json:"stages,omitempty"`
	LostReason string            `json:"lost_reason,omitempty"`
	Value      float64           `json:"value,omitempty"`
	CustomerID int64             `json:"customer_id,omitempty"` // the converted customer
	Customer   string            `json:"customer,omitempty"`
	Province   string            `json:"province,omitempty"` // places an unconverted lead in a region
	Custom     map[string]string `json:"custom,omitempty"`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at,omitzero"`
}

// Campaign is one marketing campaign (活动).
type Campaign struct {
	ID            int64     `json:"id"`
	ExternalID    string    `json:"external_id"`
	Name          string    `json:"name"`
	Channel       string    `json:"channel,omitempty"`
	Start         time.Time `json:"start,omitzero"`
	End           time.Time `json:"end,omitzero"`
	Cost          float64   `json:"cost,omitempty"`
	TargetSegment string    `json:"target_segment,omitempty"`
	CreatedAt     time.Time `json:"created_at,omitzero"`
	UpdatedAt     time.Time `json:"updated_at,omitzero"`
}

// CampaignResponse is one customer's response to a campaign. Kind is categorical and
// user-defined ("bought women's wear from catalogue", "yes", "no"); Control marks members of the
// control group, who were held out of the campaign.
type CampaignResponse struct {
	ID         int64     `json:"id"`
	ExternalID string    `json:"external_id"`
	CampaignID int64     `json:"campaign_id"`
	Campaign   string    `json:"campaign,omitempty"`
	CustomerID int64     `json:"customer_id"`
	Customer   string    `json:"customer,omitempty"`
	At         time.Time `json:"at,omitzero"`
	Kind       string    `json:"kind,omitempty"`
	Value      float64   `json:"value,omitempty"`
	Control    bool      `json:"control,omitempty"`
	CreatedAt  time.Time `json:"created_at,omitzero"`
	UpdatedAt  time.Time `json:"updated_at,omitzero"`
}

// MarketShare is a competitor's share of a market in one period and region (0..1).
type MarketShare struct {
	Period string  `json:"period"` // "2025", "2025-Q3", "2025-07"
	Region string  `json:"region,omitempty"`
	Share  float64 `json:"share"`
}

// Competitor is one competitor (竞争对手). The business itself may be listed with Self set, so
// that market shares add up.
type Competitor struct {
	ID          int64         `json:"id"`
	ExternalID  string        `json:"external_id"`
	Name        string        `json:"name"`
	Self        bool          `json:"self,omitempty"`
	Products    string        `json:"products,omitempty"`
	Positioning string        `json:"positioning,omitempty"` // price positioning: low, mid, high
	Shares      []MarketShare `json:"shares,omitempty"`
	Notes       string        `json:"notes,omitempty"`
	CreatedAt   time.Time     `json:"created_at,omitzero"`
	UpdatedAt   time.Time     `json:"updated_at,omitzero"`
}

// SWOTItem is one item on the SWOT board. Kind is "S", "W", "O" or "T"; Metric names a live
// figure ("analysis.key", e.g. "satisfaction.nps") shown beside the item.
type SWOTItem struct {
	ID         int64     `json:"id"`
	ExternalID string    `json:"external_id"`
	Kind       string    `json:"kind"`
	Text       string    `json:"text"`
	Impact     int       `json:"impact,omitempty"` // 1 (low) .. 5 (high)
	Scope      string    `json:"scope,omitempty"`  // company, product, segment
	Metric     string    `json:"metric,omitempty"`
	CreatedAt  time.Time `json:"created_at,omitzero"`
	UpdatedAt  time.Time `json:"updated_at,omitzero"`
}
