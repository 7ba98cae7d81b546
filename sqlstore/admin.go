package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/kexi/kexi"
)

// Settings returns the saved settings, or kexi.DefaultSettings until some are saved.
func (db *DB) Settings(ctx context.Context) (kexi.Settings, error) {
	var b []byte
	err := db.r.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'settings'").Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return kexi.DefaultSettings, nil
	}
	if err != nil {
		return kexi.Settings{}, fmt.Errorf("settings: %w", err)
	}
	s := kexi.DefaultSettings
	if err := json.Unmarshal(b, &s); err != nil {
		return kexi.Settings{}, fmt.Errorf("settings: %w", err)
	}
	return s, nil
}

// SaveSettings stores the settings. EINVALID for an unknown time zone, a currency that is not
// a three-letter code, a negative or non-finite cost per minute, or a language other than zh
// and en.
func (db *DB) SaveSettings(ctx context.Context, s kexi.Settings) error {
	c := &checker{kind: "settings"}
	if len(s.Currency) != 3 || strings.ToUpper(s.Currency) != s.Currency {
		c.add("currency", s.Currency, "expected a three-letter ISO currency code such as CNY")
	}
	if _, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "" {
		c.add("time_zone", s.TimeZone, "expected an IANA time zone such as Asia/Shanghai")
	}
	if math.IsNaN(s.CostPerMinute) || math.IsInf(s.CostPerMinute, 0) || s.CostPerMinute < 0 {
		c.add("cost_per_minute", fmt.Sprint(s.CostPerMinute), "expected a cost of zero or more")
	}
	if s.Lang != "zh" && s.Lang != "en" {
		c.add("lang", s.Lang, "expected zh or en")
	}
	if err := c.err(); err != nil {
		return err
	}
	if err := s.Labels.Check(); err != nil {
		return err
	}
	b, _ := json.Marshal(s)
	return db.change(ctx, func(tx *sql.Tx, _ *changes) error { // no part of a Dataset
		_, err := tx.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ('settings', ?) "+
			"ON CONFLICT(key) DO UPDATE SET value = excluded.value", b)
		return err
	})
}

// Audit appends an entry to the audit log; At defaults to now. EINVALID without an action.
func (db *DB) Audit(ctx context.Context, e kexi.AuditEntry) error {
	if strings.TrimSpace(e.Action) == "" {
		return kexi.Errorf(kexi.EINVALID, "an audit entry needs an action")
	}
	if e.At.IsZero() {
		e.At = db.stamp()
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO audit (at, login, action, entity, detail) VALUES (?, ?, ?, ?, ?)",
			e.At.UnixMilli(), e.Login, e.Action, e.Entity, e.Detail)
		return err
	})
}

// FindAudit returns the latest audit entries, newest first; limit 0 means kexi.DefaultLimit
// and a negative limit means all.
func (db *DB) FindAudit(ctx context.Context, limit int) ([]kexi.AuditEntry, error) {
	if limit == 0 {
		limit = kexi.DefaultLimit
	}
	if limit < 0 {
		limit = math.MaxInt64
	}
	rows, err := db.r.QueryContext(ctx, "SELECT id, at, login, action, entity, detail FROM audit ORDER BY at DESC, id DESC LIMIT ?", limit)
	if err != nil {
		return nil, fmt.Errorf("find audit: %w", err)
	}
	defer rows.Close()
	var out []kexi.AuditEntry
	for rows.Next() {
		var e kexi.AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Login, &e.Action, &e.Entity, &e.Detail); err != nil {
			return nil, fmt.Errorf("find audit: %w", err)
		}
		e.At = time.UnixMilli(at).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// RecordBackup stores r as the last verified backup. It does not change the data version.
func (db *DB) RecordBackup(ctx context.Context, r kexi.BackupRecord) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = db.w.ExecContext(ctx, "INSERT INTO meta (key, value) VALUES ('last_backup', ?) "+
		"ON CONFLICT(key) DO UPDATE SET value = excluded.value", b)
	if err != nil {
		return fmt.Errorf("record backup: %w", err)
	}
	return nil
}

// LastBackup returns the last verified backup, or nil when none was recorded.
func (db *DB) LastBackup(ctx context.Context) (*kexi.BackupRecord, error) {
	var b []byte
	err := db.r.QueryRowContext(ctx, "SELECT value FROM meta WHERE key = 'last_backup'").Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("last backup: %w", err)
	}
	var r kexi.BackupRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("last backup: %w", err)
	}
	return &r, nil
}
