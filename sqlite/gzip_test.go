package sqlite

import (
	"bytes"
	"compress/gzip"
	"io"
	"math/rand/v2"
	"testing"
)

// TestParallelGzip: the members parallelGzip writes read back, through one gzip reader, as the
// bytes that went in, for inputs around the chunk size and for several workers.
func TestParallelGzip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, gzipChunk - 1, gzipChunk, gzipChunk + 1, 3*gzipChunk + 12345} {
		in := make([]byte, n)
		for i := range in {
			in[i] = byte(r.IntN(16)) // compressible, not trivially
		}
		for _, workers := range []int{1, 2, 5} {
			var out bytes.Buffer
			got, err := parallelGzip(&out, bytes.NewReader(in), workers)
			if err != nil || got != int64(n) {
				t.Fatalf("n=%d workers=%d: read %d, %v", n, workers, got, err)
			}
			zr, err := gzip.NewReader(&out)
			if n == 0 {
				if err != io.EOF {
					t.Fatalf("n=0: %v", err)
				}
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			back, err := io.ReadAll(zr)
			if err != nil || !bytes.Equal(back, in) {
				t.Fatalf("n=%d workers=%d: %d bytes back (%v)", n, workers, len(back), err)
			}
		}
	}
}
