package quality_test

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis/quality"
)

// The patterns the package comment states; ValidPhone and ValidEmail check them by hand.
var (
	mobileRE = regexp.MustCompile(`^(\+?86)?1[3-9]\d{9}$`)
	e164RE   = regexp.MustCompile(`^\+[1-9]\d{7,14}$`)
	emailRE  = regexp.MustCompile(`^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$`)
)

// TestValidByHand checks the hand-written validators against worked cases at the edges of the
// patterns.
func TestValidByHand(t *testing.T) {
	for p, ok := range map[string]bool{
		"13900000000": true, "19999999999": true, "11900000000": false, // second digit 3–9
		"+8613800138000": true, "8613800138000": true, "+86 13800138000": true,
		"861380013800": false, "86138001380000": false, "+8612800138000": true, // not mobile, but E.164
		"+12345678": true, "+1234567": false, "+123456789012345": true, "+1234567890123456": false,
		"+1234a678": false, "": false, "+": false, "86": false, "+86": false, "１3800138000": false,
	} {
		if quality.ValidPhone(p) != ok {
			t.Errorf("ValidPhone(%q) = %v", p, !ok)
		}
	}
	for e, ok := range map[string]bool{
		"a@b.c": true, " a@b.c\t": true, "a@b.c.d": true, "a@.b.c": false, "a@b..c": false, "a@b.c.": false,
		"a@b": false, "a\t@b.c": false, "a@b c.d": false, "a@b.c@d": false, "张@例子.中国": true, "a\f@b.c": false,
		"a\v@b.c": true, "@": false, "": false, "a.b@c.d": true,
	} {
		if quality.ValidEmail(e) != ok {
			t.Errorf("ValidEmail(%q) = %v", e, !ok)
		}
	}
}

// TestValidMatchesPatterns compares the validators with the regular expressions on random
// strings over an alphabet that exercises every branch.
func TestValidMatchesPatterns(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	phone := []string{"1", "3", "8", "6", "0", "9", "+", " ", "-", "2", "a", "(", ")"}
	email := []string{"a", "@", ".", " ", "\t", "\n", "\r", "\f", "\v", "b", "张", "\xff", "-"}
	gen := func(alpha []string, n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(alpha[r.IntN(len(alpha))])
		}
		return b.String()
	}
	for range 200_000 {
		p := gen(phone, r.IntN(18))
		if i := r.IntN(3); i == 0 {
			p = "1" + p
		} else if i == 1 {
			p = "+86" + p
		}
		c := quality.CleanPhone(p)
		if want := mobileRE.MatchString(c) || e164RE.MatchString(c); quality.ValidPhone(p) != want {
			t.Fatalf("ValidPhone(%q) = %v, pattern says %v", p, !want, want)
		}
		e := gen(email, r.IntN(10))
		if want := emailRE.MatchString(strings.TrimSpace(e)); quality.ValidEmail(e) != want {
			t.Fatalf("ValidEmail(%q) = %v, pattern says %v", e, !want, want)
		}
	}
}

// TestDuplicatesExact works out the exact-key groups by hand: customers out of id order, three
// sharing a phone (written three ways), two sharing an email in different case, and numbered
// names that share a long prefix and so are told apart only after it.
func TestDuplicatesExact(t *testing.T) {
	cs := []kexi.Customer{
		{ID: 9, Phone: "+86 138-0013-8000", Email: "Li@Example.com", Name: "customer b 1", City: "X"},
		{ID: 3, Phone: "13800138000", Name: "customer a 1", City: "X"},
		{ID: 5, Phone: "(138) 0013 8000", Email: " li@example.com", Name: "customer b 1.", City: "X"},
		{ID: 7, Phone: "13900139000", Email: "wang@example.com", Name: "customer a 2", City: "X"},
		{ID: 1, Phone: "123", Email: "zhao@example.com", Name: "customer c 1", City: "Y"},
	}
	// Phone 13800138000: 3, 5, 9 → 5 and 9 duplicate 3. Email li@example.com: 5, 9 → 9 duplicates
	// 5. Names in X sorted: customera1(3), customera2(7), customerb1(5), customerb1(9): 9 and 5
	// share the key (similarity 1); customera1 and customerb1 carry the same digit and are one
	// edit apart in 10 letters (0.9): 5 is a likely duplicate of 3. "123" is too short for a
	// phone key.
	want := []quality.Duplicate{{5, 3, "duplicate_name", 0.9}, {5, 3, "duplicate_phone", 1}, {9, 5, "duplicate_email", 1},
		{9, 5, "duplicate_name", 1}, {9, 3, "duplicate_phone", 1}}
	got := quality.Duplicates(cs, 0.85, 10)
	if len(got) != len(want) {
		t.Fatalf("duplicates %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("duplicate %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}
