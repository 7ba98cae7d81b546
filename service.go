package kexi

import (
	"context"
	"time"
)

// Entity kinds, as named in the CLI (--kind), the API (/api/v1/{kind}) and import headers.
const (
	KindCustomers    = "customers"
	KindOrders       = "orders"
	KindProducts     = "products"
	KindInteractions = "interactions"
	KindEvents       = "events"
	KindSurveys      = "surveys"
	KindLeads        = "leads"
	KindCampaigns    = "campaigns"
	KindResponses    = "responses"
	KindCompetitors  = "competitors"
	KindSWOT         = "swot"
)

// Kinds lists every entity kind in import order: a kind comes after the kinds it refers to.
var Kinds = []string{KindCustomers, KindProducts, KindCampaigns, KindOrders, KindInteractions,
	KindEvents, KindSurveys, KindLeads, KindResponses, KindCompetitors, KindSWOT}

// CustomerService manages customers. Find* return ENOTFOUND when nothing matches an ID;
// Create returns ECONFLICT when the external id is taken; all return EINVALID for bad fields.
type CustomerService interface {
	FindCustomerByID(ctx context.Context, id int64) (*Customer, error)
	FindCustomers(ctx context.Context, f Filter) ([]*Customer, int, error)
	CreateCustomer(ctx context.Context, c *Customer) error
	UpdateCustomer(ctx context.Context, c *Customer) error
	DeleteCustomer(ctx context.Context, id int64) error
}

// OrderService manages orders with their line items.
type OrderService interface {
	FindOrderByID(ctx context.Context, id int64) (*Order, error)
	FindOrders(ctx context.Context, f Filter) ([]*Order, int, error)
	CreateOrder(ctx context.Context, o *Order) error
	UpdateOrder(ctx context.Context, o *Order) error
	DeleteOrder(ctx context.Context, id int64) error
}

// ProductService manages products.
type ProductService interface {
	FindProductByID(ctx context.Context, id int64) (*Product, error)
	FindProducts(ctx context.Context, f Filter) ([]*Product, int, error)
	CreateProduct(ctx context.Context, p *Product) error
	UpdateProduct(ctx context.Context, p *Product) error
	DeleteProduct(ctx context.Context, id int64) error
}

// InteractionService manages interactions.
type InteractionService interface {
	FindInteractionByID(ctx context.Context, id int64) (*Interaction, error)
	FindInteractions(ctx context.Context, f Filter) ([]*Interaction, int, error)
	CreateInteraction(ctx context.Context, x *Interaction) error
	UpdateInteraction(ctx context.Context, x *Interaction) error
	DeleteInteraction(ctx context.Context, id int64) error
}

// EventService manages web events.
type EventService interface {
	FindEventByID(ctx context.Context, id int64) (*WebEvent, error)
	FindEvents(ctx context.Context, f Filter) ([]*WebEvent, int, error)
	CreateEvent(ctx context.Context, e *WebEvent) error
	UpdateEvent(ctx context.Context, e *WebEvent) error
	DeleteEvent(ctx context.Context, id int64) error
}

// SurveyService manages survey responses.
type SurveyService interface {
	FindSurveyByID(ctx context.Context, id int64) (*SurveyResponse, error)
	FindSurveys(ctx context.Context, f Filter) ([]*SurveyResponse, int, error)
	CreateSurvey(ctx context.Context, s *SurveyResponse) error
	UpdateSurvey(ctx context.Context, s *SurveyResponse) error
	DeleteSurvey(ctx context.Context, id int64) error
}

// LeadService manages leads and their stage history.
type LeadService interface {
	FindLeadByID(ctx context.Context, id int64) (*Lead, error)
	FindLeads(ctx context.Context, f Filter) ([]*Lead, int, error)
	CreateLead(ctx context.Context, l *Lead) error
	UpdateLead(ctx context.Context, l *Lead) error
	DeleteLead(ctx context.Context, id int64) error
}

// CampaignService manages campaigns and their responses.
type CampaignService interface {
	FindCampaignByID(ctx context.Context, id int64) (*Campaign, error)
	FindCampaigns(ctx context.Context, f Filter) ([]*Campaign, int, error)
	CreateCampaign(ctx context.Context, c *Campaign) error
	UpdateCampaign(ctx context.Context, c *Campaign) error
	DeleteCampaign(ctx context.Context, id int64) error

	FindResponseByID(ctx context.Context, id int64) (*CampaignResponse, error)
	FindResponses(ctx context.Context, f Filter) ([]*CampaignResponse, int, error)
	CreateResponse(ctx context.Context, r *CampaignResponse) error
	UpdateResponse(ctx context.Context, r *CampaignResponse) error
	DeleteResponse(ctx context.Context, id int64) error
}

