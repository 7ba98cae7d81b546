package stats

import (
	"math"
	"testing"
)

// Rosenbrock's function (1−x)² + 100(y−x²)² has its minimum 0 at (1, 1); its Hessian there is
// [[2+1200x²−400y, −400x], [−400x, 200]] = [[802, −400], [−400, 200]].
func rosen(x, grad []float64) float64 {
	a, b := x[0], x[1]
	if grad != nil {
		grad[0] = -2*(1-a) - 400*a*(b-a*a)
		grad[1] = 200 * (b - a*a)
	}
	return (1-a)*(1-a) + 100*(b-a*a)*(b-a*a)
}

func TestMinimizeRosenbrock(t *testing.T) {
	m, err := Minimize(rosen, []float64{-1.2, 1}, 1e-10)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(m.X[0]-1) > 1e-6 || math.Abs(m.X[1]-1) > 1e-6 || m.F > 1e-12 {
		t.Errorf("minimum at %v (f=%g), want (1,1)", m.X, m.F)
	}
	h := Hessian(rosen, []float64{1, 1})
	want := [][]float64{{802, -400}, {-400, 200}}
	for i := range 2 {
		for j := range 2 {
			if math.Abs(h.At(i, j)-want[i][j]) > 1e-4 {
				t.Errorf("H[%d][%d] = %g, want %g", i, j, h.At(i, j), want[i][j])
			}
		}
	}
}

func TestMinimizeNumGrad(t *testing.T) {
	// (x−3)² + (y+2)²·4 + 7: minimum 7 at (3, −2).
	f := NumGrad(func(x []float64) float64 { return (x[0]-3)*(x[0]-3) + 4*(x[1]+2)*(x[1]+2) + 7 })
	m, err := Minimize(f, []float64{0, 0}, 1e-8)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(m.X[0]-3) > 1e-6 || math.Abs(m.X[1]+2) > 1e-6 || math.Abs(m.F-7) > 1e-12 {
		t.Errorf("minimum at %v (f=%g), want (3,-2) f=7", m.X, m.F)
	}
}

// A function that decreases towards a flat limit as x → −∞ (like a BG/NBD likelihood when a
// runs to 0 in log space) must stop with a finite point, not fail.
func TestMinimizeFlatBoundary(t *testing.T) {
	f := func(x, grad []float64) float64 {
		e := math.Exp(x[0])
		if grad != nil {
			grad[0] = e
			grad[1] = 2 * (x[1] - 1)
		}
		return e + (x[1]-1)*(x[1]-1)
	}
	m, err := Minimize(f, []float64{0, 0}, 1e-9)
	if err != nil {
		t.Fatal(err)
	}
	if math.IsNaN(m.X[0]) || math.Exp(m.X[0]) > 1e-8 || math.Abs(m.X[1]-1) > 1e-6 {
		t.Errorf("stopped at %v, want x0 → −∞ (e^x0 < 1e-8) and x1 = 1", m.X)
	}
}

// From (0.9, 0.8), near Rosenbrock's minimum, Newton must reach (1, 1) to 1e-8.
func TestNewton(t *testing.T) {
	m := Newton(rosen, []float64{0.9, 0.8}, 1e-10, 50)
	if math.Abs(m.X[0]-1) > 1e-8 || math.Abs(m.X[1]-1) > 1e-8 || m.Status != "GradientThreshold" {
		t.Errorf("Newton stopped at %v (%s), want (1,1)", m.X, m.Status)
	}
}
