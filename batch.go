package kexi

import (
	"slices"
)

// Dataset turns a Batch into a Dataset without a store, the way a store would after importing
// it into an empty database: records get IDs in batch order, references by external id are
// resolved (Order.Customer → CustomerID, …), customers named but absent become stubs, and the
// result is normalised. Records with the same external id are merged: the later one wins.
// It lets the CLI analyse CSV files straight away.
//
// The Dataset takes the batch's records over rather than copying them, and its orders go into
// its OrderTable: the batch must not be used afterwards.
func (b *Batch) Dataset() *Dataset {
	d := &Dataset{CustomFields: b.CustomFields}
	d.Customers = make([]Customer, 0, len(b.Customers))
	custIdx := make(map[string]int, len(b.Customers))
	addCustomer := func(c Customer) int {
		if c.ExternalID != "" {
			if i, ok := custIdx[c.ExternalID]; ok {
				id := d.Customers[i].ID
				d.Customers[i] = c
				d.Customers[i].ID = id
				return i
			}
		}
		c.ID = int64(len(d.Customers) + 1)
		d.Customers = append(d.Customers, c)
		if c.ExternalID != "" {
			custIdx[c.ExternalID] = len(d.Customers) - 1
		}
		return len(d.Customers) - 1
	}
	for _, c := range b.Customers {
		addCustomer(c)
	}
	// Orders name most of the stub customers: find them in one pass, then add them at once,
	// since a slice of large records grown one append at a time is copied over and over. A
	// customer's ID is its position + 1.
	var stubs []string
	for i := range b.Orders {
		o := &b.Orders[i]
		if o.CustomerID != 0 || o.Customer == "" {
			continue
		}
		ci, ok := custIdx[o.Customer]
		if !ok {
			ci = len(d.Customers) + len(stubs)
			custIdx[o.Customer] = ci
			stubs = append(stubs, o.Customer)
		}
		o.CustomerID = int64(ci + 1)
	}
	// The stubs are filled in place: appending a whole Customer copies all its 408 bytes (under
	// the garbage collector's write barrier while it runs) where four fields differ from zero.
	n := len(d.Customers)
	d.Customers = slices.Grow(d.Customers, len(stubs))[:n+len(stubs)]
	for i, ext := range stubs {
		c := &d.Customers[n+i]
		c.ID, c.ExternalID, c.Name, c.Stub = int64(n+i+1), ext, ext, true
	}
	customerID := func(ext string) int64 {
		if ext == "" {
			return 0
		}
		if i, ok := custIdx[ext]; ok {
			return d.Customers[i].ID
		}
		return d.Customers[addCustomer(Customer{ExternalID: ext, Name: ext, Stub: true})].ID
	}
	prodID := map[string]int64{}
	for i, p := range b.Products {
		p.ID = int64(i + 1)
		d.Products = append(d.Products, p)
		if p.ExternalID != "" {
			prodID[p.ExternalID] = p.ID
		}
	}
	campID := map[string]int64{}
	for i, c := range b.Campaigns {
		c.ID = int64(i + 1)
		d.Campaigns = append(d.Campaigns, c)
		if c.ExternalID != "" {
			campID[c.ExternalID] = c.ID
		}
	}
	for i := range b.Orders {
		o := &b.Orders[i]
		o.ID = int64(i + 1)
		for j := range o.Items {
			if it := &o.Items[j]; it.ProductID == 0 && it.SKU != "" {
				it.ProductID = prodID[it.SKU]
			}
		}
	}
	d.Orders = NewOrderTable(b.Orders...)
	b.Orders = nil // the table is what is kept: let the collector have the orders
	for i, x := range b.Interactions {
		x.ID = int64(i + 1)
		x.CustomerID = customerID(x.Customer)
		d.Interactions = append(d.Interactions, x)
	}
	for i, e := range b.Events {
		e.ID = int64(i + 1)
		e.CustomerID = customerID(e.Customer)
		d.Events = append(d.Events, e)
	}
	for i, s := range b.Surveys {
		s.ID = int64(i + 1)
		s.CustomerID = customerID(s.Customer)
		d.Surveys = append(d.Surveys, s)
	}
	leadIdx := map[string]int{}
	for _, l := range b.Leads {
		l.CustomerID = customerID(l.Customer)
		if i, ok := leadIdx[l.ExternalID]; ok && l.ExternalID != "" {
			d.Leads[i] = mergeLead(d.Leads[i], l)
			continue
		}
		l.ID = int64(len(d.Leads) + 1)
		d.Leads = append(d.Leads, l)
		leadIdx[l.ExternalID] = len(d.Leads) - 1
	}
	for i, r := range b.Responses {
		r.ID = int64(i + 1)
		r.CustomerID = customerID(r.Customer)
		if r.CampaignID == 0 && r.Campaign != "" {
			id, ok := campID[r.Campaign]
			if !ok {
				id = int64(len(d.Campaigns) + 1)
				d.Campaigns = append(d.Campaigns, Campaign{ID: id, ExternalID: r.Campaign, Name: r.Campaign})
				campID[r.Campaign] = id
			}
			r.CampaignID = id
		}
		d.Responses = append(d.Responses, r)
	}
	for i, c := range b.Competitors {
		c.ID = int64(i + 1)
		d.Competitors = append(d.Competitors, c)
	}
	for i, s := range b.SWOT {
		s.ID = int64(i + 1)
		d.SWOT = append(d.SWOT, s)
	}
	d.Normalize()
	return d
}

// mergeLead merges a later record of the same lead into an earlier one: non-empty fields of
// the later one win, and stage history is merged (a stage already present keeps its first
// date); the current stage is the latest entry.
func mergeLead(a, b Lead) Lead {
	id := a.ID
	stages := a.Stages
	for _, s := range b.Stages {
		found := false
		for _, t := range stages {
			if t.Stage == s.Stage {
				found = true
				break
			}
		}
		if !found {
			stages = append(stages, s)
		}
	}
	if b.Name != "" {
		a.Name = b.Name
	}
	if b.Company != "" {
		a.Company = b.Company
	}
	if b.Source != "" {
		a.Source = b.Source
	}
	if b.Campaign != "" {
		a.Campaign = b.Campaign
	}
	if b.Owner != "" {
		a.Owner = b.Owner
	}
	if b.LostReason != "" {
		a.LostReason = b.LostReason
	}
	if b.Value != 0 {
		a.Value = b.Value
	}
	if b.CustomerID != 0 {
		a.CustomerID, a.Customer = b.CustomerID, b.Customer
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = b.CreatedAt
	}
	for k, v := range b.Custom {
		if a.Custom == nil {
			a.Custom = map[string]string{}
		}
		a.Custom[k] = v
	}
	sortStages(stages)
	a.Stages = stages
	if len(stages) > 0 {
		a.Stage = stages[len(stages)-1].Stage
	} else if b.Stage != "" {
		a.Stage = b.Stage
	}
	a.ID = id
	return a
}

// sortStages orders stage entries by time (insertion sort: histories are short).
func sortStages(s []StageEntry) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j].EnteredAt.Before(s[j-1].EnteredAt); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
