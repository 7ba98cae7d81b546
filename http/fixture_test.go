package kexihttp

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/analysis/all"
	"github.com/kexi/kexi/sqlite"
)

// marker is in the name or external id of every record of bob's: a sales user alice must
// never see it.
const marker = "BOBSECRET"

// fixture is a Server over a real SQLite store in a temporary folder, with four users (admin,
// analyst, and sales users alice and bob) and a small hand-made data set.
type fixture struct {
	t     *testing.T
	st    *sqlite.DB
	srv   *Server
	users map[string]*kexi.User
	// tokens are API tokens; sessions are browser session tokens with their CSRF tokens.
	tokens   map[string]string
	sessions map[string][2]string
	// bob holds the ids of bob's records per kind; alice of alice's.
	bob, alice map[string]int64
}

func date(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// testBatch is the data the tests reason about by hand:
//
//	C1 alice 广东: O1 2025-01-10 100 (cost 60), O2 2025-03-05 50 (cost 20); NPS 10
//	C2 alice 江苏: O3 2025-02-01 200 (cost 150); NPS 9
//	C3 bob   广东: O4 2025-03-01 1000 (cost 500), O5 2024-01-15 70 (cost 30); NPS 3
func testBatch() *kexi.Batch {
	return &kexi.Batch{
		Customers: []kexi.Customer{
			{ExternalID: "C1", Name: "Alice One", Kind: kexi.Individual, Province: "广东", City: "广州", Owner: "alice", Channel: "wechat", Tags: []string{"vip"}, Custom: map[string]string{"plan": "gold"}},
			{ExternalID: "C2", Name: "Alice Two", Kind: kexi.Enterprise, Province: "江苏", City: "南京", Owner: "alice", Channel: "search_ads", Custom: map[string]string{"plan": "silver"}},
			{ExternalID: marker + "-C3", Name: marker + " Three", Kind: kexi.Individual, Province: "广东", City: "深圳", Owner: "bob", Channel: "wechat", Custom: map[string]string{"plan": "gold"}},
		},
		Products:  []kexi.Product{{ExternalID: "P1", Name: "Tea", Category: "food", Price: 50, Cost: 20}},
		Campaigns: []kexi.Campaign{{ExternalID: "K1", Name: "Spring", Channel: "wechat", Start: date("2025-01-01"), End: date("2025-01-31"), Cost: 500}},
		Orders: []kexi.Order{
			{ExternalID: "O1", Customer: "C1", OrderedAt: date("2025-01-10"), Amount: 100, Cost: 60, Channel: "online", Status: kexi.StatusCompleted,
				Items: []kexi.OrderItem{{SKU: "P1", Name: "Tea", Category: "food", Quantity: 2, UnitPrice: 50, UnitCost: 30}}},
			{ExternalID: "O2", Customer: "C1", OrderedAt: date("2025-03-05"), Amount: 50, Cost: 20, Channel: "store", Status: kexi.StatusCompleted},
			{ExternalID: "O3", Customer: "C2", OrderedAt: date("2025-02-01"), Amount: 200, Cost: 150, Channel: "online", Status: kexi.StatusCompleted},
			{ExternalID: marker + "-O4", Customer: marker + "-C3", OrderedAt: date("2025-03-01"), Amount: 1000, Cost: 500, Channel: "online", Status: kexi.StatusCompleted},
			{ExternalID: marker + "-O5", Customer: marker + "-C3", OrderedAt: date("2024-01-15"), Amount: 70, Cost: 30, Channel: "online", Status: kexi.StatusCompleted},
		},
		Interactions: []kexi.Interaction{
			{ExternalID: "I1", Customer: "C1", At: date("2025-01-12"), Kind: kexi.Consultation, Minutes: 10, Rep: "alice", Subject: "sizes"},
			{ExternalID: marker + "-I3", Customer: marker + "-C3", At: date("2025-02-12"), Kind: kexi.Complaint, Minutes: 30, Rep: "bob", Subject: marker},
		},
		Events: []kexi.WebEvent{
			{ExternalID: "E1", Customer: "C1", At: date("2025-01-09"), Type: "page_view", Page: "/tea"},
			{ExternalID: marker + "-E3", Customer: marker + "-C3", At: date("2025-02-09"), Type: "page_view", Page: "/" + marker},
		},
		Surveys: []kexi.SurveyResponse{
			{ExternalID: "S1", Customer: "C1", At: date("2025-02-01"), Kind: kexi.NPS, Score: 10},
			{ExternalID: "S2", Customer: "C2", At: date("2025-02-02"), Kind: kexi.NPS, Score: 9},
			{ExternalID: marker + "-S3", Customer: marker + "-C3", At: date("2025-02-03"), Kind: kexi.NPS, Score: 3, Comment: marker},
		},
		Leads: []kexi.Lead{
			{ExternalID: "L1", Name: "Lead A", Owner: "alice", Source: "wechat", CreatedAt: date("2025-01-02"),
				Stages: []kexi.StageEntry{{Stage: kexi.StageNew, EnteredAt: date("2025-01-02")}, {Stage: kexi.StageWon, EnteredAt: date("2025-01-09")}}},
			{ExternalID: marker + "-L3", Name: marker + " lead", Owner: "bob", Source: "wechat", CreatedAt: date("2025-01-03"),
				Stages: []kexi.StageEntry{{Stage: kexi.StageNew, EnteredAt: date("2025-01-03")}}},
		},
		Responses: []kexi.CampaignResponse{
			{ExternalID: "R1", Campaign: "K1", Customer: "C1", At: date("2025-01-05"), Kind: "bought"},
			{ExternalID: marker + "-R3", Campaign: "K1", Customer: marker + "-C3", At: date("2025-01-06"), Kind: "bought"},
		},
		Competitors: []kexi.Competitor{{ExternalID: "X1", Name: "Rival", Positioning: "low"}},
		SWOT:        []kexi.SWOTItem{{ExternalID: "W1", Kind: "S", Text: "Good tea", Impact: 4}},
	}
}

var testKey = bytes.Repeat([]byte{7}, 32)

// newFixture opens a store, imports testBatch, adds the users and returns a Server with the
// registered analyses.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureWith(t, all.List())
}

