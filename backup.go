package kexi

import "time"

// BackupRecord describes the last backup that was verified by restoring it: where it is, when
// it was made and verified, and what it holds. The settings page shows it.
type BackupRecord struct {
	File        string    `json:"file"`
	CreatedAt   time.Time `json:"created_at"`
	VerifiedAt  time.Time `json:"verified_at"`
	Bytes       int64     `json:"bytes"`
	Customers   int64     `json:"customers"`
	Orders      int64     `json:"orders"`
	KeyIncluded bool      `json:"key_included"`
}
