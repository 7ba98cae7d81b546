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
//
// The Dataset held has only the parts the pages asked for so far (kexi.Parts): each page asks
// for what its analyses read (analysis.Parts) and the dashboard's parts (Server.base), which
// every Dataset held has. The first load reads those of the first page; a page that needs a
// part not held waits while it is read (widen) and added to the Dataset held, which keeps the
// parts it had. So the first dashboard waits for the orders, customers, surveys and leads, not
// for the order lines, events and interactions that only other analyses read. Splices and
// reloads keep to the parts held.
//
// A refresh and a widening may run at once (a write must not wait for a part being read), as
// may a background reload. A widening adds its parts to whatever Dataset is held when it ends;
// a refresh keeps its result only when the Dataset it started from is still the one held (else
// the page refreshes again, from the one held).

// scoped is the Dataset of one scope and the work under way on it; the cache's mu guards it.
type scoped struct {
	cur        *data         // the Dataset held; nil until the first load is in
	first      chan struct{} // closes when the first load ends (cur set, or err)
	err        error         // why the first load failed
	refreshing *work         // the refresh under way, or nil
	widening   *work         // the widening under way, or nil
	reload     bool          // a full reload runs in the background
}

// work is a refresh or a widening of a scope's Dataset; done closes when it ends. A widening
// sets err when its load failed, and v to the version it read at.
type work struct {
	done chan struct{}
	err  error
	v    int64
}

