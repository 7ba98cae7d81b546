package kexihttp

import (
	"context"
	"fmt"
	"time"

	"github.com/kexi/kexi"
)

// The server holds one Dataset per scope and keeps it current without reloading it: when a
// page needs a newer version than the one held, the store tells what changed since
// (kexi.Changer). When that is some customers and parts, their records are read and spliced
// into a copy of the Dataset (kexi.Dataset.Splice), which the page waits for: a write shows on
// the next page. When it is everything (an import), the Dataset is reloaded in the background
// and the pages keep the one held, with its results, until the new one is in. Only the very
// first load of a scope is waited for.

// scoped is the Dataset of one scope and the work under way on it; the cache's mu guards it.
type scoped struct {
	cur    *data         // the Dataset held; nil until the first load is in
	first  chan struct{} // closes when the first load ends (cur set, or err)
	err    error         // why the first load failed
	splice chan struct{} // while a refresh runs: closes when it ends
	reload bool          // a full reload runs in the background
}

// datasetAt returns the scope's Dataset at version v or later; while a reload runs in the
// background, the one held.
func (s *Server) datasetAt(ctx context.Context, v int64, sc kexi.Scope) (*data, error) {
	s.scopesMu.Lock()
	s.scopes[sc] = time.Now()
	s.scopesMu.Unlock()
	c := s.cache
	c.mu.Lock()
	sd := c.sets[sc]
	if sd == nil {
		sd = &scoped{first: make(chan struct{})}
		c.sets[sc] = sd
		go s.firstLoad(context.WithoutCancel(ctx), sc, sd)
	}
	c.mu.Unlock()
	select {
	case <-sd.first:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if sd.err != nil {
		return nil, sd.err
	}
	for {
		c.mu.Lock()
		cur := sd.cur
		if cur.v >= v || sd.reload {
			c.mu.Unlock()
			return cur, nil
		}
		if sd.splice == nil {
			sd.splice = make(chan struct{})
			go s.refresh(context.WithoutCancel(ctx), sc, sd, cur)
		}
		wait := sd.splice
		c.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// firstLoad loads the scope's Dataset for the first time. On failure the scope is forgotten,
// so that the next page tries again.
func (s *Server) firstLoad(ctx context.Context, sc kexi.Scope, sd *scoped) {
	d, err := s.load(ctx, sc)
	c := s.cache
	c.mu.Lock()
	if err != nil {
		sd.err = err
		delete(c.sets, sc)
	} else {
		sd.cur = d
	}
	c.mu.Unlock()
	close(sd.first)
}

// load reads the scope's whole Dataset. It is labelled with the version read before the load:
// the load may hold later writes too, which the next refresh reads again (a refresh replaces
// the records of each customer it names, so reading one twice changes nothing).
func (s *Server) load(ctx context.Context, sc kexi.Scope) (*data, error) {
	v, err := s.st.DataVersion(ctx)
	if err != nil {
		return nil, fmt.Errorf("data version: %w", err)
	}
	ds, err := s.st.LoadDataset(ctx, sc, kexi.AllParts)
	if err != nil {
		return nil, fmt.Errorf("load dataset: %w", err)
	}
	return &data{ds: ds, index: ds.CustomerIndex(), v: v}, nil
}

// maxTries is how many times a refresh reads the changes again when a write came in while it
// read the records; then it reloads in the background.
const maxTries = 3

// refresh brings the scope's Dataset from cur to the current version: spliced when the store
// can tell what changed, else reloaded in the background.
func (s *Server) refresh(ctx context.Context, sc kexi.Scope, sd *scoped, cur *data) {
	start := time.Now()
	next, err := s.splice(ctx, sc, cur)
	c := s.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	close(sd.splice)
	sd.splice = nil
	switch {
	case err != nil:
		s.log.Warn("refresh dataset", "err", err)
		s.reloadLocked(ctx, sc, sd)
	case next == nil:
		s.reloadLocked(ctx, sc, sd)
	default:
		sd.cur = next
		c.forgetLocked(c.oldestLocked())
		s.log.Info("dataset refreshed", "from", cur.v, "to", next.v, "ms", time.Since(start).Milliseconds())
	}
}

// splice returns cur brought to the current version with the records that changed; nil when
// it cannot be (everything changed, or writes kept coming while it read).
func (s *Server) splice(ctx context.Context, sc kexi.Scope, cur *data) (*data, error) {
	for range maxTries {
		ch, err := s.st.Changes(ctx, cur.v)
		if err != nil {
			return nil, err
		}
		switch {
		case ch.Everything:
			return nil, nil
		case ch.Version <= cur.v:
			return cur, nil
		case ch.None():
			return &data{ds: cur.ds, index: cur.index, v: ch.Version}, nil
		}
		fresh, err := s.st.LoadChanged(ctx, sc, kexi.AllParts, ch)
		if kexi.ErrorCode(err) == kexi.ECONFLICT {
			continue
		}
		if err != nil {
			return nil, err
		}
		ds := cur.ds.Splice(kexi.AllParts, ch, fresh)
		return &data{ds: ds, index: ds.CustomerIndex(), v: ch.Version}, nil
	}
	return nil, nil
}

// reloadLocked starts a reload of the scope's Dataset in the background, unless one runs.
// c.mu is held.
func (s *Server) reloadLocked(ctx context.Context, sc kexi.Scope, sd *scoped) {
	if sd.reload {
		return
	}
	sd.reload = true
	go func() {
		start := time.Now()
		d, err := s.load(ctx, sc)
		c := s.cache
		c.mu.Lock()
		defer c.mu.Unlock()
		sd.reload = false
		if err != nil {
			s.log.Warn("reload dataset", "err", err)
			return
		}
		if d.v > sd.cur.v {
			sd.cur = d
			c.forgetLocked(c.oldestLocked())
		}
		s.log.Info("dataset reloaded", "version", d.v, "ms", time.Since(start).Milliseconds())
	}()
}

// oldestLocked is the oldest version of the Datasets held: results of older versions are of
// no use. c.mu is held.
func (c *cache) oldestLocked() int64 {
	oldest := int64(-1)
	for _, sd := range c.sets {
		if sd.cur != nil && (oldest < 0 || sd.cur.v < oldest) {
			oldest = sd.cur.v
		}
	}
	return oldest
}
