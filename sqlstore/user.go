package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kexi/kexi"
)

const userCols = "id, login, name, role, region, lang, password_hash, created_at, updated_at"

func scanUser(sc scanner) (*kexi.User, error) {
	u := new(kexi.User)
	var created, updated int64
	if err := sc.Scan(&u.ID, &u.Login, &u.Name, &u.Role, &u.Region, &u.Lang, &u.PasswordHash, &created, &updated); err != nil {
		return nil, err
	}
	u.CreatedAt, u.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
	return u, nil
}

func validateUser(u *kexi.User) error {
	c := &checker{kind: "users"}
	c.required("login", u.Login)
	switch u.Role {
	case kexi.RoleAdmin, kexi.RoleManager, kexi.RoleAnalyst, kexi.RoleSales:
	default:
		c.add("role", u.Role, "expected admin, manager, analyst or sales")
	}
	return c.err()
}

func (db *DB) findUser(ctx context.Context, where string, arg any) (*kexi.User, error) {
	u, err := scanUser(db.r.QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE "+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kexi.Errorf(kexi.ENOTFOUND, "user %v not found", arg)
	}
	if err != nil {
		return nil, fmt.Errorf("find user: %w", err)
	}
	return u, nil
}

// FindUserByID returns one user, or ENOTFOUND.
func (db *DB) FindUserByID(ctx context.Context, id int64) (*kexi.User, error) {
	return db.findUser(ctx, "id = ?", id)
}

// FindUserByLogin returns the user with a login, or ENOTFOUND.
func (db *DB) FindUserByLogin(ctx context.Context, login string) (*kexi.User, error) {
	return db.findUser(ctx, "login = ?", login)
}

// FindUsers returns every user ordered by login.
func (db *DB) FindUsers(ctx context.Context) ([]*kexi.User, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT "+userCols+" FROM users ORDER BY login")
	if err != nil {
		return nil, fmt.Errorf("find users: %w", err)
	}
	defer rows.Close()
	var out []*kexi.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("find users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// CreateUser stores a new user. ECONFLICT when the login is taken; EINVALID for an empty login
// or an unknown role.
func (db *DB) CreateUser(ctx context.Context, u *kexi.User) error {
	if err := validateUser(u); err != nil {
		return err
	}
	now := db.stamp()
	return db.write(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, "INSERT INTO users (login, name, role, region, lang, password_hash, created_at, updated_at) "+
			"VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", u.Login, u.Name, u.Role, u.Region, u.Lang, u.PasswordHash,
			now.UnixMilli(), now.UnixMilli()).Scan(&u.ID)
		if err != nil {
			if kexi.ErrorCode(db.dbError(err, "")) == kexi.ECONFLICT {
				return kexi.Errorf(kexi.ECONFLICT, "the login %q is taken", u.Login)
			}
			return fmt.Errorf("create user: %w", err)
		}
		u.CreatedAt, u.UpdatedAt = now, now
		return nil
	})
}

// UpdateUser rewrites the user with u.ID. ENOTFOUND when absent, ECONFLICT on a taken login.
func (db *DB) UpdateUser(ctx context.Context, u *kexi.User) error {
	if err := validateUser(u); err != nil {
		return err
	}
	now := db.stamp()
	return db.write(ctx, func(tx *sql.Tx) error {
		var created int64
		err := tx.QueryRowContext(ctx, "UPDATE users SET login = ?, name = ?, role = ?, region = ?, lang = ?, password_hash = ?, "+
			"updated_at = ? WHERE id = ? RETURNING created_at", u.Login, u.Name, u.Role, u.Region, u.Lang, u.PasswordHash,
			now.UnixMilli(), u.ID).Scan(&created)
		if errors.Is(err, sql.ErrNoRows) {
			return kexi.Errorf(kexi.ENOTFOUND, "user %d not found", u.ID)
		}
		if err != nil {
			if kexi.ErrorCode(db.dbError(err, "")) == kexi.ECONFLICT {
				return kexi.Errorf(kexi.ECONFLICT, "the login %q is taken", u.Login)
			}
			return fmt.Errorf("update user: %w", err)
		}
		u.CreatedAt, u.UpdatedAt = time.UnixMilli(created).UTC(), now
		return nil
	})
}

