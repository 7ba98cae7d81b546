package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// listState is what the customer table shows: its count, chips, column heads and rows.
type listState struct {
	Total string   `json:"total"`
	Chips []string `json:"chips"`
	Head  []string `json:"head"`
	Rows  []string `json:"rows"`
	Sort  string   `json:"sort"`
	Views []string `json:"views"`
	On    string   `json:"on"`
}

const listStateJS = `(function () {
  var txt = function (sel) { return Array.prototype.map.call(document.querySelectorAll(sel), function (e) { return e.innerText.trim(); }); };
  var on = document.querySelector('#views li.on a');
  return { total: document.getElementById('list-count').getAttribute('data-total'),
    chips: txt('#chips .chip'), head: txt('#list thead th'), rows: txt('#list tbody tr'),
    sort: new URLSearchParams(location.search).get('sort') || '',
    views: txt('#views .views a'), on: on ? on.innerText.trim() : '' };
})()`

// TestBrowserSavedView (issue #19, saved views): an administrator drills down from the RFM
// page to a segment's customers, sorts by a column, saves the list as a view shared with
// sales; after signing out and back in, the view in the sidebar reopens the same list (count,
// chips, columns, sort, rows); a sales user opening the shared view sees only their own
// customers. Screenshots go to $KEXI_TESTOUT (default $TMPDIR/kexi-e2e) as view-….
func TestBrowserSavedView(t *testing.T) {
	browser := needChromium(t)
	out := testOut(t)
	db := demoDB(t, t.TempDir(), "--customers", "400")
	addUser(t, nil, db, "admin", "admin", "views-pass-1")
	addUser(t, nil, db, "zhang.wei", "sales", "views-pass-2")
	s := startServe(t, nil, "--db", db)

	bctx := newBrowser(t, browser, 1400, 1000)
	ctx, cancelT := context.WithTimeout(bctx, 3*time.Minute) // a guard, not a measure
	defer cancelT()
	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	eval := func(js string, v any) {
		t.Helper()
		res, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](js))
		if err != nil {
			t.Fatalf("evaluate: %v", err)
		}
		if err := json.Unmarshal(res, v); err != nil {
			t.Fatalf("evaluate result %s: %v", res, err)
		}
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(out, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	signIn := func(login, password string) {
		t.Helper()
		do("sign in as "+login,
			chromedp.Navigate(s.url+"/"),
			chromedp.WaitVisible(chromedp.ID("login")),
			chromedp.SendKeys(chromedp.ID("login"), login),
			chromedp.SendKeys(chromedp.ID("password"), password),
			chromedp.Click(chromedp.ID("login-submit")),
			chromedp.WaitVisible(chromedp.CSS(".figures")))
	}
	signOut := func() {
		t.Helper()
		do("sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
			chromedp.WaitVisible(chromedp.ID("login")))
	}
	state := func() listState {
		t.Helper()
		var st listState
		eval(listStateJS, &st)
		return st
	}

	signIn("admin", "views-pass-1")
	do("switch to Chinese", chromedp.Navigate(s.url+"/lang?to=zh&next=/"))
	// Drill down from the RFM chart to the 重要挽留客户 segment.
	do("open rfm", chromedp.Navigate(s.url+"/analyses/rfm"),
		chromedp.WaitVisible(chromedp.CSS(`body[data-charts-ready="1"]`)))
	var el struct {
		X, Y, Want float64
		Name, Link string
	}
	eval(fmt.Sprintf(drillJS, "segment_customers", "重要挽留客户"), &el)
	if el.Link == "" {
		t.Fatalf("the RFM chart has no 重要挽留客户 bar: %+v", el)
	}
	do("click "+el.Name, chromedp.MouseClickXY(el.X, el.Y), chromedp.WaitVisible(chromedp.CSS(`#chips`)))
	// Sort by name, descending: a click on the column head, then another.
	do("sort by name", chromedp.Click(chromedp.CSS(`#list thead th[data-key="name"] a.sort`)),
		chromedp.WaitVisible(chromedp.CSS(`#list thead th[data-key="name"][aria-sort="ascending"]`)),
		chromedp.Click(chromedp.CSS(`#list thead th[data-key="name"] a.sort`)),
		chromedp.WaitVisible(chromedp.CSS(`#list thead th[data-key="name"][aria-sort="descending"]`)))
	before := state()
	if before.Total != fmt.Sprint(el.Want) || len(before.Chips) != 1 || before.Sort != "-name" || len(before.Rows) == 0 {
		t.Fatalf("the drilled list: %+v (bar %v)", before, el.Want)
	}
	if len(before.Views) != 0 {
		t.Errorf("a new database has views: %v", before.Views)
	}
	// Save it as a view shared with sales.
	do("save the view",
		chromedp.Click(chromedp.CSS(`#view-save-box summary`)),
		chromedp.WaitVisible(chromedp.ID("view-name")),
		chromedp.SendKeys(chromedp.ID("view-name"), "重要挽留·待回访"),
		chromedp.SetValue(chromedp.ID("view-shared"), "sales"),
		chromedp.Click(chromedp.CSS(`#view-save button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#views li.on`)))
	saved := state()
	if saved.On != "重要挽留·待回访" || saved.Total != before.Total {
		t.Errorf("after saving: %+v", saved)
	}
	shot("view-saved")

	// Sign out and back in: the sidebar lists the view and opening it shows the same list.
	signOut()
	signIn("admin", "views-pass-1")
	do("open the customer table", chromedp.Navigate(s.url+"/customers"), chromedp.WaitVisible(chromedp.ID("views")))
	if st := state(); len(st.Views) != 1 || st.Views[0] != "重要挽留·待回访" || st.On != "" {
		t.Fatalf("sidebar after signing in again: %+v", st)
	}
	do("open the view", chromedp.Click(chromedp.CSS(`#views .views a`)), chromedp.WaitVisible(chromedp.CSS(`#views li.on`)))
	after := state()
	if after.Total != before.Total || after.Sort != before.Sort || strings.Join(after.Chips, "|") != strings.Join(before.Chips, "|") ||
		strings.Join(after.Head, "|") != strings.Join(before.Head, "|") || strings.Join(after.Rows, "\n") != strings.Join(before.Rows, "\n") {
		t.Errorf("the view reopened a different list:\nbefore %+v\nafter  %+v", before, after)
	}
	shot("view-reopened")

	// A sales user opens the shared view: only their own customers.
	signOut()
	signIn("zhang.wei", "views-pass-2")
	do("sales: customer table", chromedp.Navigate(s.url+"/customers"), chromedp.WaitVisible(chromedp.ID("views")))
	do("sales: open the shared view", chromedp.Click(chromedp.CSS(`#views .views a`)), chromedp.WaitVisible(chromedp.CSS(`#views li.on`)))
	sales := state()
	var owners []string
	eval(`(function () {
	  var i = Array.prototype.findIndex.call(document.querySelectorAll('#list thead th'), function (th) { return th.getAttribute('data-key') === 'owner'; });
	  return Array.prototype.map.call(document.querySelectorAll('#list tbody tr'), function (tr) { return i < 0 ? '?' : tr.children[i].innerText.trim(); });
	})()`, &owners)
	nAdmin, _ := strconv.Atoi(before.Total)
	nSales, err := strconv.Atoi(sales.Total)
	if sales.On != "重要挽留·待回访" || err != nil || nSales == 0 || nSales >= nAdmin || len(owners) != min(nSales, 50) {
		t.Errorf("sales user's view: %+v (owners %v), administrator's %d", sales, owners, nAdmin)
	}
	for _, o := range owners {
		if o != "zhang.wei" {
			t.Errorf("the shared view shows the sales user a customer of %q", o)
		}
	}
	// The sales user may not change it: no edit form.
	var edit bool
	eval(`!!document.getElementById('view-edit')`, &edit)
	if edit {
		t.Error("the sales user is offered to edit the administrator's view")
	}
	shot("view-sales")
	t.Logf("view %q: %s customers for the administrator, %s for zhang.wei; screenshots in %s", saved.On, before.Total, sales.Total, out)
}