func newFixtureWith(t *testing.T, as []analysis.Analysis) *fixture {
	t.Helper()
	return newFixtureBatch(t, as, testBatch())
}

// newFixtureBatch is newFixtureWith on another data set.
func newFixtureBatch(t *testing.T, as []analysis.Analysis, batch *kexi.Batch) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "kexi.db"), sqlite.Options{Key: testKey})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Import(ctx, batch); err != nil {
		t.Fatalf("import: %v", err)
	}
	f := &fixture{t: t, st: st, users: map[string]*kexi.User{}, tokens: map[string]string{},
		sessions: map[string][2]string{}, bob: map[string]int64{}, alice: map[string]int64{}}
	f.srv = NewServer(Config{Store: st, Analyses: as, SetupToken: "setup-secret-token"})
	t.Cleanup(f.srv.Close)
	hash, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []kexi.User{{Login: "admin", Role: kexi.RoleAdmin}, {Login: "ana", Role: kexi.RoleAnalyst},
		{Login: "alice", Role: kexi.RoleSales}, {Login: "bob", Role: kexi.RoleSales},
		{Login: "gd", Role: kexi.RoleManager, Region: "江苏"}} {
		u.PasswordHash = hash
		if err := st.CreateUser(ctx, &u); err != nil {
			t.Fatal(err)
		}
		f.users[u.Login] = &u
		tok, err := CreateAPIToken(ctx, st, u.ID, "test", time.Now(), 0)
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[u.Login] = tok
		sess, csrf := newToken(), newToken()
		if err := st.CreateSession(ctx, &kexi.Session{TokenHash: hashToken(sess), UserID: u.ID, CSRF: csrf,
			CreatedAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		f.sessions[u.Login] = [2]string{sess, csrf}
	}
	// Record ids per kind, by owner.
	for _, k := range kexi.Kinds {
		items, _, err := entities[k].list(ctx, st, kexi.Filter{Limit: -1})
		if err != nil {
			t.Fatalf("list %s: %v", k, err)
		}
		b, _ := json.Marshal(items)
		var recs []struct {
			ID         int64  `json:"id"`
			ExternalID string `json:"external_id"`
		}
		json.Unmarshal(b, &recs)
		for _, r := range recs {
			if strings.HasPrefix(r.ExternalID, marker) {
				f.bob[k] = r.ID
			} else if f.alice[k] == 0 {
				f.alice[k] = r.ID
			}
		}
	}
	return f
}

// req is one request to make as a user: via API token ("api"), a browser session
// ("session", with its CSRF token on writes) or anonymously ("").
type req struct {
	method, path string
	body         any // JSON-encoded unless a string or *multipartBody
	as           string
	via          string
	header       map[string]string
}

type multipartBody struct {
	contentType string
	data        []byte
}

// upload builds a multipart form with one file and extra fields.
func upload(name string, data []byte, fields map[string]string) *multipartBody {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	return &multipartBody{mw.FormDataContentType(), buf.Bytes()}
}

// do runs a request and returns the recorder.
func (f *fixture) do(r req) *httptest.ResponseRecorder {
	f.t.Helper()
	var body io.Reader
	ctype := ""
	switch b := r.body.(type) {
	case nil:
	case string:
		body, ctype = strings.NewReader(b), "application/x-www-form-urlencoded"
	case *multipartBody:
		body, ctype = bytes.NewReader(b.data), b.contentType
	default:
		j, _ := json.Marshal(b)
		body, ctype = bytes.NewReader(j), "application/json"
	}
	hr := httptest.NewRequest(r.method, r.path, body)
	if ctype != "" {
		hr.Header.Set("Content-Type", ctype)
	}
	if r.as != "" {
		if r.via == "session" {
			s := f.sessions[r.as]
			hr.AddCookie(&http.Cookie{Name: cookieName, Value: s[0]})
			if r.method != "GET" {
				hr.Header.Set("X-CSRF-Token", s[1])
			}
		} else {
			hr.Header.Set("Authorization", "Bearer "+f.tokens[r.as])
		}
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	f.srv.ServeHTTP(w, hr)
	return w
}

// decode parses a JSON response.
func decode(t *testing.T, w *httptest.ResponseRecorder, v any) {
	t.Helper()
	if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
		t.Fatalf("response is not JSON (%v): %.300s", err, w.Body.String())
	}
}

func newJar() http.CookieJar {
	j, _ := cookiejar.New(nil)
	return j
}

func readAll(resp *http.Response) string {
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// regexpAll returns the first group of every match of re in s.
func regexpAll(re, s string) []string {
	var out []string
	for _, m := range regexp.MustCompile(re).FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}
