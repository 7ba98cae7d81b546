package demo

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/kexi/kexi"
)

// collect gathers what Stream passes on into one batch, checking that every part carries the
// custom fields and that customers come before what names them.
func collect(t *testing.T, opts Options, block int) (*kexi.Batch, int) {
	t.Helper()
	b := &kexi.Batch{}
	parts := 0
	seen := map[string]bool{}
	err := Stream(opts, block, func(p *kexi.Batch) error {
		parts++
		if len(p.CustomFields) == 0 {
			t.Errorf("part %d has no custom fields", parts)
		}
		for _, c := range p.Customers {
			seen[c.ExternalID] = true
		}
		for _, o := range p.Orders {
			if !seen[o.Customer] {
				t.Fatalf("part %d: order %s names customer %s before it came", parts, o.ExternalID, o.Customer)
			}
		}
		appendPart(b, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b, parts
}

// TestStreamEqualsGenerate: made block by block, the data set is the one made at once, record
// for record and in the same order, whatever the block size (issue #15: a 1M-customer demo).
func TestStreamEqualsGenerate(t *testing.T) {
	opts := Options{Customers: 600, Seed: 7, End: testEnd}
	want := Generate(opts)
	for _, block := range []int{300, 7, 599} {
		got, parts := collect(t, opts, block)
		if parts < 600/block+1 {
			t.Errorf("block %d: %d parts, want at least %d", block, parts, 600/block+1)
		}
		if !reflect.DeepEqual(got, want) {
			for _, d := range batchDiff(got, want) {
				t.Errorf("block %d: %s", block, d)
			}
			t.Fatalf("block %d: the streamed data set differs from Generate's", block)
		}
	}
}

// batchDiff names the kinds where a and b differ, with the first record that differs.
func batchDiff(a, b *kexi.Batch) []string {
	var out []string
	av, bv := reflect.ValueOf(*a), reflect.ValueOf(*b)
	for f := range av.NumField() {
		x, y := av.Field(f), bv.Field(f)
		if reflect.DeepEqual(x.Interface(), y.Interface()) {
			continue
		}
		name := av.Type().Field(f).Name
		if x.Kind() != reflect.Slice {
			out = append(out, name+" differ")
			continue
		}
		if x.Len() != y.Len() {
			out = append(out, name+": "+itoa(x.Len())+" records, want "+itoa(y.Len()))
			continue
		}
		for k := range x.Len() {
			if !reflect.DeepEqual(x.Index(k).Interface(), y.Index(k).Interface()) {
				jx, _ := json.Marshal(x.Index(k).Interface())
				jy, _ := json.Marshal(y.Index(k).Interface())
				out = append(out, name+"["+itoa(k)+"]: "+string(jx)+"\nwant "+string(jy))
				break
			}
		}
	}
	return out
}

func itoa(n int) string { j, _ := json.Marshal(n); return string(j) }

// TestGenerateUnchanged pins the data set of one seed: making it block by block (issue #15)
// must not change a single record. The hash is of the JSON of Generate's batch as made before
// the data could be streamed.
func TestGenerateUnchanged(t *testing.T) {
	b := Generate(Options{Customers: 1500, Seed: 3, End: testEnd})
	j, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(j)
	const want = "82483ea30a9dc95727add3692eb5d6959ecc1996519b8d518b3cf6aa0abf354d"
	if got := hex.EncodeToString(h[:]); got != want {
		t.Errorf("the data set of 1,500 customers, seed 3, changed: hash %s, want %s", got, want)
	}
}

// TestStreamStops: an error from emit stops the stream and comes back.
func TestStreamStops(t *testing.T) {
	stop := errors.New("stop")
	calls := 0
	err := Stream(Options{Customers: 400, Seed: 1, End: testEnd}, 100, func(*kexi.Batch) error {
		calls++
		if calls == 3 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 3 {
		t.Errorf("Stream returned %v after %d calls, want the emit error after 3", err, calls)
	}
}

func TestIDOf(t *testing.T) {
	for _, n := range []int{1, 9, 10, 999, 1000, 1234567} {
		b := newIDBlock("O", n, 3)
		for _, i := range []int{0, n / 2, n - 1} {
			if got, want := idOf("O", i, n, 3), b.id(i); got != want {
				t.Errorf("idOf(O, %d, %d, 3) = %s, want %s", i, n, got, want)
			}
		}
	}
}
