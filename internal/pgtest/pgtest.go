// Package pgtest gives tests a fresh PostgreSQL database. Once per test process it starts a
// throwaway cluster (initdb in a temporary directory, trust authentication, 127.0.0.1 on a free
// port, fsync off), and each call to DSN creates a new empty database on it.
//
// Where the server binaries are absent the test is skipped with a clear message; with
// KEXI_REQUIRE_POSTGRES=1 it fails instead (CI sets it). KEXI_TEST_POSTGRES=postgres://… uses
// that server (a superuser or a role that may CREATE DATABASE) instead of starting one.
//
// A package whose tests call DSN stops the cluster when its tests end with
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// or by calling Stop itself after m.Run. Should the test process die without that, the server
// gets SIGQUIT from the kernel (parent-death signal), and the next test process removes the
// directory left behind.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	// EnvRequire, when "1", turns a skip for missing server binaries into a failure.
	EnvRequire = "KEXI_REQUIRE_POSTGRES"
	// EnvServer names an existing server to use instead of starting one.
	EnvServer = "KEXI_TEST_POSTGRES"

	dirPrefix = "kexi-pgtest-"
)

// errNoBinaries is returned by start when no PostgreSQL server binaries are installed.
var errNoBinaries = errors.New("PostgreSQL server binaries not found (install postgresql); " +
	"set " + EnvRequire + "=1 to fail instead")

var (
	mu       sync.Mutex
	started  bool
	startErr error
	srv      *server // the cluster this process started, nil when using KEXI_TEST_POSTGRES
	admin    *pgx.Conn
	adminDSN string
	n        int
)

// DSN returns the URL of a new, empty database (postgres://…?sslmode=disable) for the test.
// It skips the test when PostgreSQL is not installed (fails with KEXI_REQUIRE_POSTGRES=1) and
// fails it when the server cannot be started or the database cannot be created. On a server
// given by KEXI_TEST_POSTGRES the database is dropped when the test ends.
func DSN(tb testing.TB) string {
	tb.Helper()
	mu.Lock()
	defer mu.Unlock()
	if !started {
		started = true
		startErr = start()
	}
	if !usable(tb, startErr) {
		return ""
	}
	n++
	name := fmt.Sprintf("t_%d_%d", os.Getpid(), n)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("pgtest: create database %s: %v", name, err)
	}
	if srv == nil {
		// Someone else's server: leave it as we found it. FORCE ends connections a test
		// forgot to close.
		tb.Cleanup(func() {
			mu.Lock()
			defer mu.Unlock()
			if admin == nil {
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
				tb.Logf("pgtest: drop database %s: %v", name, err)
			}
		})
	}
	dsn, err := withDatabase(adminDSN, name)
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	return dsn
}

// usable skips or fails tb for a start error, and reports whether the test may go on (it may
// not when tb's Skip and Fatal return, as a fake's do).
func usable(tb testing.TB, err error) bool {
	tb.Helper()
	switch {
	case err == nil:
		return true
	case errors.Is(err, errNoBinaries) && os.Getenv(EnvRequire) == "1":
		tb.Fatal(err)
	case errors.Is(err, errNoBinaries):
		tb.Skip(err)
	default:
		tb.Fatalf("pgtest: %v", err)
	}
	return false
}

// Main runs the tests and then Stop, and exits with the tests' code. Use it as TestMain.
func Main(m *testing.M) {
	code := m.Run()
	Stop()
	os.Exit(code)
}

// Stop shuts down the cluster this process started (if any) and removes its directory. It is
// safe to call more than once, and when DSN was never called.
func Stop() {
	mu.Lock()
	defer mu.Unlock()
	if admin != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		admin.Close(ctx)
		cancel()
		admin = nil
	}
	if srv != nil {
		srv.stop()
		srv = nil
	}
	startErr = errors.New("pgtest.Stop was called: the cluster is gone")
}

// start connects the admin connection, to the server in KEXI_TEST_POSTGRES or to a cluster it
// starts.
func start() error {
	if dsn := strings.TrimSpace(os.Getenv(EnvServer)); dsn != "" {
		if _, err := withDatabase(dsn, "x"); err != nil {
			return fmt.Errorf("%s: %v", EnvServer, err)
		}
		c, err := connect(dsn, 30*time.Second, nil)
		if err != nil {
			return fmt.Errorf("%s: %v", EnvServer, err)
		}
		admin, adminDSN = c, dsn
		return nil
	}
	bin, err := findBinaries()
	if err != nil {
		return err
	}
	var lastErr error
	for range 3 { // the free port may be taken between finding and binding it
		s, err := startServer(bin)
		if err != nil {
			lastErr = err
			continue
		}
		dsn := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.port)
		c, err := connect(dsn, time.Minute, s.exited)
		if err != nil {
			log, _ := os.ReadFile(filepath.Join(s.dir, "log"))
			lastErr = fmt.Errorf("%v\nserver log (%s):\n%s", err, bin.postgres, log)
			s.stop()
			continue
		}
		srv, admin, adminDSN = s, c, dsn
		return nil
	}
	return lastErr
}

// withDatabase returns dsn (a URL or key=value string) naming the database name instead.
func withDatabase(dsn, name string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("bad DSN: %v", err)
		}
		u.Path = "/" + name
		return u.String(), nil
	}
	if _, err := pgx.ParseConfig(dsn); err != nil {
		return "", fmt.Errorf("bad DSN: %v", err)
	}
	return dsn + " dbname=" + name, nil
}

