package kexihttp

import (
	"context"
	"fmt"
	"strings"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
)

// figures returns the results the dashboard takes its optional figures from (figureSources;
// nil where there is none), and a cache key part naming the versions they were computed at.
// Each is the result on d when it is computed; while it is being computed after a write, the
// result of the version before, so that the dashboard shows the write at once and its at-risk
// and CLV figures follow when their analyses are done.
func (s *Server) figures(ctx context.Context, sc kexi.Scope, d *data) ([]*analysis.Result, string) {
	out := make([]*analysis.Result, len(s.figureSources))
	var key strings.Builder
	for i, src := range s.figureSources {
		a := s.byName[src.analysis]
		if a == nil || d.ds.Orders.Len() == 0 {
			continue
		}
		k, run := s.analysisRun(ctx, sc, a, analysis.Input{}, d)
		val, v, err := s.cache.recent(ctx, d.v, k, run)
		if err != nil {
			s.log.Warn("dashboard figure", "analysis", src.analysis, "err", err)
			continue
		}
		out[i] = val.(*analysis.Result)
		fmt.Fprintf(&key, " %s@%d", src.analysis, v)
	}
	return out, key.String()
}

// recent returns the value for key at version v when it is computed. While it is being
// computed, it returns the newest value computed at an earlier version, and that version,
// and leaves the computation to go on; without one, it waits.
func (c *cache) recent(ctx context.Context, v int64, key string, fn func(context.Context) (any, error)) (any, int64, error) {
	c.mu.Lock()
	e := c.entries[entryKey(v, key)]
	last, ok := c.last[key]
	c.mu.Unlock()
	if e != nil {
		select {
		case <-e.done:
			if e.err == nil {
				return e.val, v, nil
			}
		default:
		}
	}
	if ok && last.v < v {
		go c.keep(context.WithoutCancel(ctx), v, key, fn)
		return last.val, last.v, nil
	}
	val, err := c.keep(ctx, v, key, fn)
	return val, v, err
}

// keep is get that remembers the value as the newest of key for recent.
func (c *cache) keep(ctx context.Context, v int64, key string, fn func(context.Context) (any, error)) (any, error) {
	val, _, err := c.get(ctx, v, key, fn)
	if err == nil {
		c.mu.Lock()
		if last, ok := c.last[key]; !ok || last.v < v {
			c.last[key] = versioned{v, val}
		}
		c.mu.Unlock()
	}
	return val, err
}

// versioned is a value and the data version it was computed at.
type versioned struct {
	v   int64
	val any
}
