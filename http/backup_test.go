package kexihttp

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kexi/kexi"
)

// TestSettingsShowsLastBackup: the settings page shows administrators the last verified backup
// the store recorded, or says there is none; other users do not see where backups are kept.
func TestSettingsShowsLastBackup(t *testing.T) {
	f := newFixture(t)
	page := func(as string) string {
		w := f.do(req{method: "GET", path: "/settings", as: as, via: "session", header: map[string]string{"Accept-Language": "en"}})
		if w.Code != 200 {
			t.Fatalf("settings as %s: %d", as, w.Code)
		}
		return w.Body.String()
	}
	if got := page("admin"); !strings.Contains(got, "No verified backup yet") {
		t.Errorf("settings without a backup do not say so")
	}
	rec := kexi.BackupRecord{File: "/srv/backups/kexi-20261207T030000Z.kbk", CreatedAt: time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC),
		VerifiedAt: time.Date(2026, 12, 7, 3, 0, 9, 0, time.UTC), Bytes: 123456789, Customers: 100000, Orders: 1234567}
	if err := f.st.RecordBackup(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	got := page("admin")
	for _, want := range []string{"Last verified backup", rec.File, "123,456,789", "100,000", "1,234,567"} {
		if !strings.Contains(got, want) {
			t.Errorf("settings lack %q", want)
		}
	}
	if got := page("ana"); strings.Contains(got, rec.File) {
		t.Errorf("an analyst sees where the backups are")
	}
}
