package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/sqlite"
	"golang.org/x/term"
)

// cmdBackup writes a verified backup of the embedded database.
func cmdBackup(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "backup", "--out BACKUP [--db FILE] [--with-key] [--no-verify]")
	db := fs.String("db", envOr(env, "KEXI_DB", defaultDB), dbHelp)
	out := fs.String("out", "", "the backup `file` to write (must not exist)")
	withKey := fs.Bool("with-key", false, "include the encryption key: anyone with the backup can then read phone numbers and e-mail addresses")
	noVerify := fs.Bool("no-verify", false, "do not restore the backup into a temporary file to check it")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return kexi.Errorf(kexi.EINVALID, "unexpected argument %q (the backup file goes in --out)", fs.Arg(0))
	}
	if *out == "" {
		return kexi.Errorf(kexi.EINVALID, "--out is required: the backup file to write")
	}
	if isPostgres(*db) {
		rec, err := backupPostgres(ctx, env, *db, *out, *withKey, !*noVerify)
		if err != nil {
			return err
		}
		kf := strings.TrimSpace(env.Getenv("KEXI_KEY_FILE"))
		if kf == "" {
			kf, _ = pgKeyFile(env, *db)
		}
		printBackup(env, *out, rec, *withKey, kf)
		return nil
	}
	if _, err := os.Stat(*db); err != nil {
		return kexi.Errorf(kexi.EINVALID, "database %s: no such file", *db)
	}
	key, err := storeKey(env, *db)
	if err != nil {
		return err
	}
	sdb, err := sqlite.Open(ctx, *db, sqlite.Options{Key: key})
	if err != nil {
		return err
	}
	defer sdb.Close()
	progress, stop := stageProgress(env, "kexi backup")
	rec, err := makeBackup(ctx, sdb, key, *out, *withKey, !*noVerify, progress)
	stop()
	if err != nil {
		return err
	}
	printBackup(env, *out, rec, *withKey, *db+".key")
	return nil
}

// printBackup reports a backup made, and where its key is (keyFile names it).
func printBackup(env *Env, out string, rec kexi.BackupRecord, withKey bool, keyFile string) {
	fmt.Fprintf(env.Stdout, "backup %s: %s bytes, %s customers, %s orders\n", out,
		thousands(int(rec.Bytes)), thousands(int(rec.Customers)), thousands(int(rec.Orders)))
	if !rec.VerifiedAt.IsZero() {
		fmt.Fprintln(env.Stdout, "verified: restored into a temporary file; checksum, integrity check, rows of every table and the key all good")
	}
	if withKey {
		fmt.Fprintf(env.Stderr, "WARNING: this backup INCLUDES THE ENCRYPTION KEY. Anyone who has %s can read every phone number "+
			"and e-mail address in it. Keep it as safe as the key itself.\n", out)
	} else {
		fmt.Fprintf(env.Stderr, "NOTE: the encryption key is NOT in this backup. Keep a copy of %s (or KEXI_KEY) somewhere safe, apart "+
			"from the backup: without it the phone numbers and e-mail addresses cannot be read, and kexi restore needs it.\n", keyFile)
	}
}

// makeBackup writes a backup of db to out and, when verify is set, restores it into a
// temporary file beside it to check it and records it as the last verified backup.
func makeBackup(ctx context.Context, db *sqlite.DB, key []byte, out string, withKey, verify bool, progress sqlite.Progress) (kexi.BackupRecord, error) {
	m, err := db.WriteBackup(ctx, out, sqlite.BackupOptions{IncludeKey: withKey, Version: version, Progress: progress})
	if err != nil {
		return kexi.BackupRecord{}, err
	}
	abs, _ := filepath.Abs(out)
	rec := kexi.BackupRecord{File: abs, CreatedAt: m.CreatedAt, Bytes: m.FileBytes(),
		Customers: m.Counts["customers"], Orders: m.Counts["orders"], KeyIncluded: m.KeyIncluded}
	if !verify {
		return rec, nil
	}
	var vp sqlite.Progress
	if progress != nil {
		vp = func(stage string, done, total int64) { progress("verify "+stage, done, total) }
	}
	if _, err := sqlite.VerifyBackup(ctx, out, filepath.Dir(out), sqlite.RestoreOptions{Key: key, Progress: vp}); err != nil {
		return rec, fmt.Errorf("verify %s: %w", out, err)
	}
	rec.VerifiedAt = time.Now().UTC().Truncate(time.Second)
	if err := db.RecordBackup(ctx, rec); err != nil {
		return rec, err
	}
	return rec, nil
}

// schedule is kexi serve's scheduled backups: every so often into a folder, keeping the last
// few verified ones.
type schedule struct {
	dir   string
	every time.Duration
	keep  int
}

// flags registers the schedule's flags on fs, with their environment fallbacks.
func (s *schedule) flags(env *Env, fs *flag.FlagSet) {
	fs.StringVar(&s.dir, "backup-dir", envOr(env, "KEXI_BACKUP_DIR", ""),
		"make scheduled, verified backups into this `folder` (env KEXI_BACKUP_DIR); the key is not in them")
	every, err := time.ParseDuration(envOr(env, "KEXI_BACKUP_EVERY", "24h"))
	if err != nil {
		every = -1 // reported by check
	}
	fs.DurationVar(&s.every, "backup-every", every, "time between scheduled backups, e.g. 6h (env KEXI_BACKUP_EVERY)")
	keep, err := strconv.Atoi(envOr(env, "KEXI_BACKUP_KEEP", "7"))
	if err != nil {
		keep = -1
	}
	fs.IntVar(&s.keep, "backup-keep", keep, "keep this many of the newest scheduled backups, removing older ones (env KEXI_BACKUP_KEEP)")
}

