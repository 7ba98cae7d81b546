package analysis

import (
	"runtime"
	"sync"
)

// Each calls fn for every analysis in list, on at most workers goroutines at once (GOMAXPROCS
// when workers < 1), and returns when every call has. Analyses are CPU-bound: more goroutines
// than cores finish no sooner and hold more working memory at once, which the garbage
// collector then scans. fn gets the analysis's position in list, so that callers can keep
// results in order.
func Each(list []Analysis, workers int, fn func(i int, a Analysis)) {
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, len(list)) {
		wg.Go(func() {
			for i := range next {
				fn(i, list[i])
			}
		})
	}
	for i := range list {
		next <- i
	}
	close(next)
	wg.Wait()
}