// DeleteUser deletes a user and their sessions. ENOTFOUND when absent.
func (db *DB) DeleteUser(ctx context.Context, id int64) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM users WHERE id = ?", id)
		if err != nil {
			return fmt.Errorf("delete user: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return kexi.Errorf(kexi.ENOTFOUND, "user %d not found", id)
		}
		return nil
	})
}

// CreateSession stores a session keyed by the hash of its token. EINVALID without a token
// hash or expiry; ECONFLICT when the hash exists; EINVALID when the user does not exist.
func (db *DB) CreateSession(ctx context.Context, s *kexi.Session) error {
	if strings.TrimSpace(s.TokenHash) == "" || s.ExpiresAt.IsZero() {
		return kexi.Errorf(kexi.EINVALID, "a session needs a token hash and an expiry")
	}
	if s.CreatedAt.IsZero() {
		s.CreatedAt = db.stamp()
	}
	s.CreatedAt = s.CreatedAt.UTC().Truncate(time.Millisecond)
	s.ExpiresAt = s.ExpiresAt.UTC().Truncate(time.Millisecond)
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO sessions (token_hash, user_id, csrf, api, name, created_at, expires_at) "+
			"VALUES (?, ?, ?, ?, ?, ?, ?)", s.TokenHash, s.UserID, s.CSRF, boolInt(s.API), s.Name,
			s.CreatedAt.UnixMilli(), s.ExpiresAt.UnixMilli())
		return db.dbError(err, "create session")
	})
}

// FindSession returns the session with a token hash, or ENOTFOUND. Expired sessions are
// returned too: the caller compares ExpiresAt with its clock.
func (db *DB) FindSession(ctx context.Context, tokenHash string) (*kexi.Session, error) {
	s := &kexi.Session{TokenHash: tokenHash}
	var created, expires int64
	err := db.r.QueryRowContext(ctx, "SELECT user_id, csrf, api, name, created_at, expires_at FROM sessions WHERE token_hash = ?",
		tokenHash).Scan(&s.UserID, &s.CSRF, &s.API, &s.Name, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, kexi.Errorf(kexi.ENOTFOUND, "session not found")
	}
	if err != nil {
		return nil, fmt.Errorf("find session: %w", err)
	}
	s.CreatedAt, s.ExpiresAt = time.UnixMilli(created).UTC(), time.UnixMilli(expires).UTC()
	return s, nil
}

// DeleteSession deletes a session (signing out). ENOTFOUND when absent.
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE token_hash = ?", tokenHash)
		if err != nil {
			return fmt.Errorf("delete session: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return kexi.Errorf(kexi.ENOTFOUND, "session not found")
		}
		return nil
	})
}

// FindAPITokens returns the API tokens of user id, or of every user for id 0, expired ones
// too, newest first.
func (db *DB) FindAPITokens(ctx context.Context, userID int64) ([]*kexi.Session, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT token_hash, user_id, name, created_at, expires_at FROM sessions "+
		"WHERE api = 1 AND (? = 0 OR user_id = ?) ORDER BY created_at DESC, token_hash", userID, userID)
	if err != nil {
		return nil, fmt.Errorf("find api tokens: %w", err)
	}
	defer rows.Close()
	var out []*kexi.Session
	for rows.Next() {
		s := &kexi.Session{API: true}
		var created, expires int64
		if err := rows.Scan(&s.TokenHash, &s.UserID, &s.Name, &created, &expires); err != nil {
			return nil, fmt.Errorf("find api tokens: %w", err)
		}
		s.CreatedAt, s.ExpiresAt = time.UnixMilli(created).UTC(), time.UnixMilli(expires).UTC()
		out = append(out, s)
	}
	return out, rows.Err()
}

// DeleteExpiredSessions deletes the sessions and API tokens that expired before now and
// returns how many.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE expires_at < ?", now.UnixMilli())
		if err != nil {
			return fmt.Errorf("delete expired sessions: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