// CompetitorService manages competitors and SWOT items.
type CompetitorService interface {
	FindCompetitorByID(ctx context.Context, id int64) (*Competitor, error)
	FindCompetitors(ctx context.Context, f Filter) ([]*Competitor, int, error)
	CreateCompetitor(ctx context.Context, c *Competitor) error
	UpdateCompetitor(ctx context.Context, c *Competitor) error
	DeleteCompetitor(ctx context.Context, id int64) error

	FindSWOTItemByID(ctx context.Context, id int64) (*SWOTItem, error)
	FindSWOTItems(ctx context.Context, f Filter) ([]*SWOTItem, int, error)
	CreateSWOTItem(ctx context.Context, s *SWOTItem) error
	UpdateSWOTItem(ctx context.Context, s *SWOTItem) error
	DeleteSWOTItem(ctx context.Context, id int64) error
}

// Batch is a set of records to upsert together, in one transaction. Records are matched on
// ExternalID (an empty external id always inserts). Records that refer to a customer, campaign
// or product by external id (Order.Customer, Order.Items[].SKU, CampaignResponse.Campaign, …)
// get the ID filled in; a customer named but not present is created as a stub.
type Batch struct {
	Customers    []Customer
	Products     []Product
	Campaigns    []Campaign
	Orders       []Order
	Interactions []Interaction
	Events       []WebEvent
	Surveys      []SurveyResponse
	Leads        []Lead
	Responses    []CampaignResponse
	Competitors  []Competitor
	SWOT         []SWOTItem
	CustomFields []CustomField
	// Present lists, per kind, the JSON field names the source supplied ("name", "province",
	// "custom.plan"). An upsert that matches an existing record updates only those fields, so a
	// file with fewer columns never blanks what another file filled. A kind missing from
	// Present updates every field. Lead stage history is merged, never replaced: entries for
	// stages the lead already has keep their first date.
	Present map[string][]string
}

// Len is the number of records in the batch.
func (b *Batch) Len() int {
	return len(b.Customers) + len(b.Products) + len(b.Campaigns) + len(b.Orders) +
		len(b.Interactions) + len(b.Events) + len(b.Surveys) + len(b.Leads) +
		len(b.Responses) + len(b.Competitors) + len(b.SWOT)
}

// Counts is the number of records of each kind (named as in Kinds) in the batch.
func (b *Batch) Counts() map[string]int {
	return map[string]int{
		KindCustomers: len(b.Customers), KindProducts: len(b.Products), KindCampaigns: len(b.Campaigns),
		KindOrders: len(b.Orders), KindInteractions: len(b.Interactions), KindEvents: len(b.Events),
		KindSurveys: len(b.Surveys), KindLeads: len(b.Leads), KindResponses: len(b.Responses),
		KindCompetitors: len(b.Competitors), KindSWOT: len(b.SWOT),
	}
}

// ImportStats counts what an Import did, per kind.
type ImportStats struct {
	Inserted  map[string]int `json:"inserted"`
	Updated   map[string]int `json:"updated"`
	Unchanged map[string]int `json:"unchanged"`
	Stubs     int            `json:"stubs"` // customers created as stubs
}

// Importer writes a Batch atomically: all of it lands or none of it does.
type Importer interface {
	Import(ctx context.Context, b *Batch) (ImportStats, error)
}

// SummaryLoader computes the per-customer summary of the orders in scope over a window
// (Summarize gives its definition) where the orders are kept, so that analyses that run on
// summaries never pull every order into the client. A store may implement it; the CLI loads a
// summary instead of the orders when every analysis it runs can use one.
type SummaryLoader interface {
	LoadSummary(ctx context.Context, scope Scope, w Window) (*Summary, error)
}

// DatasetLoader loads what the analyses need, within a scope: the parts named (AllParts for
// everything). A load without PartOrders sets Dataset.LastOrder.
type DatasetLoader interface {
	LoadDataset(ctx context.Context, scope Scope, parts Parts) (*Dataset, error)
}

// Versioner tells whether data changed: it increases on every write. Caches key on it.
type Versioner interface {
	DataVersion(ctx context.Context) (int64, error)
}

