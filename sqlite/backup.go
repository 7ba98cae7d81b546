package sqlite

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kexi/kexi"
)

// A kexi backup is one file:
//
//	bytes 0 … 8191   the header, padded with spaces:
//	                 "KEXI-BACKUP 1 <SHA-256 of the manifest line, hex>\n"
//	                 "<the manifest, one line of JSON>\n"
//	bytes 8192 …     the payload: the SQLite database file (made with VACUUM INTO), gzip'ed
//	                 (as a series of gzip members of 4 MiB of the database each, which any
//	                 gzip reader, and gunzip, reads as one stream)
//
// The manifest (Manifest) holds the format and schema versions, the time it was made, the
// number of rows of every table, whether the encryption key is included (and then the key),
// and the payload's length and SHA-256. Restoring checks all of them.
const (
	backupMagic      = "KEXI-BACKUP"
	backupFormat     = 1
	backupHeaderSize = 8192
	backupPayload    = "sqlite+gzip"
)

// Manifest describes what a backup holds.
type Manifest struct {
	Format        int              `json:"format"`
	SchemaVersion int              `json:"schema_version"`
	CreatedAt     time.Time        `json:"created_at"`
	KexiVersion   string           `json:"kexi_version,omitempty"`
	Counts        map[string]int64 `json:"counts"` // rows per table
	KeyIncluded   bool             `json:"key_included"`
	Key           string           `json:"key,omitempty"` // base64 of the key, only when included
	Payload       string           `json:"payload"`
	PayloadBytes  int64            `json:"payload_bytes"`
	PayloadSHA256 string           `json:"payload_sha256"`
	DatabaseBytes int64            `json:"database_bytes"`
}

// KeyBytes returns the encryption key the backup includes, or nil.
func (m *Manifest) KeyBytes() []byte {
	if !m.KeyIncluded {
		return nil
	}
	k, err := base64.StdEncoding.DecodeString(m.Key)
	if err != nil || len(k) != 32 {
		return nil
	}
	return k
}

// FileBytes is the size of the backup file.
func (m *Manifest) FileBytes() int64 { return backupHeaderSize + m.PayloadBytes }

// Progress is told how far a backup or a restore is: its stage ("copy", "compress", "unpack",
// "check") and, where known, how many of how many bytes are done (total 0: not known).
type Progress func(stage string, done, total int64)

func (p Progress) report(stage string, done, total int64) {
	if p != nil {
		p(stage, done, total)
	}
}

// progressReader counts the bytes read through it and reports them to p (when not nil).
type progressReader struct {
	r     io.Reader
	p     Progress
	stage string
	n     int64
	total int64
}

func (r *progressReader) Read(b []byte) (int, error) {
	n, err := r.r.Read(b)
	r.n += int64(n)
	r.p.report(r.stage, r.n, r.total)
	return n, err
}

// BackupOptions configure WriteBackup.
type BackupOptions struct {
	// Progress, when set, is told how far the backup is.
	Progress Progress
	// IncludeKey puts the encryption key into the backup: anyone with the file can then read
	// the personal fields.
	IncludeKey bool
	// Version is the kexi version written into the manifest.
	Version string
}

