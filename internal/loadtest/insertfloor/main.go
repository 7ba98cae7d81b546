// Command insertfloor loads a CSV file into a bare table through modernc.org/sqlite, the
// driver kexi uses, the way the sqlite3 shell's .import does: one prepared INSERT per row, in
// one transaction, every cell as text. It is the floor for kexi import, which also parses,
// checks, resolves customers and builds indexes, measured on the same machine:
//
//	go build -o insertfloor ./internal/loadtest/insertfloor && /usr/bin/time -f '%e s %M KB' ./insertfloor FILE DB
//
// (built first, as the README does: under go run the time and peak RSS would include the build).
package main

import (
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strings"

	_ "modernc.org/sqlite"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "insertfloor:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("usage: insertfloor FILE.csv NEW.db")
	}
	f, err := os.Open(args[0])
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		return err
	}
	db, err := sql.Open("sqlite", args[1])
	if err != nil {
		return err
	}
	defer db.Close()
	cols := make([]string, len(head))
	marks := make([]string, len(head))
	for i, h := range head {
		cols[i], marks[i] = `"`+strings.ReplaceAll(h, `"`, `""`)+`" TEXT`, "?"
	}
	if _, err := db.Exec("CREATE TABLE t (" + strings.Join(cols, ", ") + ")"); err != nil {
		return err
	}
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	st, err := tx.Prepare("INSERT INTO t VALUES (" + strings.Join(marks, ", ") + ")")
	if err != nil {
		return err
	}
	vals := make([]any, len(head))
	n := 0
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		for i := range vals {
			vals[i] = rec[i]
		}
		if _, err := st.Exec(vals...); err != nil {
			return err
		}
		n++
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	fmt.Printf("%d rows\n", n)
	return nil
}
