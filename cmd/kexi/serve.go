package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis/all"
	kexihttp "github.com/kexi/kexi/http"
	"github.com/kexi/kexi/sheet"
	"github.com/kexi/kexi/sqlite"
)

// defaultAddr is where kexi serves when neither --addr nor KEXI_ADDR is given.
const defaultAddr = "127.0.0.1:8080"

// cmdServe serves the web dashboard and REST API over the database.
func cmdServe(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "serve", "[--db FILE|URL] [--addr HOST:PORT] [--trusted-proxy CIDR,...] [--backup-dir DIR [--backup-every DURATION] [--backup-keep N]]")
	db := fs.String("db", envOr(env, "KEXI_DB", defaultDB), dbHelp)
	addr := fs.String("addr", envOr(env, "KEXI_ADDR", defaultAddr), "listen `address` HOST:PORT; port 0 picks a free one (env KEXI_ADDR)")
	proxies := fs.String("trusted-proxy", envOr(env, "KEXI_TRUSTED_PROXIES", ""),
		"comma-separated `addresses` or CIDRs of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto kexi believes (env KEXI_TRUSTED_PROXIES)")
	var sched schedule
	sched.flags(env, fs)
	limits := limitFlags(env, fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	lim, err := limits()
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.Stderr, "kexi serve: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	if err := sched.check(); err != nil {
		return err
	}
	trusted, err := parseProxies(*proxies)
	if err != nil {
		return err
	}
	future, err := futureYears(env)
	if err != nil {
		return err
	}
	if isPostgres(*db) {
		if sched.dir != "" {
			return kexi.Errorf(kexi.EINVALID, "--backup-dir makes scheduled backups of the embedded database only: for PostgreSQL "+
				"run kexi backup --db URL --out FILE from cron, or use its own tools (pg_dump, the provider's backups)")
		}
		st, err := openStoreWith(ctx, env, *db, sqlite.Options{Readers: serveReaders})
		if err != nil {
			return err
		}
		defer st.Close()
		return serveStore(ctx, env, st, *addr, lim, trusted, future)
	}
	key, err := storeKey(env, *db)
	if err != nil {
		return err
	}
	st, err := sqlite.Open(ctx, *db, sqlite.Options{Key: key, Readers: serveReaders})
	if err != nil {
		return err
	}
	defer st.Close()
	if sched.dir != "" {
		stop := sched.start(ctx, env, st, key, *db)
		defer stop() // before the store closes
	}
	return serveStore(ctx, env, st, *addr, lim, trusted, future)
}

// serveReaders is the size of kexi serve's pool of read connections. A load of a Dataset reads
// each part on its own read transaction, at once (about 20 for every part: the orders and their
// lines in shards of the id range, and each other part); the server loads parts in the
// background (the first load, the parts added after the dashboard, a reload after an import).
// With more connections than that, the pages keep finding one for their session and queries
// meanwhile: with the store's default of 4, /customers opened right after the first dashboard
// of the 100k demo waited 18.6 s for the other parts' load to end, and 0.5 s with 16.
const serveReaders = 24

// parseProxies parses a comma-separated list of addresses and CIDR prefixes; EINVALID names
// the first bad one.
func parseProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, kexi.Errorf(kexi.EINVALID, "trusted proxy %q: expected an IP address or a CIDR such as 10.0.0.0/8", f)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// serveStore serves the dashboard and API for st on addr until ctx ends, then shuts down
// gracefully. It prints the address it serves on and, when the store has no users, a one-time
// link that creates the first administrator. Uploaded files keep to lim; trusted lists the
// reverse proxies whose forwarding headers kexi believes (parseProxies); future is how many
// years past today a record's date may lie (futureYears). kexi demo calls it after generating
// data.
func serveStore(ctx context.Context, env *Env, st kexi.Store, addr string, lim sheet.Limits, trusted []netip.Prefix, future int) error {
	logger := newLogger(env)
	users, err := st.FindUsers(ctx)
	if err != nil {
		return fmt.Errorf("list users: %w", err)
	}
	setup := ""
	if len(users) == 0 {
		b := make([]byte, 24)
		rand.Read(b)
		setup = base64.RawURLEncoding.EncodeToString(b)
	}
	srv := kexihttp.NewServer(kexihttp.Config{Store: st, Analyses: all.List(), Logger: logger,
		SetupToken: setup, Version: version, FutureYears: future, Limits: lim, TrustedProxies: trusted})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return kexi.Errorf(kexi.EINVALID, "cannot listen on %s: %v", addr, err)
	}
	base := "http://" + displayAddr(ln.Addr().String())
	fmt.Fprintf(env.Stdout, "kexi is serving on %s\n", base)
	if link := srv.SetupLink(); link != "" {
		fmt.Fprintf(env.Stdout, "No users yet. Open this one-time link to create the administrator:\n  %s%s\n"+
			"(or run: kexi users add --role admin --login NAME)\n", base, link)
	}
	defer srv.Close() // removes the uploads of imports still waiting for their confirmation
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       10 * time.Minute, // large uploads
		WriteTimeout:      10 * time.Minute, // large exports
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	warmCtx, stopWarm := context.WithCancel(ctx)
	defer stopWarm()
	go srv.Warm(warmCtx, 2*time.Second)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	writeMemProfile(env.Getenv) // KEXI_MEMPROFILE: what the server holds, before it lets go of it
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// newLogger writes structured logs to stderr: text by default, JSON with KEXI_LOG=json.
func newLogger(env *Env) *slog.Logger {
	if strings.EqualFold(envOr(env, "KEXI_LOG", "text"), "json") {
		return slog.New(slog.NewJSONHandler(env.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(env.Stderr, nil))
}

// displayAddr turns a listen address into one a browser can open: an unspecified host
// (0.0.0.0, ::) becomes 127.0.0.1.
func displayAddr(a string) string {
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return a
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
