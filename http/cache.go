package kexihttp

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
)

// cache keeps what is expensive to recompute for one data version: the Dataset per scope and
// analysis results per (scope, analysis, options). When the store's DataVersion changes,
// everything is dropped. Concurrent requests for the same key wait for one computation.
type cache struct {
	mu      sync.Mutex
	version int64
	entries map[string]*entry
}

// entry is one cached value; done closes when val and err are set.
type entry struct {
	done chan struct{}
	val  any
	err  error
	took time.Duration
}

// maxEntries bounds the cache; past it, the oldest version's entries are all dropped.
const maxEntries = 2000

func newCache() *cache { return &cache{entries: map[string]*entry{}} }

// get returns the value for key at data version v, computing it with fn once. fn runs with a
// context that is not cancelled when the first caller goes away, so a computed value is kept
// for the next. Errors are not kept.
func (c *cache) get(ctx context.Context, v int64, key string, fn func(context.Context) (any, error)) (any, time.Duration, error) {
	c.mu.Lock()
	if v != c.version {
		c.version = v
		c.entries = map[string]*entry{}
	}
	if len(c.entries) > maxEntries {
		c.entries = map[string]*entry{}
	}
	e, ok := c.entries[key]
	if !ok {
		e = &entry{done: make(chan struct{})}
		c.entries[key] = e
		go func() {
			start := time.Now()
			e.val, e.err = fn(context.WithoutCancel(ctx))
			e.took = time.Since(start)
			if e.err != nil {
				c.mu.Lock()
				if c.entries[key] == e {
					delete(c.entries, key)
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

// data is a loaded Dataset with what the pages look up in it.
type data struct {
	ds    *kexi.Dataset
	index map[int64]int // customer id → position in ds.Customers
}

// dataset returns the Dataset for the scope at the current data version, and the version.
func (s *Server) dataset(ctx context.Context, sc kexi.Scope) (*data, int64, error) {
	v, err := s.st.DataVersion(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("data version: %w", err)
	}
	d, err := s.datasetAt(ctx, v, sc)
	return d, v, err
}

func (s *Server) datasetAt(ctx context.Context, v int64, sc kexi.Scope) (*data, error) {
	s.scopesMu.Lock()
	s.scopes[sc] = time.Now()
	s.scopesMu.Unlock()
	val, _, err := s.cache.get(ctx, v, "dataset "+scopeKey(sc), func(ctx context.Context) (any, error) {
		ds, err := s.st.LoadDataset(ctx, sc, kexi.AllParts)
		if err != nil {
			return nil, fmt.Errorf("load dataset: %w", err)
		}
		return &data{ds: ds, index: ds.CustomerIndex()}, nil
	})
	if err != nil {
		return nil, err
	}
	return val.(*data), nil
}

// Warm keeps the cache ready for the next page: every interval it reads the data version and,
// when it changed, loads the unrestricted Dataset and computes the dashboard and every
// analysis with its default options. It returns when ctx ends.
func (s *Server) Warm(ctx context.Context, every time.Duration) {
	last := int64(-1)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		if v, err := s.st.DataVersion(ctx); err == nil && v != last {
			last = v
			start := time.Now()
			s.warm(ctx, v)
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
// every scope a page asked for in the last day (each sales user, each region).
func (s *Server) warm(ctx context.Context, v int64) {
	scopes := []kexi.Scope{{}}
	s.scopesMu.Lock()
	for sc, at := range s.scopes {
		if sc.Restricted() && time.Since(at) < 24*time.Hour {
			scopes = append(scopes, sc)
		}
	}
	s.scopesMu.Unlock()
	for _, sc := range scopes {
		d, err := s.datasetAt(ctx, v, sc)
		if err != nil {
			s.log.Warn("warm dataset", "err", err)
			return
		}
		if pc, err := s.periodFor(ctx, url.Values{}, dashboardPeriod, false, sc); err != nil {
			s.log.Warn("warm dashboard", "err", err)
		} else if _, err := s.dashboard(ctx, sc, pc); err != nil {
			s.log.Warn("warm dashboard", "err", err)
		}
		analysis.Each(s.analyses, 0, func(_ int, a analysis.Analysis) {
			if ctx.Err() != nil {
				return
			}
			if _, _, err := s.runAnalysis(ctx, v, sc, a, analysis.Input{Options: map[string]string{}}, d); err != nil &&
				kexi.ErrorCode(err) == kexi.EINTERNAL && ctx.Err() == nil {
				s.log.Warn("warm analysis", "analysis", a.Info().Name, "err", err)
			}
		})
		if ctx.Err() != nil {
			return
		}
	}
}