// check rejects a schedule that makes no sense.
func (s *schedule) check() error {
	if s.every < time.Second {
		return kexi.Errorf(kexi.EINVALID, "--backup-every (or KEXI_BACKUP_EVERY) must be a duration of at least 1s, such as 24h or 30m")
	}
	if s.keep < 1 {
		return kexi.Errorf(kexi.EINVALID, "--backup-keep (or KEXI_BACKUP_KEEP) must be a whole number of at least 1")
	}
	if s.dir == "" {
		return nil
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return kexi.Errorf(kexi.EINVALID, "--backup-dir %s: %v", s.dir, err)
	}
	return nil
}

// backupPattern matches the names of scheduled backups; only these are ever removed.
var backupPattern = regexp.MustCompile(`^kexi-\d{8}T\d{6}Z\.kbk$`)

// start runs the schedule until ctx ends or the function it returns is called (which waits for
// a backup under way). The first backup is made at once when the last verified one is older
// than the interval.
func (s *schedule) start(ctx context.Context, env *Env, db *sqlite.DB, key []byte, dbPath string) func() {
	log := newLogger(env)
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	fmt.Fprintf(env.Stdout, "Backups every %s into %s, keeping the newest %d. The encryption key is not in them: keep %s.key safe elsewhere.\n",
		s.every, s.dir, s.keep, dbPath)
	go func() {
		defer close(done)
		wait := s.every
		if last, err := db.LastBackup(ctx); err == nil && (last == nil || time.Since(last.CreatedAt) >= s.every) {
			wait = 0
		} else if err == nil {
			wait = s.every - time.Since(last.CreatedAt)
		}
		t := time.NewTimer(wait)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			s.once(ctx, log, db, key)
			t.Reset(s.every)
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// once makes one scheduled backup, verifies it, and removes the oldest beyond the number to keep.
func (s *schedule) once(ctx context.Context, log *slog.Logger, db *sqlite.DB, key []byte) {
	start := time.Now()
	name := filepath.Join(s.dir, "kexi-"+start.UTC().Format("20060102T150405Z")+".kbk")
	rec, err := makeBackup(ctx, db, key, name, false, true, nil)
	if err != nil {
		if ctx.Err() == nil {
			log.Error("scheduled backup failed", "file", name, "err", err)
		}
		os.Remove(name) // an unverified backup must not push a good one out
		return
	}
	log.Info("backup verified", "file", name, "bytes", rec.Bytes, "customers", rec.Customers, "orders", rec.Orders,
		"seconds", time.Since(start).Round(time.Millisecond).Seconds())
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		log.Error("list backups", "dir", s.dir, "err", err)
		return
	}
	var names []string
	for _, e := range ents {
		if e.Type().IsRegular() && backupPattern.MatchString(e.Name()) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names) // oldest first: the names are UTC times
	for _, n := range names[:max(0, len(names)-s.keep)] {
		if err := os.Remove(filepath.Join(s.dir, n)); err != nil {
			log.Error("remove old backup", "file", n, "err", err)
		}
	}
}

// stages names the stages of a backup or restore for the progress line.
var stages = map[string]string{
	"copy":     "copying the database",
	"compress": "compressing",
	"unpack":   "unpacking",
	"check":    "checking: integrity, rows of every table, key",
}

// stageProgress draws the stage of a backup or restore, with a bar where its size is known, on
// standard error when that is a terminal, once it has taken more than a second. Elsewhere the
// Progress it returns is nil. The function it returns clears the line.
func stageProgress(env *Env, name string) (sqlite.Progress, func()) {
	f, ok := env.Stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil, func() {}
	}
	var mu sync.Mutex
	var stage string
	var done, total int64
	report := func(s string, d, t int64) {
		mu.Lock()
		stage, done, total = s, d, t
		mu.Unlock()
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	start := time.Now()
	go func() {
		defer wg.Done()
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		drawn := false
		for {
			select {
			case <-stop:
				if drawn {
					fmt.Fprint(f, "\r\033[K")
				}
				return
			case <-tick.C:
			}
			if time.Since(start) < time.Second {
				continue
			}
			mu.Lock()
			s, d, t := stage, done, total
			mu.Unlock()
			label := stages[strings.TrimPrefix(s, "verify ")]
			if strings.HasPrefix(s, "verify ") {
				label = "verifying by restoring, " + label
			}
			line := name + ": " + label
			if t > 0 {
				frac := min(float64(d)/float64(t), 1)
				const width = 30
				fill := int(frac * width)
				line += fmt.Sprintf(" [%s%s] %3.0f%%", strings.Repeat("=", fill), strings.Repeat(" ", width-fill), frac*100)
			}
			fmt.Fprint(f, "\r\033[K"+line)
			drawn = true
		}
	}()
	return report, func() {
		close(stop)
		wg.Wait()
	}
}