// datasetAt returns the scope's Dataset, with at least the parts p and the server's base parts,
// at version v or later; while a reload runs in the background, the one held.
func (s *Server) datasetAt(ctx context.Context, v int64, sc kexi.Scope, p kexi.Parts) (*data, error) {
	p |= s.base
	s.scopesMu.Lock()
	s.scopes[sc] = time.Now()
	s.scopesMu.Unlock()
	c := s.cache
	c.mu.Lock()
	sd := c.sets[sc]
	if sd == nil {
		sd = &scoped{first: make(chan struct{})}
		c.sets[sc] = sd
		go s.firstLoad(context.WithoutCancel(ctx), sc, sd, p)
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
		widen := !cur.parts.Has(p)
		if !widen && (cur.v >= v || sd.reload) {
			c.mu.Unlock()
			return cur, nil
		}
		var j *work
		switch {
		case widen && sd.widening != nil:
			j = sd.widening
		case widen:
			j = &work{done: make(chan struct{})}
			sd.widening = j
			go s.widen(context.WithoutCancel(ctx), sc, sd, p)
		case sd.refreshing != nil:
			j = sd.refreshing
		default:
			j = &work{done: make(chan struct{})}
			sd.refreshing = j
			go s.refresh(context.WithoutCancel(ctx), sc, sd, cur)
		}
		c.mu.Unlock()
		select {
		case <-j.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if widen && j.err != nil {
			return nil, j.err
		}
		// The parts added were read at j.v, maybe after the version of the others: the page
		// takes the Dataset once all are at j.v at least.
		v = max(v, j.v)
	}
}

// firstLoad loads the parts p of the scope's Dataset for the first time. On failure the scope
// is forgotten, so that the next page tries again.
func (s *Server) firstLoad(ctx context.Context, sc kexi.Scope, sd *scoped, p kexi.Parts) {
	d, err := s.load(ctx, sc, p)
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

// load reads the parts p of the scope's Dataset. It is labelled with the version read before
// the load: the load may hold later writes too, which the next refresh reads again (a refresh
// replaces the records of each customer it names, so reading one twice changes nothing).
func (s *Server) load(ctx context.Context, sc kexi.Scope, p kexi.Parts) (*data, error) {
	v, err := s.st.DataVersion(ctx)
	if err != nil {
		return nil, fmt.Errorf("data version: %w", err)
	}
	ds, err := s.st.LoadDataset(ctx, sc, p)
	if err != nil {
		return nil, fmt.Errorf("load dataset: %w", err)
	}
	return &data{ds: ds, index: ds.CustomerIndex(), v: v, parts: p}, nil
}

// orderParts are the parts that are columns of the order table: adding one reads the orders
// again, with the columns they had.
const orderParts = kexi.PartOrders | kexi.PartOrderDetails | kexi.PartLines

// campaignParts are added together: a load names the campaign of each response only with the
// campaigns.
const campaignParts = kexi.PartCampaigns | kexi.PartResponses

// widen adds to the scope's Dataset the parts of p it lacks, read now, and ends sd.widening. The
// Dataset it makes is labelled with the older of the two versions (the one held, the one
// read), so that the next refresh reads again what changed after it, in every part; the page
// waits for that refresh when the parts read are newer (datasetAt). When what changed in
// between cannot be spliced (an import), every part is read again as one new Dataset instead:
// that refresh would reload in the background and leave the pages on a Dataset mixing two
// versions until it ends.
func (s *Server) widen(ctx context.Context, sc kexi.Scope, sd *scoped, p kexi.Parts) {
	c := s.cache
	c.mu.Lock()
	held := sd.cur.parts
	c.mu.Unlock()
	add := p &^ held
	if add&orderParts != 0 {
		add |= (held | p) & orderParts
	}
	if add&campaignParts != 0 {
		add |= campaignParts
	}
	start := time.Now()
	var d *data
	var err error
	whole := false
	for {
		load := add
		if whole {
			load = held | add
		}
		d, err = s.load(ctx, sc, load)
		c.mu.Lock()
		if err != nil || whole || d.v == sd.cur.v {
			break // with c.mu held
		}
		// The data moved since the Dataset held was read. When the changes can be told customer
		// by customer, the page's refresh splices them into every part, the ones read here too.
		// When they cannot (an import, perhaps through another server), that refresh reloads in
		// the background and the pages would be served the Dataset as it is meanwhile: the
		// import's orders read here beside the customers from before it. Then read every part
		// again, as one Dataset.
		since := sd.cur.v
		c.mu.Unlock()
		ch, cerr := s.st.Changes(ctx, since)
		c.mu.Lock()
		if cerr == nil && !ch.Everything {
			break // with c.mu held
		}
		held = sd.cur.parts
		c.mu.Unlock()
		whole = true
	}
	defer c.mu.Unlock()
	j := sd.widening
	sd.widening = nil
	defer close(j.done)
	if err != nil {
		j.err = err
		return
	}
	if whole {
		sd.cur = d
		c.forgetLocked(c.oldestLocked())
		j.v = d.v
		s.log.Info("dataset reloaded to widen it", "parts", fmt.Sprintf("%#x", uint32(add)), "version", d.v, "ms", time.Since(start).Milliseconds())
		return
	}
	// A refresh may have landed meanwhile, with the parts held when this began, or a background
	// reload, with those held when it began (at most those): the orders read here have every
	// column of their orders.
	cur := sd.cur
	next := &data{ds: withParts(cur.ds, d.ds, add), index: cur.index, v: min(cur.v, d.v), parts: cur.parts | add}
	if add.Has(kexi.PartCustomers) {
		next.index = next.ds.CustomerIndex()
	}
	sd.cur = next
	j.v = d.v
	s.log.Info("dataset widened", "parts", fmt.Sprintf("%#x", uint32(add)), "version", d.v, "ms", time.Since(start).Milliseconds())
}

// withParts returns d with the parts p taken from e (a Dataset of those parts, used up), the
// others shared with d. The records taken name their customer by external id from d's
// customers, as a load with the customers names them (one without leaves the names out).
func withParts(d, e *kexi.Dataset, p kexi.Parts) *kexi.Dataset {
	if !p.Has(kexi.PartCustomers) {
		d.NameCustomers(e)
	}
	out := *d
	out.CustomFields = e.CustomFields // read last
	if p&orderParts != 0 {
		out.Orders = e.Orders
	}
	if p.Has(kexi.PartCustomers) {
		out.Customers, out.Keys = e.Customers, e.Keys
	}
	if p.Has(kexi.PartProducts) {
		out.Products = e.Products
	}
	if p.Has(kexi.PartInteractions) {
		out.Interactions = e.Interactions
	}
	if p.Has(kexi.PartEvents) {
		out.Events = e.Events
	}
	if p.Has(kexi.PartSurveys) {
		out.Surveys = e.Surveys
	}
	if p.Has(kexi.PartLeads) {
		out.Leads = e.Leads
	}
	if p.Has(kexi.PartCampaigns) {
		out.Campaigns = e.Campaigns
	}
	if p.Has(kexi.PartResponses) {
		out.Responses = e.Responses
	}
	if p.Has(kexi.PartCompetitors) {
		out.Competitors, out.SWOT = e.Competitors, e.SWOT
	}
	return &out
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
	close(sd.refreshing.done)
	sd.refreshing = nil
	switch {
	case sd.cur != cur:
		// A widening or a reload landed meanwhile: the page refreshes again from it.
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
			return &data{ds: cur.ds, index: cur.index, v: ch.Version, parts: cur.parts}, nil
		}
		fresh, err := s.st.LoadChanged(ctx, sc, cur.parts, ch)
		if kexi.ErrorCode(err) == kexi.ECONFLICT {
			continue
		}
		if err != nil {
			return nil, err
		}
		ds := cur.ds.Splice(cur.parts, ch, fresh)
		return &data{ds: ds, index: ds.CustomerIndex(), v: ch.Version, parts: cur.parts}, nil
	}
	return nil, nil
}

// reloadLocked starts a reload of the scope's Dataset, of the parts held, in the background,
// unless one runs. c.mu is held.
func (s *Server) reloadLocked(ctx context.Context, sc kexi.Scope, sd *scoped) {
	if sd.reload {
		return
	}
	sd.reload = true
	p := sd.cur.parts
	go func() {
		start := time.Now()
		d, err := s.load(ctx, sc, p)
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
