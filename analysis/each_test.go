package analysis

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

type named string

func (n named) Info() Info                                  { return Info{Name: string(n)} }
func (n named) Run(context.Context, Input) (*Result, error) { return nil, nil }

func TestEach(t *testing.T) {
	var list []Analysis
	for i := range 17 {
		list = append(list, named(fmt.Sprint("a", i)))
	}
	for _, workers := range []int{0, 1, 2, 100} {
		calls := make([]atomic.Int32, len(list))
		var running, most atomic.Int32
		Each(list, workers, func(i int, a Analysis) {
			n := running.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			if a != list[i] {
				t.Errorf("call %d got analysis %s, want %s", i, a.Info().Name, list[i].Info().Name)
			}
			time.Sleep(2 * time.Millisecond) // long enough for unbounded calls to overlap
			calls[i].Add(1)
			running.Add(-1)
		})
		for i := range calls {
			if n := calls[i].Load(); n != 1 {
				t.Errorf("workers %d: analysis %d called %d times", workers, i, n)
			}
		}
		limit := workers
		if workers < 1 {
			limit = runtime.GOMAXPROCS(0)
		}
		if got := int(most.Load()); got > limit || (limit >= len(list) && got < 2) {
			t.Errorf("workers %d: at most %d calls at once", workers, got)
		}
	}
	Each(nil, 0, func(int, Analysis) { t.Error("called for an empty list") })
}
