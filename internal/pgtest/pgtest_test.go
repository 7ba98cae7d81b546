package pgtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) {
	if os.Getenv("PGTEST_CHILD") != "" {
		child(os.Getenv("PGTEST_CHILD"))
		return
	}
	Main(m)
}

// child is the test process of TestNoServerLeftBehind: it starts a cluster, prints its pid and
// directory, then ends the way mode says.
func child(mode string) {
	tb := &fakeTB{}
	dsn := DSN(tb)
	if dsn == "" || srv == nil {
		fmt.Println("no server:", tb.msg)
		os.Exit(3)
	}
	fmt.Printf("%d %s\n", srv.cmd.Process.Pid, srv.dir)
	if mode == "stop" {
		Stop()
	}
	os.Exit(0) // mode "die": no Stop, as when a test binary panics or times out
}

func conn(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatalf("connect %s: %v", dsn, err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func TestDSN(t *testing.T) {
	a, b := DSN(t), DSN(t)
	if a == b {
		t.Fatalf("two calls gave the same database %s", a)
	}
	for _, d := range []string{a, b} {
		if !strings.HasPrefix(d, "postgres://") || !strings.Contains(d, "sslmode=disable") {
			t.Errorf("DSN %q: want postgres://…?sslmode=disable", d)
		}
	}
	ca, cb := conn(t, a), conn(t, b)
	ctx := context.Background()
	if _, err := ca.Exec(ctx, "CREATE TABLE only_in_a (x int); INSERT INTO only_in_a VALUES (7)"); err != nil {
		t.Fatal(err)
	}
	var x int
	if err := ca.QueryRow(ctx, "SELECT x FROM only_in_a").Scan(&x); err != nil || x != 7 {
		t.Fatalf("read back: %d, %v", x, err)
	}
	// A fresh database: the table made in a is not in b.
	var n int
	if err := cb.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'").Scan(&n); err != nil || n != 0 {
		t.Fatalf("b sees %d tables only_in_a (%v), want 0", n, err)
	}
	var db string
	if err := cb.QueryRow(ctx, "SELECT current_database()").Scan(&db); err != nil || !strings.HasPrefix(db, "t_") {
		t.Fatalf("database %q (%v), want t_…", db, err)
	}
	if srv != nil { // our own cluster: tests-only settings, and not run as root
		var fsync, user string
		if err := ca.QueryRow(ctx, "SELECT current_setting('fsync'), current_setting('listen_addresses')").Scan(&fsync, &user); err != nil {
			t.Fatal(err)
		}
		if fsync != "off" || user != "127.0.0.1" {
			t.Errorf("fsync=%s listen_addresses=%s, want off and 127.0.0.1", fsync, user)
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", srv.cmd.Process.Pid))
		if err == nil && os.Geteuid() == 0 && strings.Contains(string(b), "\nUid:\t0\t") {
			t.Errorf("postgres runs as root:\n%s", b)
		}
	}
}

// fakeTB records Skip and Fatal instead of stopping the goroutine.
type fakeTB struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (f *fakeTB) Helper()           {}
func (f *fakeTB) Skip(args ...any)  { f.skipped, f.msg = true, fmt.Sprint(args...) }
func (f *fakeTB) Fatal(args ...any) { f.failed, f.msg = true, fmt.Sprint(args...) }
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed, f.msg = true, fmt.Sprintf(format, args...)
}
func (f *fakeTB) Cleanup(func())      {}
func (f *fakeTB) Logf(string, ...any) {}

func TestMissingBinaries(t *testing.T) {
	t.Setenv(EnvRequire, "")
	tb := &fakeTB{}
	if usable(tb, errNoBinaries) || !tb.skipped || tb.failed {
		t.Fatalf("no binaries: skipped=%v failed=%v, want a skip", tb.skipped, tb.failed)
	}
	for _, want := range []string{"PostgreSQL server binaries not found (install postgresql)", "KEXI_REQUIRE_POSTGRES=1"} {
		if !strings.Contains(tb.msg, want) {
			t.Errorf("skip message %q lacks %q", tb.msg, want)
		}
	}

	t.Setenv(EnvRequire, "1")
	tb = &fakeTB{}
	if usable(tb, errNoBinaries) || !tb.failed || tb.skipped {
		t.Fatalf("no binaries, KEXI_REQUIRE_POSTGRES=1: skipped=%v failed=%v, want a failure", tb.skipped, tb.failed)
	}

	// A server that is installed but will not start is a failure, not a skip.
	t.Setenv(EnvRequire, "")
	tb = &fakeTB{}
	if usable(tb, errors.New("initdb: boom")) || !tb.failed || !strings.Contains(tb.msg, "boom") {
		t.Fatalf("start error: failed=%v msg=%q", tb.failed, tb.msg)
	}
}

func TestWithDatabase(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"postgres://u:p@h:5433/kexi?sslmode=disable", "postgres://u:p@h:5433/t_1?sslmode=disable"},
		{"postgresql://h/", "postgresql://h/t_1"},
		{"host=h port=5433 user=u", "host=h port=5433 user=u dbname=t_1"},
	} {
		got, err := withDatabase(c.in, "t_1")
		if err != nil || got != c.want {
			t.Errorf("withDatabase(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

// TestNoServerLeftBehind runs a test process that starts a cluster and then stops it, and one
// that dies without stopping it: in both cases the server goes away and, by the next start at
// the latest, its directory too.
func TestNoServerLeftBehind(t *testing.T) {
	if os.Getenv(EnvServer) != "" {
		t.Skip(EnvServer + " is set: no cluster is started")
	}
	if _, err := findBinaries(); err != nil {
		usable(t, err)
	}
	for _, mode := range []string{"stop", "die"} {
		t.Run(mode, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "PGTEST_CHILD="+mode)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("child: %v\n%s", err, out)
			}
			line, _, _ := strings.Cut(string(out), "\n")
			pidStr, dir, ok := strings.Cut(line, " ")
			pid, err := strconv.Atoi(pidStr)
			if !ok || err != nil {
				t.Fatalf("child printed %q", out)
			}
			// The kernel signals the server when its parent dies; shutting down takes a moment.
			deadline := time.Now().Add(time.Minute)
			for running(pid) {
				if time.Now().After(deadline) {
					exec.Command("kill", "-9", pidStr).Run()
					t.Fatalf("postgres (pid %d) still runs after its test process ended", pid)
				}
				time.Sleep(50 * time.Millisecond)
			}
			if mode == "stop" {
				if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("Stop left %s behind (%v)", dir, err)
				}
				return
			}
			sweep()
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("sweep left %s of a dead test process behind (%v)", dir, err)
			}
		})
	}
}

// running reports whether pid is a live process (not a zombie).
func running(pid int) bool {
	f, err := os.Open(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if st, ok := strings.CutPrefix(sc.Text(), "State:"); ok {
			return !strings.Contains(st, "Z")
		}
	}
	return false
}
