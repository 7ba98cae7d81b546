package clv

import (
	"math"
	"math/rand/v2"
)

// SimOptions describes a simulated customer base: BG/NBD purchasing and Gamma-Gamma spend.
type SimOptions struct {
	Customers int
	Seed      uint64
	// Model parameters in weeks (BG/NBD r, α, a, b) and money (Gamma-Gamma p, q, γ). Zero
	// values mean the CDNOW fits: 0.2426, 4.4135, 0.7929, 2.4258 and 6.2488, 3.7446, 15.4477.
	R, Alpha, A, B float64
	P, Q, V        float64
	// Start is the first day on which customers are born, spread uniformly over BirthDays
	// (default 84, CDNOW's first quarter); End is the last day observed (default Start+545,
	// CDNOW's 1997-01-01..1998-06-30).
	Start, End int32
	BirthDays  int32
}

// Simulate generates purchases customer by customer (IDs 1..Customers, each in day order) and
// calls emit for each. A customer buys at birth, then at exponential intervals with a
// gamma(r, α) rate per week, and drops out after each repeat purchase with a beta(a, b)
// probability;
// each purchase's value is gamma(p, ν) with ν ~ gamma(q, γ). The same seed gives the same
// purchases.
func Simulate(o SimOptions, emit func(Purchase)) {
	if o.R == 0 {
		o.R, o.Alpha, o.A, o.B = 0.2426, 4.4135, 0.7929, 2.4258
	}
	if o.P == 0 {
		o.P, o.Q, o.V = 6.2488, 3.7446, 15.4477
	}
	if o.BirthDays == 0 {
		o.BirthDays = 84
	}
	if o.End == 0 {
		o.End = o.Start + 545
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x636c76))
	end := float64(o.End + 1)
	for id := 1; id <= o.Customers; id++ {
		lambda := gammaRand(rng, o.R) / o.Alpha // per week
		pDrop := betaRand(rng, o.A, o.B)
		nu := gammaRand(rng, o.Q) / o.V
		t := float64(o.Start) + rng.Float64()*float64(o.BirthDays)
		// The first purchase is at birth; the BG/NBD drops customers out only after repeat
		// purchases (that the x = 0 likelihood is (α/(α+T))^r says so).
		emit(Purchase{Customer: int64(id), Day: int32(t), Amount: spend(rng, o.P, nu)})
		for {
			t += rng.ExpFloat64() / lambda * 7
			if t >= end {
				break
			}
			emit(Purchase{Customer: int64(id), Day: int32(t), Amount: spend(rng, o.P, nu)})
			if rng.Float64() < pDrop {
				break
			}
		}
	}
}

func spend(rng *rand.Rand, p, nu float64) float64 {
	return math.Round(gammaRand(rng, p)/nu*100) / 100
}

// gammaRand returns a gamma(shape, 1) variate (Marsaglia & Tsang 2000; shape < 1 by
// boosting with U^(1/shape)).
func gammaRand(rng *rand.Rand, shape float64) float64 {
	if shape < 1 {
		return gammaRand(rng, shape+1) * math.Pow(rng.Float64(), 1/shape)
	}
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := rng.Float64()
		if math.Log(u) < 0.5*x*x+d-d*v+d*math.Log(v) {
			return d * v
		}
	}
}

func betaRand(rng *rand.Rand, a, b float64) float64 {
	x := gammaRand(rng, a)
	return x / (x + gammaRand(rng, b))
}
