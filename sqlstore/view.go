package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kexi/kexi"
)

// viewSpec is what a saved view keeps in its spec column: everything but its name, owner and
// sharing.
type viewSpec struct {
	Where   []kexi.Cond       `json:"where,omitempty"`
	Query   string            `json:"q,omitempty"`
	Sort    string            `json:"sort,omitempty"`
	Columns []string          `json:"columns,omitempty"`
	Params  map[string]string `json:"params,omitempty"`
}

const viewCols = "v.id, v.owner_id, u.login, v.name, v.shared, v.spec, v.created_at, v.updated_at"

const viewFrom = " FROM saved_views v JOIN users u ON u.id = v.owner_id"

func scanView(sc scanner) (*kexi.SavedView, error) {
	v := new(kexi.SavedView)
	var spec string
	var created, updated int64
	if err := sc.Scan(&v.ID, &v.OwnerID, &v.Owner, &v.Name, &v.Shared, &spec, &created, &updated); err != nil {
		return nil, err
	}
	var s viewSpec
	if err := json.Unmarshal([]byte(spec), &s); err != nil {
		return nil, fmt.Errorf("saved view %d: spec: %w", v.ID, err)
	}
	v.Where, v.Query, v.Sort, v.Columns, v.Params = s.Where, s.Query, s.Sort, s.Columns, s.Params
	v.CreatedAt, v.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	return v, nil
}

// validOps are the filter operators a saved condition may use.
var validOps = map[kexi.Op]bool{kexi.Eq: true, kexi.Ne: true, kexi.Lt: true, kexi.Le: true, kexi.Gt: true,
	kexi.Ge: true, kexi.Contains: true, kexi.In: true}

func validateView(v *kexi.SavedView) error {
	c := &checker{kind: "saved views"}
	v.Name = strings.TrimSpace(v.Name)
	c.required("name", v.Name)
	if n := utf8.RuneCountInString(v.Name); n > kexi.MaxViewName {
		c.add("name", v.Name, fmt.Sprintf("a name has at most %d characters, this one %d", kexi.MaxViewName, n))
	}
	switch v.Shared {
	case "", kexi.RoleAdmin, kexi.RoleManager, kexi.RoleAnalyst, kexi.RoleSales:
	default:
		c.add("shared", v.Shared, "expected admin, manager, analyst, sales or empty (private)")
	}
	if v.OwnerID <= 0 {
		c.add("owner_id", strconv.FormatInt(v.OwnerID, 10), "a view needs its owner")
	}
	if len(v.Where) > kexi.MaxViewConds {
		c.add("where", strconv.Itoa(len(v.Where)), fmt.Sprintf("a view has at most %d conditions", kexi.MaxViewConds))
	}
	for i, w := range v.Where {
		col := fmt.Sprintf("where[%d]", i)
		if strings.TrimSpace(w.Field) == "" {
			c.add(col+".field", "", "a condition needs a field")
		}
		if !validOps[w.Op] {
			c.add(col+".op", string(w.Op), "unknown operator; expected eq, ne, lt, le, gt, ge, contains or in")
		}
	}
	if len(v.Columns) > kexi.MaxViewColumns {
		c.add("columns", strconv.Itoa(len(v.Columns)), fmt.Sprintf("a view shows at most %d columns", kexi.MaxViewColumns))
	}
	return c.err()
}

func viewSpecJSON(v *kexi.SavedView) (string, error) {
	b, err := json.Marshal(viewSpec{Where: v.Where, Query: v.Query, Sort: v.Sort, Columns: v.Columns, Params: v.Params})
	return string(b), err
}

// viewConflict is the error for a second view of one name.
func (db *DB) viewConflict(err error, name string) error {
	if kexi.ErrorCode(db.dbError(err, "")) == kexi.ECONFLICT {
		return &kexi.Error{Code: kexi.ECONFLICT, Message: fmt.Sprintf("you already have a view named %q", name),
			Problems: []kexi.FieldProblem{{Column: "name", Value: name, Reason: "choose another name or change that view"}}}
	}
	return nil
}

