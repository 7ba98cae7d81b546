package kexihttp

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net"
	"net/http"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kexi/kexi"
)

// Sign-in throttling. Every failed sign-in counts against the login tried and against the
// client's address. Past a number of free failures each further failure makes the key wait,
// doubling from one second; at a lockout count the key waits the full lockout. A waiting key
// is answered at once, without hashing. A key is forgotten a while after its last failure,
// and a login's key on a successful sign-in. The numbers are in the README's security section.
const (
	loginFree     = 5                // failures of one login before it waits
	loginLockout  = 10               // failures of one login that lock it for maxWait
	addrFree      = 20               // failures from one address before it waits
	addrLockout   = 40               // failures from one address that block it for maxWait
	maxWait       = 15 * time.Minute // the longest wait, and the lockout
	forgetAfter   = time.Hour        // a key with no failure for this long starts afresh
	maxKeys       = 10000            // keys tracked at most; see throttle.note
	hashWaitLimit = 5 * time.Second  // how long a sign-in waits for a free hasher
	maxLoginLen   = 200              // bytes of a login that sign-in reads; see checkUser
	workerIdle    = 30 * time.Second // a hashing thread with no work for this long ends
	deviceTTL     = 90 * 24 * time.Hour
	deviceCookie  = "kexi_device"
)

// throttle counts failed sign-ins per key ("login:…", "addr:…"). Its memory is bounded: at
// most maxKeys keys, each forgotten forgetAfter after its last failure.
type throttle struct {
	mu   sync.Mutex
	keys map[string]*strikes
	max  int
}

type strikes struct {
	fails int
	last  time.Time // the last failure
	until time.Time // no attempt before this
}

func newThrottle(max int) *throttle {
	return &throttle{keys: map[string]*strikes{}, max: max}
}

// wait returns how long the keys must still wait at now: the longest of their waits, 0 when
// every key may try.
func (t *throttle) wait(now time.Time, keys ...string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	var d time.Duration
	for _, k := range keys {
		if s := t.keys[k]; s != nil && now.Sub(s.last) < forgetAfter && s.until.After(now) {
			d = max(d, s.until.Sub(now))
		}
	}
	return d
}

// fail records a failure of key at now, with free failures before waiting and the count that
// locks; it reports whether this failure started a lockout.
func (t *throttle) fail(now time.Time, key string, free, lockout int) (locked bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.keys[key]
	if s != nil && now.Sub(s.last) >= forgetAfter {
		s = nil
		delete(t.keys, key)
	}
	if s == nil {
		if !t.room(now) {
			return false
		}
		s = &strikes{}
		t.keys[key] = s
	}
	s.fails++
	s.last = now
	switch {
	case s.fails >= lockout:
		s.until = now.Add(maxWait)
		return s.fails == lockout
	case s.fails > free:
		s.until = now.Add(min(time.Second<<(s.fails-free-1), maxWait))
	}
	return false
}

// room makes room for one more key: it drops forgotten keys and, when still full, keys that
// do not make anyone wait. It reports false when every tracked key is waiting; the new key is
// then not tracked (the hashing semaphore still bounds what it costs).
func (t *throttle) room(now time.Time) bool {
	if len(t.keys) < t.max {
		return true
	}
	for k, s := range t.keys {
		if now.Sub(s.last) >= forgetAfter || !s.until.After(now) {
			delete(t.keys, k)
		}
	}
	return len(t.keys) < t.max
}

// forget drops key, after a successful sign-in.
func (t *throttle) forget(key string) {
	t.mu.Lock()
	delete(t.keys, key)
	t.mu.Unlock()
}

// hasher bounds the argon2 hashes running at once: each holds 19 MiB, and a flood of
// sign-ins would otherwise hold that many times the clients.
type hasher struct {
	slots chan struct{}
	jobs  chan hashJob  // to the workers
	wait  time.Duration // how long do waits for a slot
	// runs counts the hashes done and peak the most at once, for tests and logs.
	runs, running, peak atomic.Int64
}

// newHasher allows n hashes at once; n ≤ 0 means half the CPUs (at least one), which leaves
// the other half to signed-in users while a flood of sign-ins goes on.
func newHasher(n int) *hasher {
	if n <= 0 {
		n = max(1, runtime.GOMAXPROCS(0)/2)
	}
	return &hasher{slots: make(chan struct{}, n), jobs: make(chan hashJob), wait: hashWaitLimit}
}

// errBusy is returned when no hasher came free in time.
var errBusy = &kexi.Error{Code: eBusy, Message: "sign-in busy"}

