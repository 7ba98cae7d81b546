// Command flood drives kexi's sign-in with wrong passwords from many clients while one
// signed-in user requests pages, and reports the server's peak RSS and the user's latency.
//
//	go run ./internal/loadtest/flood -url http://127.0.0.1:8099 -pid PID -login admin -password P
//
// internal/loadtest/flood.sh starts the server and runs it; see ../README.md.
//
// -spread gives every flooding client its own source address (127.0.1.N) and every attempt its
// own login, the hardest case for per-address and per-login throttling.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func client(local string) *http.Client {
	jar, _ := cookiejar.New(nil)
	d := &net.Dialer{Timeout: 10 * time.Second}
	if local != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(local)}
	}
	tr := &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 4}
	return &http.Client{Jar: jar, Transport: tr, Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func csrf(c *http.Client, base string) (string, error) {
	resp, err := c.Get(base + "/login")
	if err != nil {
		return "", err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfRe.FindSubmatch(b)
	if m == nil {
		return "", fmt.Errorf("no csrf field (%d)", resp.StatusCode)
	}
	return string(m[1]), nil
}

func vmKB(pid int, field string) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, field+":") {
			var n int
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(l, field+":")), "%d", &n)
			return n
		}
	}
	return -1
}

func pct(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	return d[min(len(d)-1, int(p*float64(len(d))))]
}

func main() {
	base := flag.String("url", "http://127.0.0.1:8099", "server")
	pid := flag.Int("pid", 0, "server process id, for RSS")
	n := flag.Int("clients", 100, "flooding clients")
	dur := flag.Duration("dur", 6*time.Second, "flood duration")
	user := flag.String("login", "admin", "signed-in user")
	pw := flag.String("password", "", "their password")
	spread := flag.Bool("spread", false, "one source address per client and one login per attempt")
	target := flag.String("target", "admin", "login the flood guesses (without -spread)")
	flag.Parse()

	// Sign in the real user first, from its own address.
	uc := client(map[bool]string{true: "127.0.2.1", false: ""}[*spread])
	tok, err := csrf(uc, *base)
	if err != nil {
		fmt.Fprintln(os.Stderr, "csrf:", err)
		os.Exit(1)
	}
	resp, err := uc.PostForm(*base+"/login", url.Values{"csrf": {tok}, "login": {*user}, "password": {*pw}})
	if err != nil || resp.StatusCode != 303 {
		fmt.Fprintln(os.Stderr, "sign-in failed:", err, resp.StatusCode)
		os.Exit(1)
	}
	resp.Body.Close()
	pages := []string{"/", "/customers", "/analyses/rfm", "/data/orders", "/analyses"}
	for _, p := range pages { // warm
		if r, err := uc.Get(*base + p); err == nil {
			io.Copy(io.Discard, r.Body)
			r.Body.Close()
		}
	}
	rssBefore := vmKB(*pid, "VmRSS")

	ctx, cancel := context.WithTimeout(context.Background(), *dur)
	defer cancel()
	var wg sync.WaitGroup
	var attempts, ok429, ok401, other atomic.Int64
	var flLat []time.Duration
	var flMu sync.Mutex
	for i := range *n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := ""
			if *spread {
				local = fmt.Sprintf("127.0.1.%d", i+1)
			}
			c := client(local)
			tok, err := csrf(c, *base)
			if err != nil {
				other.Add(1)
				return
			}
			for j := 0; ctx.Err() == nil; j++ {
				login := *target
				if *spread {
					login = fmt.Sprintf("guess-%d-%d", i, j)
				}
				t0 := time.Now()
				req, _ := http.NewRequestWithContext(ctx, "POST", *base+"/login",
					strings.NewReader(url.Values{"csrf": {tok}, "login": {login}, "password": {fmt.Sprintf("wrong-%d-%d", i, j)}}.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				r, err := c.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						other.Add(1)
					}
					continue
				}
				io.Copy(io.Discard, r.Body)
				r.Body.Close()
				attempts.Add(1)
				flMu.Lock()
				flLat = append(flLat, time.Since(t0))
				flMu.Unlock()
				switch r.StatusCode {
				case 429:
					ok429.Add(1)
				case 401:
					ok401.Add(1)
				default:
					other.Add(1)
				}
			}
		}()
	}
	// The signed-in user browses meanwhile.
	var lat []time.Duration
	bad := 0
	for i := 0; ctx.Err() == nil; i++ {
		t0 := time.Now()
		r, err := uc.Get(*base + pages[i%len(pages)])
		if err != nil {
			bad++
			continue
		}
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
		if r.StatusCode != 200 {
			bad++
		}
		lat = append(lat, time.Since(t0))
	}
	wg.Wait()
	rssAfter := vmKB(*pid, "VmRSS")
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	sort.Slice(flLat, func(i, j int) bool { return flLat[i] < flLat[j] })
	fmt.Printf("flood: %d clients for %v (spread %v): %d answers (%d 401, %d 429, %d other); login p50 %v p95 %v\n",
		*n, *dur, *spread, attempts.Load(), ok401.Load(), ok429.Load(), other.Load(),
		pct(flLat, .5).Round(time.Millisecond), pct(flLat, .95).Round(time.Millisecond))
	fmt.Printf("signed-in user: %d pages (%d not 200), p50 %v p95 %v max %v\n", len(lat), bad,
		pct(lat, .5).Round(time.Millisecond), pct(lat, .95).Round(time.Millisecond), pct(lat, 1).Round(time.Millisecond))
	fmt.Printf("server RSS: %d MiB before, %d MiB after, peak (VmHWM) %d MiB\n",
		rssBefore/1024, rssAfter/1024, vmKB(*pid, "VmHWM")/1024)
}
