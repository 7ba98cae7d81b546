package sqlstore

import (
	"context"
	"database/sql"
)

// Dialect is what a database's SQL needs of the engine beyond the SQL both stores speak. The
// engine writes its statements with ? placeholders (and ?NNN for a numbered one); a dialect
// whose driver wants $1, $2 … rewrites them in its driver.
type Dialect struct {
	// Name names the dialect ("sqlite", "postgres").
	Name string

	// Contains is the condition that the text expression hay contains the text expression
	// needle (a placeholder), ignoring ASCII case.
	Contains func(hay, needle string) string
	// JSONText is the text of the member name (a valid custom field name: no quote or
	// backslash) of the JSON object in column col, NULL when absent.
	JSONText func(col, name string) string
	// Number is the text expression as a floating-point number (0 when it is not one).
	Number func(expr string) string
	// JSONEach is a table of the elements of the JSON array of texts expr, in column value.
	JSONEach func(expr string) string
	// MergePatch is the JSON object text col with the JSON merge patch (RFC 7396) patch (a
	// placeholder or a column holding a JSON object text) applied, NULL when it is empty.
	MergePatch func(col, patch string) string
	// JSONDiffers is the condition that the JSON texts a and b (either NULL) hold different
	// values: an import's no-op check compares a stored object with MergePatch's, which
	// PostgreSQL writes with other spacing than the engine's.
	JSONDiffers func(a, b string) string
	// Typed is the placeholder or column p given the SQL type typ ("bigint", "double
	// precision", "text", "bytea"): the rows of VALUES in an UPDATE … FROM (VALUES …) need it
	// where the database infers no type from their use.
	Typed func(p, typ string) string

	// Version reads the data version (0 before the first change); BumpVersion moves it on
	// by one and returns the new version.
	Version, BumpVersion string
	// ReadIsolation is the isolation level of a read transaction that must see one snapshot.
	ReadIsolation sql.IsolationLevel

	// BeginWrite, when set, runs first in every transaction that writes the data the analyses
	// read (to serialise them: imports choose the ids of their new rows).
	BeginWrite func(ctx context.Context, tx *sql.Tx) error
	// BeginImport runs first in an import's transaction (stream: the import may be of any
	// size) and returns what to run before the transaction ends.
	BeginImport func(ctx context.Context, tx *sql.Tx, stream bool) (func(), error)
	// DropIndexes drops the secondary indexes of table that a bulk load is faster without and
	// returns the function that builds them again in the same transaction; nil when the
	// dialect keeps them.
	DropIndexes func(ctx context.Context, tx *sql.Tx, table string) (func() error, error)
	// Bulk starts a bulk insert into the columns cols of table in tx, on conn.
	Bulk func(ctx context.Context, conn *sql.Conn, tx *sql.Tx, table string, cols []string) (Bulk, error)
	// InsertedIDs, when set, runs after rows were inserted into table with ids the engine
	// chose (to move the table's id sequence past them).
	InsertedIDs func(ctx context.Context, tx *sql.Tx, table string) error
	// Savepoints is true when a failed statement spoils its transaction unless it ran under a
	// savepoint rolled back to.
	Savepoints bool

	// Summary, when set, is the query that computes the per-customer summary where the orders
	// are: kexi.CustomerSummary's columns in their order, one row per customer (id 0 for the
	// anonymous orders), by id, over the purchases among the orders t that the condition where
	// selects. Its first placeholder is the name of the time zone days are counted in, before
	// where's. Without it LoadSummary reads the orders in customer order and summarises them.
	Summary func(where string) string

	// Classify tells what kind of failure a driver error is.
	Classify func(err error) ErrorKind
}

// ErrorKind is the kind of failure of a statement.
type ErrorKind int

const (
	ErrOther      ErrorKind = iota // not the statement's data: a lost connection, a full disk
	ErrUnique                      // a unique key is taken
	ErrForeignKey                  // a reference to a row that does not exist
	ErrData                        // another constraint, or SQL that the record's values make fail
	ErrValue                       // a value the database cannot store (PostgreSQL: a NUL in a text)
)

// Bulk inserts many rows into one table within a write transaction.
type Bulk interface {
	// Add queues one row: exactly one value per column. A row may be written before Flush.
	// args is the caller's after Add returns: a Bulk copies the values it keeps.
	Add(args ...any) error
	// Flush writes the queued rows; the Bulk is done with then.
	Flush() error
	// Stop ends a Bulk that Flush did not (deferred by callers that give up), returning the
	// first error.
	Stop() error
}
