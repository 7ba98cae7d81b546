package kexi

import (
	"context"
	"time"
)

// SavedView is a named list of customers: the customer table's filter, free text, sort and
// columns, kept so that its owner (and the users of the role it is shared with) can open the
// same list again. A view keeps the question, not the answer: opening or exporting it runs the
// filter now, on the current data, inside the scope of whoever opens it, so a view shared with
// sales users shows each of them only their own customers.
//
// Where may name analysis fields (rfm.segment, churn.probability); Params holds the other
// query parameters that choose their run: as_of, from, to and NAME.OPTION (rfm.scheme).
type SavedView struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	OwnerID int64  `json:"owner_id"`
	// Owner is the owner's login, filled by the store on reads.
	Owner string `json:"owner,omitempty"`
	// Shared is the role whose users may open the view too (admin, manager, analyst or
	// sales); empty keeps it private.
	Shared    string            `json:"shared,omitempty"`
	Where     []Cond            `json:"where,omitempty"`
	Query     string            `json:"q,omitempty"`
	Sort      string            `json:"sort,omitempty"`
	Columns   []string          `json:"columns,omitempty"`
	Params    map[string]string `json:"params,omitempty"`
	CreatedAt time.Time         `json:"created_at,omitzero"`
	UpdatedAt time.Time         `json:"updated_at,omitzero"`
}

// Limits of saved views: a view's name in characters, its conditions and columns, and how
// many views one user may own.
const (
	MaxViewName    = 80
	MaxViewConds   = 20
	MaxViewColumns = 60
	MaxViewsOwned  = 100
)

// SavedViewService keeps users' saved views of the customer table. Create and Update return
// EINVALID for an empty or too long name, an unknown share role, too many conditions or
// columns, a condition without a field or with an unknown operator, and for the owner's view
// beyond MaxViewsOwned; ECONFLICT when the owner has a view of that name. Find*ByID, Update and
// Delete return ENOTFOUND when there is no view with the ID. The store does not check who
// asks: the caller decides who may open, change or delete a view.
type SavedViewService interface {
	FindSavedViewByID(ctx context.Context, id int64) (*SavedView, error)
	// FindSavedViews returns, ordered by name, the views owned by user id ownerID and those
	// shared with role; ownerID 0 and role "" return every view.
	FindSavedViews(ctx context.Context, ownerID int64, role string) ([]*SavedView, error)
	CreateSavedView(ctx context.Context, v *SavedView) error
	UpdateSavedView(ctx context.Context, v *SavedView) error
	DeleteSavedView(ctx context.Context, id int64) error
}

// CanOpen reports whether user u may open view v: its owner, an admin, or a user of the role
// it is shared with.
func (v *SavedView) CanOpen(u *User) bool {
	return u != nil && (v.OwnerID == u.ID || u.Role == RoleAdmin || v.Shared != "" && v.Shared == u.Role)
}

// CanEdit reports whether user u may change or delete view v: its owner or an admin.
func (v *SavedView) CanEdit(u *User) bool {
	return u != nil && (v.OwnerID == u.ID || u.Role == RoleAdmin)
}