// connect opens a connection to dsn, retrying until wait has passed (a server just started
// may not accept connections yet) or exited is closed (the server died).
func connect(dsn string, wait time.Duration, exited <-chan struct{}) (*pgx.Conn, error) {
	deadline := time.Now().Add(wait)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c, err := pgx.Connect(ctx, dsn)
		cancel()
		if err == nil {
			return c, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
		}
		select {
		case <-exited:
			return nil, fmt.Errorf("connect to PostgreSQL: the server exited: %w", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// binaries are the two server programs.
type binaries struct{ initdb, postgres string }

// findBinaries looks for initdb and postgres in `pg_config --bindir`, then in the newest
// /usr/lib/postgresql/*/bin (Debian, Ubuntu), then on PATH.
func findBinaries() (binaries, error) {
	var dirs []string
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dirs = append(dirs, strings.TrimSpace(string(out)))
	}
	vers, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(vers, func(i, j int) bool { return version(vers[i]) > version(vers[j]) })
	dirs = append(dirs, vers...)
	if p, err := exec.LookPath("initdb"); err == nil {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			p = r
		}
		dirs = append(dirs, filepath.Dir(p))
	}
	for _, d := range dirs {
		b := binaries{filepath.Join(d, "initdb"), filepath.Join(d, "postgres")}
		if isExec(b.initdb) && isExec(b.postgres) {
			return b, nil
		}
	}
	return binaries{}, errNoBinaries
}

// version is the major version in /usr/lib/postgresql/<v>/bin, 0 when it is not a number.
func version(bindir string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(bindir)), 64)
	return v
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// server is a running postmaster started by this process.
type server struct {
	dir    string
	port   int
	cmd    *exec.Cmd
	exited chan struct{} // closed when the postmaster has exited
}

// startServer runs initdb in a new temporary directory and starts postgres on it. As root it
// runs both as the postgres user (or nobody), which owns the directory: initdb refuses root.
func startServer(bin binaries) (*server, error) {
	sweep()
	cred, err := credential()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", dirPrefix)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*server, error) {
		os.RemoveAll(dir)
		return nil, err
	}
	// The owner's pid lets a later process remove the directory should this one die.
	if err := os.WriteFile(filepath.Join(dir, "owner.pid"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return fail(err)
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return fail(err)
		}
	}
	data := filepath.Join(dir, "data")
	logf := filepath.Join(dir, "log")

	initdb := exec.Command(bin.initdb, "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8",
		"--locale=C", "--no-sync")
	initdb.Dir = dir
	initdb.Env = childEnv()
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		return fail(fmt.Errorf("initdb (%s): %v\n%s", bin.initdb, err, out))
	}

	port, err := freePort()
	if err != nil {
		return fail(err)
	}
	lf, err := os.Create(logf)
	if err != nil {
		return fail(err)
	}
	defer lf.Close()
	cmd := exec.Command(bin.postgres, "-D", data, "-p", strconv.Itoa(port), "-k", dir,
		"-c", "listen_addresses=127.0.0.1",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=200", "-c", "shared_buffers=32MB")
	cmd.Dir = dir
	cmd.Env = childEnv()
	cmd.Stdout, cmd.Stderr = lf, lf
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT, Setpgid: true}
	s := &server{dir: dir, port: port, cmd: cmd, exited: make(chan struct{})}

	// The parent-death signal goes with the thread that started the child: start it from a
	// locked thread that lives as long as the server does.
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		cmd.Wait()
		close(s.exited)
		// The thread stays locked, so it ends with this goroutine: the server is gone by now.
	}()
	if err := <-started; err != nil {
		return fail(fmt.Errorf("start postgres (%s): %v", bin.postgres, err))
	}
	return s, nil
}

// stop shuts the server down (fast shutdown, then kill) and removes its directory.
func (s *server) stop() {
	if s.cmd.Process != nil {
		s.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-s.exited:
		case <-time.After(30 * time.Second):
			syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
			<-s.exited
		}
	}
	os.RemoveAll(s.dir)
}

// credential is the user to run the server as: nil (this user) unless running as root, then
// the postgres user when it exists, else nobody.
func credential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	var lastErr error
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			lastErr = err
			continue
		}
		uid, err1 := strconv.Atoi(u.Uid)
		gid, err2 := strconv.Atoi(u.Gid)
		if err1 != nil || err2 != nil {
			lastErr = fmt.Errorf("user %s has uid %q gid %q", name, u.Uid, u.Gid)
			continue
		}
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, nil
	}
	return nil, fmt.Errorf("running as root, and no unprivileged user (postgres or nobody) to run PostgreSQL as: %v", lastErr)
}

// childEnv is this process's environment without PG* variables (which would point initdb and
// postgres elsewhere), with a C locale.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PG") || strings.HasPrefix(kv, "LC_") || strings.HasPrefix(kv, "LANG=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "LC_ALL=C")
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// sweep removes the directories of clusters whose test process died without Stop.
func sweep() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPrefix+"*"))
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "owner.pid"))
		if err != nil {
			continue // being created, or not ours
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || pid <= 0 || alive(pid) {
			continue
		}
		if pm, err := os.ReadFile(filepath.Join(d, "data", "postmaster.pid")); err == nil {
			if line, _, _ := strings.Cut(string(pm), "\n"); line != "" {
				if p, err := strconv.Atoi(strings.TrimSpace(line)); err == nil && alive(p) {
					continue // its server still runs: leave it
				}
			}
		}
		os.RemoveAll(d)
	}
}

// alive reports whether a process with this pid exists.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