// do runs f holding a slot, waiting at most h.wait (or until ctx ends) for one.
func (h *hasher) do(ctx context.Context, f func()) error {
	t := time.NewTimer(h.wait)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
	case <-t.C:
		return errBusy
	case <-ctx.Done():
		return errBusy
	}
	defer func() { <-h.slots }()
	h.runs.Add(1)
	n := h.running.Add(1)
	defer h.running.Add(-1)
	for p := h.peak.Load(); n > p && !h.peak.CompareAndSwap(p, n); p = h.peak.Load() {
	}
	job := hashJob{f: f, done: make(chan struct{})}
	select {
	case h.jobs <- job:
	default:
		go h.worker()
		h.jobs <- job
	}
	<-job.done
	return nil
}

type hashJob struct {
	f    func()
	done chan struct{}
}

// worker runs hashes on an OS thread of its own at a lower CPU priority (on Linux), so that
// signed-in users' requests, and other programs, come first when the CPUs are busy. It ends
// after a while without work, and its thread with it.
func (h *hasher) worker() {
	runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
	lowerPriority()
	idle := time.NewTimer(workerIdle)
	defer idle.Stop()
	for {
		select {
		case j := <-h.jobs:
			j.f()
			close(j.done)
			idle.Reset(workerIdle)
		case <-idle.C:
			return
		}
	}
}

// hashPassword is HashPassword under the hasher's bound. The password rules are checked
// before waiting for a slot.
func (s *Server) hashPassword(ctx context.Context, password string) (hash string, err error) {
	if err := CheckPasswordRules(password); err != nil {
		return "", err
	}
	if e := s.hasher.do(ctx, func() { hash, err = HashPassword(password) }); e != nil {
		return "", e
	}
	return hash, err
}

// clientAddr is the address a request comes from, as a throttling key: the peer's address,
// or behind a trusted proxy the last address in X-Forwarded-For that is not a trusted proxy.
// IPv6 addresses are cut to their /64, which one client usually holds whole.
func (s *Server) clientAddr(r *http.Request) string {
	ip := peerIP(r)
	if ip.IsValid() && s.trusted(ip) {
		fwd := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(fwd) - 1; i >= 0; i-- {
			a, err := netip.ParseAddr(strings.TrimSpace(fwd[i]))
			if err != nil {
				break
			}
			ip = a.Unmap()
			if !s.trusted(ip) {
				break
			}
		}
	}
	if !ip.IsValid() {
		return r.RemoteAddr
	}
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

// peerIP is the address of the connection's other end.
func peerIP(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, _ := netip.ParseAddr(host)
	return ip.Unmap()
}

// trusted reports whether ip is one of the configured proxies.
func (s *Server) trusted(ip netip.Addr) bool {
	for _, p := range s.proxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// secure reports whether the browser reached kexi over HTTPS: directly, or through a trusted
// proxy that says so in X-Forwarded-Proto.
func (s *Server) secure(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	if ip := peerIP(r); ip.IsValid() && s.trusted(ip) {
		proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
		return strings.EqualFold(strings.TrimSpace(proto), "https")
	}
	return false
}

// Device cookies keep a lockout from locking out the person whose login it is: a browser that
// signed in as a login gets a cookie naming a random device id and the login, signed with a key
// this process made at start. Sign-ins as that login from that browser are counted on the
// device instead of on the login, so others' failures do not make it wait (its own still do).
// The key is not stored: after a restart the cookies are ignored, as the counts are gone too.

// deviceOf returns the device id of r's device cookie when this server issued it for login,
// else "".
func (s *Server) deviceOf(r *http.Request, login string) string {
	c, err := r.Cookie(deviceCookie)
	if err != nil {
		return ""
	}
	id, mac, ok := strings.Cut(c.Value, ".")
	if !ok || len(id) != 22 || !hmac.Equal([]byte(mac), []byte(s.deviceMAC(login, id))) {
		return ""
	}
	return id
}

func (s *Server) deviceMAC(login, id string) string {
	m := hmac.New(sha256.New, s.deviceKey[:])
	m.Write([]byte(strings.ToLower(login) + "\x00" + id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// rememberDevice gives the browser of a successful sign-in as login its device cookie.
func (s *Server) rememberDevice(w http.ResponseWriter, r *http.Request, login string) {
	id := s.deviceOf(r, login)
	if id == "" {
		b := make([]byte, 16)
		rand.Read(b)
		id = base64.RawURLEncoding.EncodeToString(b)
	}
	http.SetCookie(w, &http.Cookie{Name: deviceCookie, Value: id + "." + s.deviceMAC(login, id), Path: "/login",
		MaxAge: int(deviceTTL / time.Second), HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteStrictMode})
}
