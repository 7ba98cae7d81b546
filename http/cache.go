package kexihttp

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
)

// cache keeps what is expensive to recompute: the Dataset of each scope (refresh.go keeps it
// current) and the results computed on it, per (data version, scope, analysis, options).
// Results of a version no scope's Dataset is at any more are dropped. Concurrent requests for
// the same key wait for one computation.
type cache struct {
	mu      sync.Mutex
	entries map[string]*entry      // by version and key (entryKey)
	sets    map[kexi.Scope]*scoped // the Dataset of each scope
	last    map[string]versioned   // the newest value of each key recent was asked for
}

// entry is one cached value; done closes when val and err are set.
type entry struct {
	v    int64 // the data version it was computed at
	done chan struct{}
	val  any
	err  error
	took time.Duration
}

// maxEntries bounds the cache; past it, the entries of older versions are dropped, and then
// all.
const maxEntries = 2000

func newCache() *cache {
	return &cache{entries: map[string]*entry{}, sets: map[kexi.Scope]*scoped{}, last: map[string]versioned{}}
}

func entryKey(v int64, key string) string { return strconv.FormatInt(v, 10) + " " + key }

// get returns the value for key at data version v, computing it with fn once. fn runs with a
// context that is not cancelled when the first caller goes away, so a computed value is kept
// for the next. Errors are not kept.
func (c *cache) get(ctx context.Context, v int64, key string, fn func(context.Context) (any, error)) (any, time.Duration, error) {
	k := entryKey(v, key)
	c.mu.Lock()
	if len(c.entries) > maxEntries {
		c.forgetLocked(v)
		if len(c.entries) > maxEntries {
			c.entries = map[string]*entry{}
		}
	}
	e, ok := c.entries[k]
	if !ok {
		e = &entry{v: v, done: make(chan struct{})}
		c.entries[k] = e
		go func() {
			start := time.Now()
			e.val, e.err = fn(context.WithoutCancel(ctx))
			e.took = time.Since(start)
			if e.err != nil {
				c.mu.Lock()
				if c.entries[k] == e {
					delete(c.entries, k)
				}
				c.mu.Unlock()
			}
			close(e.done)
		}()
	}
	c.mu.Unlock()
	select {
	case <-e.done:
		return e.val, e.took, e.err
	case <-ctx.Done():
		return nil, 0, ctx.Err()
	}
}

// forgetLocked drops the entries computed before version v. c.mu is held.
func (c *cache) forgetLocked(v int64) {
	for k, e := range c.entries {
		if e.v < v {
			delete(c.entries, k)
		}
	}
}

// scopeKey is a cache key part for a scope.
func scopeKey(sc kexi.Scope) string { return fmt.Sprintf("o=%q r=%q", sc.Owner, sc.Region) }

// optionsKey is a cache key part for options: sorted key=value pairs.
func optionsKey(opts map[string]string) string {
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%q=%q;", k, opts[k])
	}
	return b.String()
}

// data is a loaded Dataset with what the pages look up in it, at data version v. It does not
// change: a newer version is a new data.
type data struct {
	ds    *kexi.Dataset
	index map[int64]int // customer id → position in ds.Customers
	v     int64
	parts kexi.Parts // the parts ds holds (refresh.go)
}

// dataset returns the Dataset for the scope with at least the parts p (and the dashboard's,
// Server.base), at the current version, or at an older one (its v) while the Dataset is
// reloaded in the background (refresh.go).
func (s *Server) dataset(ctx context.Context, sc kexi.Scope, p kexi.Parts) (*data, error) {
	v, err := s.st.DataVersion(ctx)
	if err != nil {
		return nil, fmt.Errorf("data version: %w", err)
	}
	return s.datasetAt(ctx, v, sc, p)
}

// Warm keeps the cache ready for the next page: every interval it reads the data version and,
// when it changed, refreshes the unrestricted Dataset and computes the dashboard and every
// analysis with its default options. While the Dataset is reloaded in the background, it
// tries again at the next interval. It returns when ctx ends.
func (s *Server) Warm(ctx context.Context, every time.Duration) {
	last := int64(-1)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		if v, err := s.st.DataVersion(ctx); err == nil && v != last {
			start := time.Now()
			if got := s.warm(ctx, v); got >= v {
				last = v
			}
			if ctx.Err() == nil {
				s.log.Info("cache warmed", "version", v, "ms", time.Since(start).Milliseconds())
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// warm computes the dashboard and the default analyses for the unrestricted scope and for
// every scope a page asked for in the last day (each sales user, each region). It returns the
// version of the unrestricted Dataset it warmed (-1 when it could not).
func (s *Server) warm(ctx context.Context, v int64) int64 {
	warmed := int64(-1)
	scopes := []kexi.Scope{{}}
	s.scopesMu.Lock()
	for sc, at := range s.scopes {
		if sc.Restricted() && time.Since(at) < 24*time.Hour {
			scopes = append(scopes, sc)
		}
	}
	s.scopesMu.Unlock()
	for _, sc := range scopes {
		// The dashboard first, on the parts it reads: the first page after sign-in waits for
		// these alone; then the parts of every analysis.
		d, err := s.datasetAt(ctx, v, sc, 0)
		if err != nil {
			s.log.Warn("warm dataset", "err", err)
			return warmed
		}
		if !sc.Restricted() {
			warmed = d.v
		}
		if pc, err := s.periodFor(ctx, url.Values{}, dashboardPeriod, false, sc); err != nil {
			s.log.Warn("warm dashboard", "err", err)
		} else if _, err := s.dashboard(ctx, sc, pc); err != nil {
			s.log.Warn("warm dashboard", "err", err)
		}
		if d, err = s.datasetAt(ctx, v, sc, analysis.Parts(s.analyses...)); err != nil {
			s.log.Warn("warm dataset", "err", err)
			return warmed
		}
		analysis.Each(s.analyses, 0, func(_ int, a analysis.Analysis) {
			if ctx.Err() != nil {
				return
			}
			if _, _, err := s.runAnalysis(ctx, sc, a, analysis.Input{Options: map[string]string{}}, d); err != nil &&
				kexi.ErrorCode(err) == kexi.EINTERNAL && ctx.Err() == nil {
				s.log.Warn("warm analysis", "analysis", a.Info().Name, "err", err)
			}
		})
		if ctx.Err() != nil {
			return warmed
		}
	}
	return warmed
}