// WriteBackup writes a consistent backup of the database to path, which must not exist, while
// other connections may go on writing: VACUUM INTO copies one snapshot, on a connection of its
// own. The file appears under its name only when complete and synced to disk. It returns
// EINVALID when path exists.
func (db *DB) WriteBackup(ctx context.Context, path string, opts BackupOptions) (*Manifest, error) {
	if _, err := os.Lstat(path); err == nil {
		return nil, kexi.Errorf(kexi.EINVALID, "backup %s: the file exists; choose another name or remove it", path)
	}
	path, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	dir := filepath.Dir(path)
	// 1. A snapshot of the database, beside the backup (created empty and 0600 for VACUUM INTO).
	snap, err := os.CreateTemp(dir, "."+filepath.Base(path)+".db-*")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, kexi.Errorf(kexi.EINVALID, "backup %s: the folder %s does not exist", path, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	snapPath := snap.Name()
	snap.Close()
	defer os.Remove(snapPath)
	conn, err := sql.Open("sqlite", fileURL(db.path)+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	opts.Progress.report("copy", 0, 0)
	_, err = conn.ExecContext(ctx, "VACUUM INTO ?", fileURL(snapPath))
	conn.Close()
	if err != nil {
		return nil, fmt.Errorf("backup: copy the database: %w", err)
	}
	// 2. The manifest describes the snapshot, not the live database.
	m := &Manifest{Format: backupFormat, CreatedAt: db.Now().UTC().Truncate(time.Second), KexiVersion: opts.Version,
		Payload: backupPayload}
	if m.SchemaVersion, m.Counts, err = describe(ctx, snapPath); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if opts.IncludeKey {
		m.KeyIncluded = true
		m.Key = base64.StdEncoding.EncodeToString(db.Key())
	}
	// 3. The file: header space, then the payload; then the header, now that its hashes are known.
	out, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	tmp := out.Name()
	defer func() {
		out.Close()
		os.Remove(tmp)
	}()
	if _, err := out.Seek(backupHeaderSize, io.SeekStart); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	in, err := os.Open(snapPath)
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	h := sha256.New()
	cw := &countWriter{w: io.MultiWriter(out, h)}
	var size int64
	if fi, err := in.Stat(); err == nil {
		size = fi.Size()
	}
	pr := &progressReader{r: in, p: opts.Progress, stage: "compress", total: size}
	m.DatabaseBytes, err = parallelGzip(cw, pr, runtime.GOMAXPROCS(0))
	in.Close()
	if err != nil {
		return nil, fmt.Errorf("backup: write %s: %w", path, err)
	}
	m.PayloadBytes, m.PayloadSHA256 = cw.n, hex.EncodeToString(h.Sum(nil))
	header, err := m.header()
	if err != nil {
		return nil, err
	}
	if _, err := out.WriteAt(header, 0); err != nil {
		return nil, fmt.Errorf("backup: write %s: %w", path, err)
	}
	if err := out.Sync(); err != nil {
		return nil, fmt.Errorf("backup: write %s: %w", path, err)
	}
	if err := out.Close(); err != nil {
		return nil, fmt.Errorf("backup: write %s: %w", path, err)
	}
	if err := placeNew(tmp, path); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	return m, nil
}

// header returns the first backupHeaderSize bytes of a backup with manifest m.
func (m *Manifest) header() ([]byte, error) {
	j, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(j)
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %d %s\n%s\n", backupMagic, backupFormat, hex.EncodeToString(sum[:]), j)
	if b.Len() > backupHeaderSize {
		return nil, fmt.Errorf("backup: the manifest is %d bytes, more than the header holds", b.Len())
	}
	b.Write(bytes.Repeat([]byte{' '}, backupHeaderSize-b.Len()))
	return b.Bytes(), nil
}

// corrupt is the error for a backup file that fails a check.
func corrupt(path, format string, args ...any) error {
	return kexi.Errorf(kexi.EINVALID, "backup %s is damaged or not a kexi backup: %s; nothing was restored",
		path, fmt.Sprintf(format, args...))
}

// ReadManifest reads and checks the header of the backup at path. It returns EINVALID when the
// file is not a kexi backup, its manifest does not match its checksum, or it was made by a
// newer kexi.
func ReadManifest(path string) (*Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, kexi.Errorf(kexi.EINVALID, "backup %s: no such file", path)
		}
		return nil, fmt.Errorf("read backup: %w", err)
	}
	defer f.Close()
	return readManifest(f, path)
}

func readManifest(f io.Reader, path string) (*Manifest, error) {
	head := make([]byte, backupHeaderSize)
	if n, err := io.ReadFull(f, head); err != nil {
		return nil, corrupt(path, "it is %d bytes long, shorter than a backup's header", n)
	}
	first, rest, ok := bytes.Cut(head, []byte{'\n'})
	line, _, ok2 := bytes.Cut(rest, []byte{'\n'})
	parts := strings.Fields(string(first))
	if !ok || !ok2 || len(parts) != 3 || parts[0] != backupMagic {
		return nil, corrupt(path, "it does not start with %q", backupMagic)
	}
	if v, err := strconv.Atoi(parts[1]); err != nil || v != backupFormat {
		return nil, kexi.Errorf(kexi.EINVALID, "backup %s has format %q; this kexi reads format %d (a newer kexi made it?)",
			path, parts[1], backupFormat)
	}
	sum := sha256.Sum256(line)
	if hex.EncodeToString(sum[:]) != parts[2] {
		return nil, corrupt(path, "the checksum of its manifest does not match")
	}
	var m Manifest
	if err := json.Unmarshal(line, &m); err != nil {
		return nil, corrupt(path, "its manifest is not valid JSON: %v", err)
	}
	if m.Payload != backupPayload || m.Format != backupFormat {
		return nil, corrupt(path, "unknown payload %q", m.Payload)
	}
	if latest := latestSchema(); m.SchemaVersion < 1 || m.SchemaVersion > latest {
		return nil, kexi.Errorf(kexi.EINVALID, "backup %s has schema version %d; this kexi knows versions 1 to %d: restore it with a newer kexi",
			path, m.SchemaVersion, latest)
	}
	if m.KeyIncluded && m.KeyBytes() == nil {
		return nil, corrupt(path, "the key it includes is not 32 bytes of base64")
	}
	return &m, nil
}

