package sqlite

import (
	"context"
	"slices"
	"testing"

	"github.com/kexi/kexi/sqlstore"
)

// TestCopyTablesAll: sqlstore.Copy (kexi backup and restore on PostgreSQL) knows every table
// of the schema, so that a table a migration adds is not left out of those backups unseen.
func TestCopyTablesAll(t *testing.T) {
	db := openInternal(t)
	rows, err := db.w.QueryContext(context.Background(),
		"SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var have []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		have = append(have, n)
	}
	copied, left := sqlstore.CopyTables()
	known := append(copied, left...)
	slices.Sort(known)
	if !slices.Equal(have, known) {
		t.Errorf("the schema's tables %v, sqlstore.Copy knows %v: add a new table to copyTables (parents first) or to the ones left out", have, known)
	}
}
