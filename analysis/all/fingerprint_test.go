package all_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"testing"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/internal/synth"
)

// TestFingerprints prints a SHA-256 of each descriptive analysis's result on the
// benchmark's 1M-order Dataset. It is a tool for speed work, not a check: run it before and
// after a change that must not change any number, and compare the two outputs.
//
//	KEXI_FINGERPRINT=1 go test ./analysis/all -run Fingerprints -v | grep '^fingerprint'
func TestFingerprints(t *testing.T) {
	if os.Getenv("KEXI_FINGERPRINT") == "" {
		t.Skip("set KEXI_FINGERPRINT=1 to print result fingerprints on the 1M-order data")
	}
	d := synth.Dataset(synth.Options{Customers: 100_000, Orders: 1_000_000, Seed: 1})
	in := analysis.Input{Data: d, AsOf: d.LastOrderAt(), Settings: kexi.DefaultSettings}
	for _, a := range descriptive() {
		res, err := a.Run(context.Background(), inputFor(a, in))
		if err != nil {
			t.Fatalf("%s: %v", a.Info().Name, err)
		}
		// %v rather than JSON: results may hold NaN, which JSON cannot.
		fmt.Printf("fingerprint %-16s %x\n", a.Info().Name, sha256.Sum256(fmt.Appendf(nil, "%+v", res)))
	}
}
