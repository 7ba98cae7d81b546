package stats

import (
	"fmt"
	"math"
	"testing"
)

func TestKMeansTiny(t *testing.T) {
	// Points on a line: 0, 1, 10, 11, k = 2. Any sensible run ends with {0,1} and {10,11},
	// centres 0.5 and 10.5, inertia 4 × 0.5² = 1.
	x := []float64{0, 1, 10, 11}
	c := KMeans(x, 1, 2, 5, 7)
	if c.Labels[0] != c.Labels[1] || c.Labels[2] != c.Labels[3] || c.Labels[0] == c.Labels[2] {
		t.Fatalf("labels %v, want {0,1} and {10,11}", c.Labels)
	}
	if math.Abs(c.Inertia-1) > 1e-12 {
		t.Errorf("inertia %v, want 1", c.Inertia)
	}
	lo, hi := c.Centers[c.Labels[0]], c.Centers[c.Labels[2]]
	if lo != 0.5 || hi != 10.5 {
		t.Errorf("centres %v %v, want 0.5 and 10.5", lo, hi)
	}
	// Same seed, same answer.
	d := KMeans(x, 1, 2, 5, 7)
	for i := range c.Labels {
		if c.Labels[i] != d.Labels[i] {
			t.Fatal("KMeans is not deterministic for a fixed seed")
		}
	}
	// k above n is clipped to n: every point its own cluster, inertia 0.
	if e := KMeans(x, 1, 9, 1, 1); e.K != 4 || e.Inertia != 0 {
		t.Errorf("k=9 on 4 points: K %d inertia %v, want 4 and 0", e.K, e.Inertia)
	}
}

func TestSilhouette(t *testing.T) {
	x := []float64{0, 1, 10, 11}
	// Point 0: a = 1, b = mean(10, 11) = 10.5 → 9.5/10.5. Point 1: a = 1, b = mean(9, 10) =
	// 9.5 → 8.5/9.5. Points 10 and 11 mirror them. Mean = (9.5/10.5 + 8.5/9.5) / 2.
	want := (9.5/10.5 + 8.5/9.5) / 2
	if got := Silhouette(x, 1, []int{0, 0, 1, 1}, 2, 0, 0); math.Abs(got-want) > 1e-12 {
		t.Errorf("silhouette %v, want %v", got, want)
	}
	// A point alone in its cluster scores 0: points 0, 1, 10 with {0,1} {10}.
	// Point 0: a = 1, b = 10 → 0.9; point 1: a = 1, b = 9 → 8/9; point 10: 0. Mean (0.9 + 8/9)/3.
	want = (0.9 + 8.0/9) / 3
	if got := Silhouette(x[:3], 1, []int{0, 0, 1}, 2, 0, 0); math.Abs(got-want) > 1e-12 {
		t.Errorf("silhouette with a singleton %v, want %v", got, want)
	}
	if got := Silhouette(x, 1, []int{0, 0, 0, 0}, 1, 0, 0); !math.IsNaN(got) {
		t.Errorf("one cluster: %v, want NaN", got)
	}
	// A sample of all points equals the exact value.
	if got := Silhouette(x, 1, []int{0, 0, 1, 1}, 2, 4, 3); math.Abs(got-(9.5/10.5+8.5/9.5)/2) > 1e-12 {
		t.Errorf("full sample %v", got)
	}
}

func TestLloyd(t *testing.T) {
	// From centres 0 and 5 on 0, 1, 10, 11: first assignment {0,1} {10,11} (5 is nearer to 1
	// than… 1 is 1 from 0 and 4 from 5), centres move to 0.5 and 10.5, then nothing changes.
	c := Lloyd([]float64{0, 1, 10, 11}, 1, []float64{0, 5})
	if c.Centers[0] != 0.5 || c.Centers[1] != 10.5 || c.Inertia != 1 {
		t.Errorf("centres %v inertia %v, want [0.5 10.5] and 1", c.Centers, c.Inertia)
	}
}

// TestMT19937 checks the generator against numpy: np.random.RandomState(0).random_sample() is
// 0.5488135039273248, and after np.random.seed(0) np.random.randint(10) is 5 (the first two
// 32-bit draws, 2357136044 and 2546248239, masked to 4 bits are 12 and 15, above 9); seed
// 5489 is the reference MT19937, whose first output is 3499211612.
func TestMT19937(t *testing.T) {
	if v := newMT19937(0).float64(); v != 0.5488135039273248 {
		t.Errorf("RandomState(0).random_sample() = %v, want 0.5488135039273248", v)
	}
	if v := newMT19937(0).intN(10); v != 5 {
		t.Errorf("RandomState(0).randint(10) = %d, want 5", v)
	}
	m := newMT19937(5489)
	if v := m.uint32(); v != 3499211612 {
		t.Errorf("MT19937(5489) first output %d, want 3499211612", v)
	}
	// The 10,000th output of the reference MT19937 (C++ std::mt19937) is 4123659995: the
	// state is regenerated 16 times on the way.
	for range 9998 {
		m.uint32()
	}
	if v := m.uint32(); v != 4123659995 {
		t.Errorf("MT19937(5489) 10,000th output %d, want 4123659995", v)
	}
}

// TestRelocateEmpty: a cluster left empty takes the point farthest from the centre it was
// assigned to, out of that point's cluster (scikit-learn's relocation, on the sums before they
// become means). Points 0, 1, 2, 10 from centres 100, 200 and 1 all go to the third centre;
// measured from it (1), 10 is farthest (81) and goes to the first cluster, then 0 (1, tied
// with 2; the first) to the second; the third keeps {1, 2}, centre 1.5. Nothing changes after:
// labels 1, 2, 2, 0 and inertia 0.5.
func TestRelocateEmpty(t *testing.T) {
	c := Lloyd([]float64{0, 1, 2, 10}, 1, []float64{100, 200, 1})
	if fmt.Sprint(c.Labels) != "[1 2 2 0]" || fmt.Sprint(c.Centers) != "[10 0 1.5]" || c.Inertia != 0.5 {
		t.Errorf("labels %v centres %v inertia %v, want [1 2 2 0], [10 0 1.5] and 0.5", c.Labels, c.Centers, c.Inertia)
	}
}