// Roles. A sales user sees only the customers they own; a manager with a region only that
// region; admin, manager and analyst see everything; only admin manages users and settings.
// Shared records (products, campaigns, competitors, SWOT) are changed only by admin and
// managers without a region; analysts change nothing.
const (
	RoleAdmin   = "admin"
	RoleManager = "manager"
	RoleAnalyst = "analyst"
	RoleSales   = "sales"
)

// User is a person who signs in to kexi.
type User struct {
	ID           int64     `json:"id"`
	Login        string    `json:"login"`
	Name         string    `json:"name,omitempty"`
	Role         string    `json:"role"`
	Region       string    `json:"region,omitempty"` // a manager limited to one province
	Lang         string    `json:"lang,omitempty"`
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"created_at,omitzero"`
	UpdatedAt    time.Time `json:"updated_at,omitzero"`
}

// Scope returns what the user may see.
func (u *User) Scope() Scope {
	switch u.Role {
	case RoleSales:
		return Scope{Owner: u.Login}
	case RoleManager:
		return Scope{Region: u.Region}
	}
	return Scope{}
}

// Session is a signed-in browser session or an API token. The secret itself is never stored:
// stores keep a hash of it.
type Session struct {
	TokenHash string    `json:"-"`
	UserID    int64     `json:"user_id"`
	CSRF      string    `json:"-"`
	API       bool      `json:"api"` // an API token rather than a browser session
	Name      string    `json:"name,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// TokenIDLen is the length of a token's public id: the start of its TokenHash, which names an
// API token in lists and revocations without being the secret.
const TokenIDLen = 16

// ID returns the token's public id.
func (s *Session) ID() string {
	if len(s.TokenHash) > TokenIDLen {
		return s.TokenHash[:TokenIDLen]
	}
	return s.TokenHash
}

// UserService manages users and sessions.
type UserService interface {
	FindUserByID(ctx context.Context, id int64) (*User, error)
	FindUserByLogin(ctx context.Context, login string) (*User, error)
	FindUsers(ctx context.Context) ([]*User, error)
	CreateUser(ctx context.Context, u *User) error
	UpdateUser(ctx context.Context, u *User) error
	DeleteUser(ctx context.Context, id int64) error

	CreateSession(ctx context.Context, s *Session) error
	FindSession(ctx context.Context, tokenHash string) (*Session, error)
	DeleteSession(ctx context.Context, tokenHash string) error
	// FindAPITokens returns the API tokens (not browser sessions) of user id, or of every
	// user for id 0, expired ones too, newest first.
	FindAPITokens(ctx context.Context, userID int64) ([]*Session, error)
	// DeleteExpiredSessions deletes the sessions and API tokens that expired before now and
	// returns how many.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)
}

// Settings are the business's preferences.
type Settings struct {
	Currency      string  `json:"currency"`        // ISO code: CNY, GBP, USD, EUR
	TimeZone      string  `json:"time_zone"`       // IANA name
	CostPerMinute float64 `json:"cost_per_minute"` // service cost per interaction minute
	Lang          string  `json:"lang"`            // default UI language: zh or en
	// Labels show data values under other names (channel douyin as 抖音); see ValueLabel.
	Labels ValueLabels `json:"labels"`
}

// DefaultSettings are what a new database starts with.
var DefaultSettings = Settings{Currency: "CNY", TimeZone: "Asia/Shanghai", CostPerMinute: 1, Lang: "zh"}

// AuditEntry records who changed, exported or deleted what.
type AuditEntry struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Login  string    `json:"login"`
	Action string    `json:"action"` // create, update, delete, import, export, sign_in
	Entity string    `json:"entity,omitempty"`
	Detail string    `json:"detail,omitempty"`
}

// AdminService holds settings and the audit log.
type AdminService interface {
	Settings(ctx context.Context) (Settings, error)
	SaveSettings(ctx context.Context, s Settings) error
	Audit(ctx context.Context, e AuditEntry) error
	FindAudit(ctx context.Context, limit int) ([]AuditEntry, error)
}

// Store is everything a kexi store provides. The SQLite store implements it; PostgreSQL later.
type Store interface {
	CustomerService
	OrderService
	ProductService
	InteractionService
	EventService
	SurveyService
	LeadService
	CampaignService
	CompetitorService
	UserService
	AdminService
	SavedViewService
	Importer
	DatasetLoader
	Versioner
	Changer
	Close() error
}
