package stats

import (
	"math"
	"testing"
)

// Known values: the first two have closed forms (₂F₁(1,1;2;z) = −ln(1−z)/z, so at z=½ it is
// 2 ln 2 = 1.3862943611…; ₂F₁(½,½;3/2;z) = arcsin(√z)/√z, at z=¼ it is (π/6)/(½) = π/3); the
// others were computed with mpmath.hyp2f1 at 30 digits.
var hypCases = []struct{ a, b, c, z, want, log float64 }{
	{1, 1, 2, 0.5, 1.3862943611198906188, 0.3266342599782809824},
	{0.5, 0.5, 1.5, 0.25, 1.0471975511965977462, 0.046117597181290482748},
	{2.5, 1.3, 3.5, 0.9, 6.0303669578359253672, 1.7968078642499899742},
	{3.2, 0.8, 4.2, 0.99, 5.7812832840982528898, 1.7546256795114529019},
	{10.7, 3.1, 11.7, 0.999, 10089366.879406390568, 16.12699264302773472},
	{1.5, 2.5, 2.0, 0.6, 5.7369068425897693585, 1.7469201874871588173},
	{2.2426, 4.4258, 4.2187, 0.5, 5.1604388637840083293, 1.6410216269977616914},
	{60, 55, 61, 0.95, 1.9903456895666026842e+70, 161.86926484658323363},
	{250, 200, 251, 0.97, 1.4080395811003139194e+303, 698.02548154611349744},
	{0.5, 0.3, 1.5, 0.9999, math.Exp(0.22460511572868800213), 0.22460511572868800213},
}

// TestHyp2F1Signed covers negative b or c and a negative value (mpmath, 30 digits), which the
// BG/NBD prediction reaches when a+b < 1.
func TestHyp2F1Signed(t *testing.T) {
	for _, c := range []struct{ a, b, c, z, want float64 }{
		{1.7, 0.4, 0.6, 0.7, 4.5756772916520145583},
		{2.3, 1.5, -0.5, 0.4, -60.309713704256665281},
		{0.25, -0.3, 3.1, 0.95, 0.97377214954538915676},
	} {
		got := Hyp2F1(c.a, c.b, c.c, c.z)
		if math.Abs(got-c.want) > 1e-9*math.Abs(c.want) {
			t.Errorf("Hyp2F1(%g,%g,%g,%g) = %.15g, want %.15g", c.a, c.b, c.c, c.z, got, c.want)
		}
	}
	if !math.IsNaN(Hyp2F1(1, 1, 2, 1)) || !math.IsNaN(Hyp2F1(1, 1, -2, 0.5)) {
		t.Error("Hyp2F1 outside its domain must be NaN")
	}
	if !math.IsNaN(LogHyp2F1(2.3, 1.5, -0.5, 0.4)) {
		t.Error("LogHyp2F1 of a negative value must be NaN")
	}
}

func TestHyp2F1(t *testing.T) {
	for _, c := range hypCases {
		got := Hyp2F1(c.a, c.b, c.c, c.z)
		if math.Abs(got-c.want) > 1e-9*math.Abs(c.want) {
			t.Errorf("Hyp2F1(%g,%g,%g,%g) = %.15g, want %.15g", c.a, c.b, c.c, c.z, got, c.want)
		}
		lg := LogHyp2F1(c.a, c.b, c.c, c.z)
		if math.Abs(lg-c.log) > 1e-9*math.Max(1, math.Abs(c.log)) {
			t.Errorf("LogHyp2F1(%g,%g,%g,%g) = %.15g, want %.15g", c.a, c.b, c.c, c.z, lg, c.log)
		}
	}
}

// TestLogHyp2F1Overflow checks a value beyond float64 (about 10^593): the direct form is
// +Inf and the Euler form must give the logarithm (mpmath: 1365.42949…).
func TestLogHyp2F1Overflow(t *testing.T) {
	const want = 1365.4294949644864175
	got := LogHyp2F1(400, 350, 401, 0.98)
	if math.Abs(got-want) > 1e-9*want {
		t.Errorf("LogHyp2F1(400,350,401,0.98) = %.15g, want %.15g", got, want)
	}
	if LogHyp2F1(1, 1, 2, 0) != 0 {
		t.Error("LogHyp2F1 at z=0 must be 0")
	}
}

func TestLogBetaAndLogAddExp(t *testing.T) {
	// B(2,3) = Γ(2)Γ(3)/Γ(5) = 1·2/24 = 1/12.
	if got, want := LogBeta(2, 3), math.Log(1.0/12); math.Abs(got-want) > 1e-14 {
		t.Errorf("LogBeta(2,3) = %g, want %g", got, want)
	}
	// log(e^1000 + e^1000) = 1000 + ln 2, which exp would overflow.
	if got, want := LogAddExp(1000, 1000), 1000+math.Ln2; math.Abs(got-want) > 1e-12 {
		t.Errorf("LogAddExp = %g, want %g", got, want)
	}
	if got := LogAddExp(math.Inf(-1), 3); got != 3 {
		t.Errorf("LogAddExp(-Inf,3) = %g", got)
	}
}