// FindSavedViewByID returns one saved view, or ENOTFOUND.
func (db *DB) FindSavedViewByID(ctx context.Context, id int64) (*kexi.SavedView, error) {
	v, err := scanView(db.r.QueryRowContext(ctx, "SELECT "+viewCols+viewFrom+" WHERE v.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("saved views", id)
	}
	if err != nil {
		return nil, fmt.Errorf("find saved view: %w", err)
	}
	return v, nil
}

// FindSavedViews returns the views owned by ownerID and those shared with role, by name;
// ownerID 0 and role "" return every view.
func (db *DB) FindSavedViews(ctx context.Context, ownerID int64, role string) ([]*kexi.SavedView, error) {
	q := "SELECT " + viewCols + viewFrom
	var args []any
	if ownerID != 0 || role != "" {
		q += " WHERE v.owner_id = ? OR (v.shared <> '' AND v.shared = ?)"
		args = append(args, ownerID, role)
	}
	rows, err := db.r.QueryContext(ctx, q+" ORDER BY v.name, v.id", args...)
	if err != nil {
		return nil, fmt.Errorf("find saved views: %w", err)
	}
	defer rows.Close()
	var out []*kexi.SavedView
	for rows.Next() {
		v, err := scanView(rows)
		if err != nil {
			return nil, fmt.Errorf("find saved views: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// CreateSavedView stores a new view for v.OwnerID. EINVALID for bad fields (see
// kexi.SavedViewService), an owner that does not exist or one who has MaxViewsOwned views
// already; ECONFLICT when the owner has a view of that name.
func (db *DB) CreateSavedView(ctx context.Context, v *kexi.SavedView) error {
	if err := validateView(v); err != nil {
		return err
	}
	spec, err := viewSpecJSON(v)
	if err != nil {
		return fmt.Errorf("create saved view: %w", err)
	}
	now := db.stamp()
	return db.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM saved_views WHERE owner_id = ?", v.OwnerID).Scan(&n); err != nil {
			return fmt.Errorf("create saved view: %w", err)
		}
		if n >= kexi.MaxViewsOwned {
			return &kexi.Error{Code: kexi.EINVALID, Message: fmt.Sprintf("too many saved views: you have %d, the most one user may keep", n),
				Problems: []kexi.FieldProblem{{Column: "name", Value: v.Name, Reason: "delete a view you no longer need, or change one"}}}
		}
		err := tx.QueryRowContext(ctx, "INSERT INTO saved_views (owner_id, name, shared, spec, created_at, updated_at) "+
			"VALUES (?, ?, ?, ?, ?, ?) RETURNING id", v.OwnerID, v.Name, v.Shared, spec, now.UnixMilli(), now.UnixMilli()).Scan(&v.ID)
		if err != nil {
			if e := db.viewConflict(err, v.Name); e != nil {
				return e
			}
			if db.d.Classify(err) == ErrForeignKey {
				return &kexi.Error{Code: kexi.EINVALID, Message: "invalid saved view",
					Problems: []kexi.FieldProblem{{Column: "owner_id", Value: strconv.FormatInt(v.OwnerID, 10), Reason: "no such user"}}}
			}
			return fmt.Errorf("create saved view: %w", err)
		}
		v.CreatedAt, v.UpdatedAt = now, now
		return nil
	})
}

// UpdateSavedView rewrites the name, sharing and filter of the view with v.ID; its owner stays.
// ENOTFOUND when absent, ECONFLICT when the owner has another view of that name, EINVALID for
// bad fields.
func (db *DB) UpdateSavedView(ctx context.Context, v *kexi.SavedView) error {
	old, err := db.FindSavedViewByID(ctx, v.ID)
	if err != nil {
		return err
	}
	v.OwnerID, v.Owner = old.OwnerID, old.Owner
	if err := validateView(v); err != nil {
		return err
	}
	spec, err := viewSpecJSON(v)
	if err != nil {
		return fmt.Errorf("update saved view: %w", err)
	}
	now := db.stamp()
	return db.write(ctx, func(tx *sql.Tx) error {
		var created int64
		err := tx.QueryRowContext(ctx, "UPDATE saved_views SET name = ?, shared = ?, spec = ?, updated_at = ? "+
			"WHERE id = ? RETURNING created_at", v.Name, v.Shared, spec, now.UnixMilli(), v.ID).Scan(&created)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("saved views", v.ID)
		}
		if err != nil {
			if e := db.viewConflict(err, v.Name); e != nil {
				return e
			}
			return fmt.Errorf("update saved view: %w", err)
		}
		v.CreatedAt, v.UpdatedAt = time.UnixMilli(created).UTC(), now
		return nil
	})
}

// DeleteSavedView deletes a view. ENOTFOUND when absent.
func (db *DB) DeleteSavedView(ctx context.Context, id int64) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM saved_views WHERE id = ?", id)
		if err != nil {
			return fmt.Errorf("delete saved view: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("saved views", id)
		}
		return nil
	})
}