// RestoreOptions configure Restore.
type RestoreOptions struct {
	// Key opens the restored database; nil means the key the backup includes.
	Key []byte
	// Force replaces an existing database at the destination.
	Force bool
	// Progress, when set, is told how far the restore is.
	Progress Progress
}

// Restore restores the backup at path into a new database file dst and returns its manifest.
// It writes a temporary file beside dst and checks it — the payload's length and SHA-256, the
// SQLite integrity check, the schema version, the rows of every table against the manifest,
// the key, and that personal fields decrypt — before it renames it to dst; on any failure dst
// is left as it was. It returns EINVALID for a damaged or truncated backup, a wrong or missing
// key, or an existing dst without Force.
func Restore(ctx context.Context, path, dst string, opts RestoreOptions) (*Manifest, error) {
	if !opts.Force {
		if _, err := os.Lstat(dst); err == nil {
			return nil, kexi.Errorf(kexi.EINVALID, "restore: %s exists; restore into a new file, or use --force to replace it (stop kexi serve first)", dst)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, kexi.Errorf(kexi.EINVALID, "backup %s: no such file", path)
		}
		return nil, fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	m, err := readManifest(f, path)
	if err != nil {
		return nil, err
	}
	key := opts.Key
	if key == nil {
		key = m.KeyBytes()
	}
	if key == nil {
		return nil, kexi.Errorf(kexi.EINVALID, "restore: backup %s does not include the encryption key: give the key of the database it was made from", path)
	}
	if len(key) != 32 {
		return nil, kexi.Errorf(kexi.EINVALID, "the encryption key must be 32 bytes, not %d", len(key))
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".restore-*")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, kexi.Errorf(kexi.EINVALID, "restore: the folder %s does not exist", filepath.Dir(dst))
	}
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	tmpPath := tmp.Name()
	defer func() {
		tmp.Close()
		for _, p := range []string{tmpPath, tmpPath + "-wal", tmpPath + "-shm"} {
			os.Remove(p)
		}
	}()
	pr := &progressReader{r: f, p: opts.Progress, stage: "unpack", total: m.PayloadBytes}
	if err := unpack(pr, tmp, m, path); err != nil {
		return nil, err
	}
	if err := tmp.Sync(); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	opts.Progress.report("check", 0, 0)
	if err := checkRestored(ctx, tmpPath, m, key, path); err != nil {
		return nil, err
	}
	if opts.Force {
		// A -wal left by the database being replaced would be replayed onto the restored one.
		for _, p := range []string{dst + "-wal", dst + "-shm"} {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("restore: %w", err)
			}
		}
		err = os.Rename(tmpPath, dst)
	} else {
		err = placeNew(tmpPath, dst)
	}
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	if err := syncDir(filepath.Dir(dst)); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	return m, nil
}

