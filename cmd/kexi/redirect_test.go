package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserRedirect opens next= links that hide a second slash behind a tab, a newline or a
// backslash in headless Chromium, and checks that the browser stays on kexi's origin.
func TestBrowserRedirect(t *testing.T) {
	browser := needChromium(t)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<!doctype html><title>other origin</title>"))
	}))
	defer other.Close()
	evil := strings.TrimPrefix(other.URL, "http://") // 127.0.0.1:PORT, another origin
	db := filepath.Join(t.TempDir(), "kexi.db")
	addUser(t, nil, db, "admin", "admin", "browser-pass-1")
	s := startServe(t, nil, "--db", db)

	bctx := newBrowser(t, browser, 0, 0)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancelT := context.WithTimeout(bctx, time.Minute)
	defer cancelT()
	origin := func() string {
		t.Helper()
		o, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.origin`))
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	nexts := []string{"/\t/" + evil + "/x", "/\n/" + evil + "/x", "\t//" + evil + "/x", "/\\" + evil + "/x",
		"/a/..\\" + evil + "/x"}
	for _, next := range nexts {
		if err := chromedp.Do(ctx, chromedp.Navigate(s.url+"/lang?to=en&next="+url.QueryEscape(next))); err != nil {
			t.Fatalf("open %q: %v", next, err)
		}
		if o := origin(); o != s.url {
			t.Errorf("/lang?next=%q took Chromium to %s, want %s", next, o, s.url)
		}
	}
	// Signing in with next= goes through the same check; each sign-in starts signed out.
	for _, next := range nexts[:2] {
		err := chromedp.Do(ctx,
			chromedp.Navigate(s.url+"/login?next="+url.QueryEscape(next)),
			chromedp.WaitVisible(chromedp.ID("login")),
			chromedp.SendKeys(chromedp.ID("login"), "admin"),
			chromedp.SendKeys(chromedp.ID("password"), "browser-pass-1"),
			chromedp.Click(chromedp.ID("login-submit")))
		if err != nil {
			t.Fatalf("sign in with next=%q: %v", next, err)
		}
		// Wait for the browser to leave the sign-in page, wherever it goes.
		for i := 0; i < 100; i++ {
			if h, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`)); err == nil && !strings.Contains(h, "/login") {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if o := origin(); o != s.url {
			t.Errorf("sign-in with next=%q took Chromium to %s, want %s", next, o, s.url)
		}
		if h, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`)); h != s.url+"/" {
			t.Errorf("sign-in with next=%q ended on %s, want %s/", next, h, s.url)
		}
		if err := chromedp.Do(ctx, chromedp.Navigate(s.url+"/"), chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"] button`)),
			chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.ID("login"))); err != nil {
			t.Fatalf("sign out: %v", err)
		}
	}
}
