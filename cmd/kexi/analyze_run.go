package main

import (
	"context"
	"math/bits"
	"slices"
	"sync"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
)

// runEach runs the analyses as on the Dataset data (analysis.Run), as many at once as there are cores, and
// calls done for each as it ends (from the goroutine that ran it), with the Dataset it ran on.
// input gives analysis i its Input, but for its Data; summaries, when not nil, the summary
// (kexi.Dataset.Summary) it runs on, loaded in place of the orders. The caller should hold no other
// reference to data, so that its parts can go.
//
// Memory: each analysis runs on a Dataset of only the parts it reads (Dataset.Only; the
// analyses declare them, and TestReads checks that they give the same result so), and once
// every analysis that reads a part has started, the part is let go here: it is freed when
// the last of them ends. The analyses start rarest part first (behaviour, the one reader of
// the web events, the largest part after the orders, goes first), so that a part is not held
// for the whole run because one of its few readers comes last. With all 19 analyses at 100k
// customers this keeps the events, leads, products and campaigns out of the second half of
// the run. The order the analyses run in changes nothing in what they give.
func runEach(ctx context.Context, as []analysis.Analysis, data *kexi.Dataset, summaries []*kexi.Summary,
	input func(i int) analysis.Input, done func(i int, r *analysis.Result, d *kexi.Dataset, err error)) {
	if len(as) == 1 {
		in := input(0)
		in.Data = data
		if summaries != nil {
			data.Summary = summaries[0]
		}
		r, err := analysis.Run(ctx, as[0], in)
		done(0, r, data, err)
		return
	}
	// An analysis that reads the orders gets their details too, as a load of them all gives
	// them: leaving them out of a table makes a copy of it (Dataset.Only).
	parts := make([]kexi.Parts, len(as))
	for i, a := range as {
		parts[i] = analysis.Parts(a)
		if parts[i].Has(kexi.PartOrders) {
			parts[i] |= kexi.PartOrderDetails
		}
	}
	order := startOrder(parts)
	list := make([]analysis.Analysis, len(as))
	for k, i := range order {
		list[k] = as[i]
	}
	// The workers take the analyses in order but may come to the lock in another: what is
	// still needed is what the analyses that have not taken their Dataset yet read.
	var mu sync.Mutex
	started := make([]bool, len(as))
	analysis.Each(list, 0, func(k int, a analysis.Analysis) {
		i := order[k]
		mu.Lock()
		view := data.Only(parts[i])
		if summaries != nil {
			view.Summary = summaries[i]
		}
		started[i] = true
		var rest kexi.Parts
		for j, p := range parts {
			if !started[j] {
				rest |= p
			}
		}
		data = data.Only(rest)
		mu.Unlock()
		ain := input(i)
		ain.Data = view
		r, err := analysis.Run(ctx, a, ain)
		done(i, r, view, err)
	})
}

// startOrder returns the positions of the analyses that read parts, in the order to start
// them: first those whose rarest part (the one the fewest of them read) is rarer, ties in the
// order given.
func startOrder(parts []kexi.Parts) []int {
	var readers [32]int
	for _, p := range parts {
		for q := uint32(p); q != 0; q &= q - 1 {
			readers[bits.TrailingZeros32(q)]++
		}
	}
	rarest := make([]int, len(parts))
	for i, p := range parts {
		rarest[i] = len(parts) + 1
		for q := uint32(p); q != 0; q &= q - 1 {
			rarest[i] = min(rarest[i], readers[bits.TrailingZeros32(q)])
		}
	}
	order := make([]int, len(parts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return rarest[a] - rarest[b] })
	return order
}
