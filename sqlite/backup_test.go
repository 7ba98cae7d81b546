package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/sqlite"
)

// TestBackupWhileWriting takes backups while another goroutine keeps importing batches of one
// customer with three orders (one transaction each). Every backup must restore to a database
// that passes Restore's checks and holds whole batches only: three orders per customer.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := open(t, filepath.Join(dir, "kexi.db"))
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	written := 0
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			b := &kexi.Batch{Customers: []kexi.Customer{{ExternalID: fmt.Sprint("C", i), Name: "N", Email: fmt.Sprintf("c%d@x.cn", i)}}}
			for j := range 3 {
				b.Orders = append(b.Orders, kexi.Order{ExternalID: fmt.Sprint("O", i, "-", j), Customer: fmt.Sprint("C", i),
					OrderedAt: time.Date(2025, 1, 1+j, 0, 0, 0, 0, time.UTC), Amount: 10})
			}
			if _, err := db.Import(ctx, b); err != nil {
				t.Error(err)
				return
			}
			written++
		}
	}()
	var seen []int64
	for i := range 4 {
		time.Sleep(30 * time.Millisecond)
		bk := filepath.Join(dir, fmt.Sprint("b", i, ".kbk"))
		m, err := db.WriteBackup(ctx, bk, sqlite.BackupOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if m.Counts["orders"] != 3*m.Counts["customers"] {
			t.Errorf("backup %d: %d customers, %d orders", i, m.Counts["customers"], m.Counts["orders"])
		}
		restored := filepath.Join(dir, fmt.Sprint("r", i, ".db"))
		if _, err := sqlite.Restore(ctx, bk, restored, sqlite.RestoreOptions{Key: testKey}); err != nil {
			t.Fatal(err)
		}
		r := open(t, restored)
		cs, n, err := r.FindCustomers(ctx, kexi.Filter{Limit: -1})
		if err != nil {
			t.Fatal(err)
		}
		_, no, err := r.FindOrders(ctx, kexi.Filter{Limit: 1})
		if err != nil || int64(n) != m.Counts["customers"] || no != 3*n {
			t.Errorf("restored %d: %d customers, %d orders (%v); manifest %d", i, n, no, err, m.Counts["customers"])
		}
		for _, c := range cs {
			if !strings.HasSuffix(c.Email, "@x.cn") {
				t.Errorf("restored %d: customer %s e-mail %q", i, c.ExternalID, c.Email)
				break
			}
		}
		seen = append(seen, m.Counts["customers"])
	}
	close(stop)
	wg.Wait()
	if seen[len(seen)-1] == seen[0] {
		t.Errorf("the writer wrote nothing between the backups (%v): the test proves nothing", seen)
	}
	t.Logf("customers in the backups: %v (written %d)", seen, written)
}

// TestRestoreWrongKey: a backup restored with another key is refused, and nothing is left.
func TestRestoreWrongKey(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := open(t, filepath.Join(dir, "kexi.db"))
	if err := db.CreateCustomer(ctx, &kexi.Customer{Name: "A", Phone: "13800000000"}); err != nil {
		t.Fatal(err)
	}
	bk := filepath.Join(dir, "b.kbk")
	if _, err := db.WriteBackup(ctx, bk, sqlite.BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	other := make([]byte, 32)
	_, err := sqlite.Restore(ctx, bk, filepath.Join(dir, "r.db"), sqlite.RestoreOptions{Key: other})
	if kexi.ErrorCode(err) != kexi.EINVALID || !strings.Contains(err.Error(), "key") {
		t.Fatalf("restore with another key: %v", err)
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.Contains(e.Name(), "r.db") {
			t.Errorf("left %s", e.Name())
		}
	}
}