// unpack decompresses the payload of a backup from r (just after the header) into w, checking
// its length and SHA-256 against the manifest.
func unpack(r io.Reader, w io.Writer, m *Manifest, path string) error {
	h := sha256.New()
	cr := &progressReader{r: io.TeeReader(r, h)} // counts the bytes; reports to no one
	br := bufio.NewReaderSize(cr, 1<<20)
	var n int64
	zr, err := gzip.NewReader(br)
	if err == nil {
		n, err = io.Copy(markWriter{w}, zr)
	}
	var werr *writeError
	if errors.As(err, &werr) {
		return fmt.Errorf("restore: %w", werr.err)
	}
	// Whatever gzip made of it, the checksum of every byte after the header decides.
	if _, cerr := io.Copy(io.Discard, br); cerr != nil {
		return fmt.Errorf("restore: read %s: %w", path, cerr)
	}
	if cr.n != m.PayloadBytes {
		return corrupt(path, "it holds %d bytes of data, the manifest says %d (truncated?)", cr.n, m.PayloadBytes)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != m.PayloadSHA256 {
		return corrupt(path, "the SHA-256 of its data is %s, the manifest says %s", got[:16]+"…", m.PayloadSHA256[:min(16, len(m.PayloadSHA256))]+"…")
	}
	if err != nil {
		return corrupt(path, "its data does not decompress: %v", err)
	}
	if n != m.DatabaseBytes {
		return corrupt(path, "the database is %d bytes, the manifest says %d", n, m.DatabaseBytes)
	}
	return nil
}

// checkRestored checks a restored database file against the manifest and the key.
func checkRestored(ctx context.Context, dbPath string, m *Manifest, key []byte, path string) error {
	v, counts, err := describe(ctx, dbPath)
	if err != nil {
		return corrupt(path, "the database in it does not open: %v", err)
	}
	raw, err := sql.Open("sqlite", fileURL(dbPath)+"?mode=ro")
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	var problems []string
	rows, err := raw.QueryContext(ctx, "PRAGMA integrity_check(20)")
	if err == nil {
		for rows.Next() {
			var s string
			rows.Scan(&s)
			if s != "ok" {
				problems = append(problems, s)
			}
		}
		err = rows.Err()
		rows.Close()
	}
	raw.Close()
	if err != nil {
		return corrupt(path, "the integrity check failed: %v", err)
	}
	if len(problems) > 0 {
		return corrupt(path, "the integrity check found: %s", strings.Join(problems, "; "))
	}
	if v != m.SchemaVersion {
		return corrupt(path, "its database has schema version %d, the manifest says %d", v, m.SchemaVersion)
	}
	var diffs []string
	for t, n := range m.Counts {
		if got, ok := counts[t]; !ok || got != n {
			diffs = append(diffs, fmt.Sprintf("%s: %d rows, the manifest says %d", t, got, n))
		}
	}
	for t := range counts {
		if _, ok := m.Counts[t]; !ok {
			diffs = append(diffs, fmt.Sprintf("table %s is not in the manifest", t))
		}
	}
	if len(diffs) > 0 {
		sort.Strings(diffs)
		return corrupt(path, "%s", strings.Join(diffs, "; "))
	}
	// Open it as kexi does (which checks the key and applies any newer migrations) and read
	// personal fields back.
	db, err := Open(ctx, dbPath, Options{Key: key})
	if err != nil {
		if kexi.ErrorCode(err) == kexi.EINVALID {
			return kexi.Errorf(kexi.EINVALID, "restore: the key does not open the database in backup %s: give the key of the database it was made from; nothing was restored", path)
		}
		return fmt.Errorf("restore: open the restored database: %w", err)
	}
	err = db.checkPersonal(ctx)
	if err == nil {
		_, err = db.Writer().ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	return nil
}

// checkPersonal decrypts the personal fields of up to 1,000 customers.
func (db *DB) checkPersonal(ctx context.Context) error {
	rows, err := db.Reader().QueryContext(ctx, `SELECT id, phone_enc, email_enc FROM customers
		WHERE phone_enc IS NOT NULL OR email_enc IS NOT NULL LIMIT 1000`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var phone, email []byte
		if err := rows.Scan(&id, &phone, &email); err != nil {
			return err
		}
		for _, b := range [][]byte{phone, email} {
			if _, err := db.Decrypt(b); err != nil {
				return kexi.Errorf(kexi.EINVALID, "customer %d: the personal fields do not decrypt with this key", id)
			}
		}
	}
	return rows.Err()
}

// VerifyBackup restores the backup at path into a temporary file in dir and checks it as
// Restore does, then removes it. opts.Key nil means the key the backup includes; opts.Force
// does not matter.
func VerifyBackup(ctx context.Context, path, dir string, opts RestoreOptions) (*Manifest, error) {
	tmp, err := os.MkdirTemp(dir, ".kexi-verify-*")
	if err != nil {
		return nil, fmt.Errorf("verify backup: %w", err)
	}
	defer os.RemoveAll(tmp)
	opts.Force = false
	return Restore(ctx, path, filepath.Join(tmp, "verify.db"), opts)
}

// describe returns the schema version and the rows of every table of the database file at path.
func describe(ctx context.Context, path string) (int, map[string]int64, error) {
	raw, err := sql.Open("sqlite", fileURL(path)+"?mode=ro")
	if err != nil {
		return 0, nil, err
	}
	defer raw.Close()
	rows, err := raw.QueryContext(ctx, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
	if err != nil {
		return 0, nil, err
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return 0, nil, err
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, nil, err
	}
	counts := make(map[string]int64, len(tables))
	for _, t := range tables {
		var n int64
		if err := raw.QueryRowContext(ctx, `SELECT count(*) FROM "`+strings.ReplaceAll(t, `"`, `""`)+`"`).Scan(&n); err != nil {
			return 0, nil, err
		}
		counts[t] = n
	}
	var v int
	if err := raw.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_version").Scan(&v); err != nil {
		return 0, nil, err
	}
	return v, counts, nil
}

// latestSchema is the number of the newest embedded migration.
func latestSchema() int {
	names, _ := fs.Glob(migrations, "migration/*.sql")
	v := 0
	for _, n := range names {
		if i, err := strconv.Atoi(strings.SplitN(filepath.Base(n), "_", 2)[0]); err == nil && i > v {
			v = i
		}
	}
	return v
}

// placeNew gives the complete file tmp the name dst, which must not exist. A hard link fails
// rather than replaces a dst that appeared meanwhile; where the file system has no hard links
// (FAT and exFAT drives, some network shares) it renames after checking.
func placeNew(tmp, dst string) error {
	err := os.Link(tmp, dst)
	if err == nil || errors.Is(err, fs.ErrExist) {
		if err != nil {
			err = kexi.Errorf(kexi.EINVALID, "%s exists; nothing was replaced", dst)
		}
		return err
	}
	if _, serr := os.Lstat(dst); serr == nil {
		return kexi.Errorf(kexi.EINVALID, "%s exists; nothing was replaced", dst)
	}
	return os.Rename(tmp, dst)
}

// fileURL is the driver's URL of the file at path, without options.
func fileURL(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	u := url.URL{Scheme: "file", Path: path}
	return u.String()
}

// syncDir flushes a directory's entries (a file just created or renamed in it) to disk.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// gzipChunk is how much of the database each gzip member of a backup holds.
const gzipChunk = 4 << 20

// parallelGzip compresses r into w as a series of gzip members of gzipChunk bytes each, made on
// up to workers goroutines at once and written in order: a gzip reader reads the members as
// one stream. It returns the number of bytes read from r.
func parallelGzip(w io.Writer, r io.Reader, workers int) (int64, error) {
	type result struct {
		b   []byte
		err error
	}
	queue := make(chan chan result, max(1, workers-1))
	werr := make(chan error, 1)
	go func() {
		var err error
		for ch := range queue {
			res := <-ch
			if err == nil {
				err = res.err
			}
			if err == nil {
				_, err = w.Write(res.b)
			}
		}
		werr <- err
	}()
	var n int64
	var rerr error
	for {
		buf := make([]byte, gzipChunk)
		k, err := io.ReadFull(r, buf)
		n += int64(k)
		if k > 0 {
			ch := make(chan result, 1)
			queue <- ch
			go func(in []byte) {
				var out bytes.Buffer
				out.Grow(len(in) / 2)
				zw, _ := gzip.NewWriterLevel(&out, gzip.BestSpeed)
				_, err := zw.Write(in)
				if err == nil {
					err = zw.Close()
				}
				ch <- result{out.Bytes(), err}
			}(buf[:k])
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			rerr = err
			break
		}
	}
	close(queue)
	if err := <-werr; err != nil {
		return n, err
	}
	return n, rerr
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// writeError marks an error of the restore's output file, as against one of the backup.
type writeError struct{ err error }

func (e *writeError) Error() string { return e.err.Error() }

type markWriter struct{ w io.Writer }

func (m markWriter) Write(p []byte) (int, error) {
	n, err := m.w.Write(p)
	if err != nil {
		err = &writeError{err}
	}
	return n, err
}
