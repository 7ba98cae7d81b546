package kexihttp

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/sheet"
)

// maxUpload bounds an uploaded import file.
const maxUpload = 256 << 20

// What the server remembers of import jobs: finished jobs for jobTTL, at most maxJobs of
// them, and of each job its status and a report of at most maxJobRejects rejected rows
// holding at most maxJobReport bytes of cells. The records read are dropped once imported.
const (
	jobTTL        = time.Hour
	maxJobs       = 100
	maxJobRejects = 1000
	maxJobReport  = 1 << 20
)

// previewTTL is how long a previewed upload waits for its confirmation before its file is
// removed.
const previewTTL = 30 * time.Minute

// job is one import by upload. Its fields change under jobs.mu. An upload is first checked
// (state "checking", a dry run of the reader) and then waits in state "preview" for the
// user's choices; confirmed, it is read again ("reading") and imported ("importing") and ends
// "done" or "failed", or "cancelled" when the user cancels or the preview expires. The one-step
// API starts at "reading".
type job struct {
	ID       string            `json:"id"`
	Login    string            `json:"-"`
	File     string            `json:"file"`
	Kind     string            `json:"kind,omitempty"`
	State    string            `json:"state"` // checking, preview, reading, importing, done, failed, cancelled
	Started  time.Time         `json:"started"`
	Finished time.Time         `json:"finished,omitzero"`
	Rows     int               `json:"rows"`     // data rows read so far
	Rejected int               `json:"rejected"` // rows rejected
	Stats    *kexi.ImportStats `json:"stats,omitempty"`
	Error    *apiError         `json:"error,omitempty"`
	Preview  *preview          `json:"preview,omitempty"`
	// Groups are the problems of the last reading, grouped by reason (Reason empty: see groupsIn).
	Groups []problemGroup `json:"problems,omitempty"`

	// The rejects report: the file's header, the first rejected rows' problems and how many
	// more problems there were.
	header  []string
	rejects []sheet.Reject
	more    int
	// path is the uploaded file, kept until the job ends; mapping is the mapping of the preview.
	path    string
	mapping *sheet.Mapping
}

// preview is what the dry run of an upload found: the kind, what each column maps to (and
// what the columns could map to), the first rows and the currency its amounts seem to be in.
type preview struct {
	Kind     string         `json:"kind"`
	Header   []string       `json:"header"`
	Columns  []sheet.Column `json:"columns"`
	Custom   []sheet.Custom `json:"custom,omitempty"`
	Fields   []string       `json:"fields"`           // the fields of the kind a column may map to
	Sample   [][]string     `json:"sample,omitempty"` // the first rows' cells
	Currency string         `json:"currency,omitempty"`
	// CurrencyFrom says how Currency was found: "symbol" (£, €, $, ¥ in amounts) or
	// "country" (the country column of the first rows).
	CurrencyFrom string `json:"currency_from,omitempty"`
}

// problemGroup is the rows with one kind of problem: its reason code, the reason in the
// reader's language, the column, how many rows and what share of the file's rows have it, the
// first such row, and what the user may do about them.
type problemGroup struct {
	Code     string   `json:"code"`
	Reason   string   `json:"reason"`
	Column   string   `json:"column,omitempty"`
	Rows     int      `json:"rows"`
	Percent  float64  `json:"percent"`
	FirstRow int      `json:"first_row"`
	Choices  []string `json:"choices"` // anonymous (import them as orders without a customer), skip, cancel

	args   []string
	reason string // in English, as the reader gave it
}

// maxGroups bounds the groups a job keeps.
const maxGroups = 50

// groupRejects groups the rejected rows of res by reason code and column.
func groupRejects(res *sheet.Result) []problemGroup {
	var out []problemGroup
	idx := map[[2]string]int{}
	last := map[int]int{} // the last row counted in each group
	var row int
	var cols []string // the columns of the row's problems so far
	for _, rj := range res.Rejects {
		if rj.Row != row {
			row, cols = rj.Row, cols[:0]
		}
		if rj.Column != "" && slices.Contains(cols, rj.Column) {
			continue // a bad date and so no order date: the first problem says it
		}
		cols = append(cols, rj.Column)
		key := [2]string{rj.Code, rj.Column}
		if rj.Code == "" {
			key[0] = "?" + rj.Reason
		}
		i, ok := idx[key]
		if !ok {
			if len(out) == maxGroups {
				continue
			}
			i = len(out)
			idx[key] = i
			choices := []string{"skip", "cancel"}
			if rj.Code == sheet.ReasonNoCustomer && res.Kind == kexi.KindOrders {
				choices = []string{"anonymous", "skip", "cancel"}
			}
			out = append(out, problemGroup{Code: rj.Code, Column: rj.Column, FirstRow: rj.Row, Choices: choices,
				args: rj.Args, reason: rj.Reason})
		}
		if last[i] != rj.Row {
			last[i] = rj.Row
			out[i].Rows++
		}
	}
	for i := range out {
		if res.Rows > 0 {
			out[i].Percent = math.Round(1000*float64(out[i].Rows)/float64(res.Rows)) / 10
		}
	}
	return out
}

// groupsIn returns the groups with their reasons in lang.
func groupsIn(gs []problemGroup, lang string) []problemGroup {
	out := slices.Clone(gs)
	for i := range out {
		out[i].Reason = sheet.ReasonText(lang, out[i].Code, out[i].args, out[i].reason)
	}
	return out
}

// countryCurrency are the currencies of the countries an import's country column often names.
var countryCurrency = map[string]string{
	"united kingdom": "GBP", "uk": "GBP", "england": "GBP", "great britain": "GBP", "英国": "GBP",
	"united states": "USD", "usa": "USD", "us": "USD", "美国": "USD",
	"china": "CNY", "中国": "CNY", "prc": "CNY",
	"japan": "JPY", "日本": "JPY", "hong kong": "HKD", "香港": "HKD", "taiwan": "TWD", "台湾": "TWD",
	"germany": "EUR", "france": "EUR", "spain": "EUR", "italy": "EUR", "netherlands": "EUR", "ireland": "EUR",
	"eire": "EUR", "belgium": "EUR", "portugal": "EUR", "austria": "EUR", "finland": "EUR", "greece": "EUR",
	"德国": "EUR", "法国": "EUR",
}

// currencyOfCountry guesses the currency from the country column of the first rows, when
// they all name the same country's; "" otherwise.
func currencyOfCountry(res *sheet.Result) string {
	col := -1
	for i, c := range res.Columns {
		if c.Field == "country" || c.Field == "customer.country" {
			col = i
		}
	}
	if col < 0 {
		return ""
	}
	cur := ""
	for _, row := range res.Sample {
		if col >= len(row) {
			return ""
		}
		c := countryCurrency[strings.ToLower(strings.TrimSpace(row[col]))]
		if c == "" || cur != "" && c != cur {
			return ""
		}
		cur = c
	}
	return cur
}

// jobs keeps the recent import jobs in memory.
type jobs struct {
	mu   sync.Mutex
	byID map[string]*job
}

func newJobs() *jobs { return &jobs{byID: map[string]*job{}} }

// add adds a new job and forgets finished jobs that finished more than jobTTL before now,
// and the oldest finished ones beyond maxJobs. Jobs still running are kept.
func (js *jobs) add(j *job, now time.Time) {
	js.mu.Lock()
	defer js.mu.Unlock()
	var done []*job
	for id, o := range js.byID {
		switch {
		case o.Finished.IsZero():
		case now.Sub(o.Finished) > jobTTL:
			delete(js.byID, id)
		default:
			done = append(done, o)
		}
	}
	if extra := len(done) - (maxJobs - 1); extra > 0 {
		slices.SortFunc(done, func(a, b *job) int { return a.Finished.Compare(b.Finished) })
		for _, o := range done[:extra] {
			delete(js.byID, o.ID)
		}
	}
	js.byID[j.ID] = j
}

// report keeps what the rejects report needs of res: its header and the first rejected rows,
// within maxJobRejects and maxJobReport.
func report(j *job, res *sheet.Result) {
	j.header = res.Header
	size := 0
	for i, rj := range res.Rejects {
		n := len(rj.Value) + len(rj.Reason)
		if i == 0 || !sameCells(res.Rejects[i-1].Cells, rj.Cells) { // a row's problems share its cells
			for _, c := range rj.Cells {
				n += len(c)
			}
		}
		if i == maxJobRejects || size+n > maxJobReport {
			j.more = len(res.Rejects) - i
			break
		}
		size += n
		j.rejects = append(j.rejects, rj)
	}
	j.rejects = slices.Clip(j.rejects)
}

func sameCells(a, b []string) bool { return len(a) > 0 && len(b) > 0 && &a[0] == &b[0] }

// trimProblems shortens the values of problems kept with a failed job, which may be cells of
// up to a megabyte each.
func trimProblems(ps []kexi.FieldProblem) []kexi.FieldProblem {
	for i := range ps {
		ps[i].Value = cut(ps[i].Value, 256)
	}
	return ps
}

// cut shortens s to at most max bytes (on a rune boundary) and an ellipsis.
func cut(s string, max int) string {
	if len(s) <= max {
		return s
	}
	n := max
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return strings.Clone(s[:n]) + "…"
}

// get returns the job for login, or nil.
func (js *jobs) get(id, login string) *job {
	js.mu.Lock()
	defer js.mu.Unlock()
	j := js.byID[id]
	if j == nil || j.Login != login {
		return nil
	}
	return j
}

// snapshot returns a copy of the job for login, or nil.
func (js *jobs) snapshot(id, login string) *job {
	js.mu.Lock()
	defer js.mu.Unlock()
	j := js.byID[id]
	if j == nil || j.Login != login {
		return nil
	}
	c := *j
	return &c
}

// uploaded is an import file, saved to a temporary file until its job ends, and the
// choices that go with it.
type uploaded struct {
	name, path string
	kind       string
	skip, anon bool
}

// formBool reads a checkbox-like form value.
func formBool(r *http.Request, key string) bool {
	switch r.FormValue(key) {
	case "1", "true", "on", "yes":
		return true
	}
	return false
}

// readUpload saves the file of an import's multipart form (at most maxUpload bytes) to a
// temporary file and reads the kind, skip_bad and anonymous fields. The caller removes the file.
func readUpload(w http.ResponseWriter, r *http.Request) (*uploaded, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	f, hdr, err := r.FormFile("file")
	if err != nil {
		if strings.Contains(err.Error(), "too large") {
			return nil, kexi.Errorf(eTooLarge, "the file is larger than %d MB", maxUpload>>20)
		}
		return nil, fieldError("file", "", "choose a CSV, CSV.GZ or XLSX file to upload")
	}
	defer f.Close()
	kind := r.FormValue("kind")
	if kind != "" && entities[kind] == nil {
		return nil, fieldError("kind", kind, "expected one of "+strings.Join(kexi.Kinds, ", "))
	}
	tmp, err := os.CreateTemp("", "kexi-import-*")
	if err != nil {
		return nil, fmt.Errorf("save upload: %w", err)
	}
	if _, err := io.Copy(tmp, f); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		if strings.Contains(err.Error(), "too large") {
			return nil, kexi.Errorf(eTooLarge, "the file is larger than %d MB", maxUpload>>20)
		}
		return nil, fmt.Errorf("save upload: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return nil, fmt.Errorf("save upload: %w", err)
	}
	return &uploaded{name: hdr.Filename, path: tmp.Name(), kind: kind, skip: formBool(r, "skip_bad"), anon: formBool(r, "anonymous")}, nil
}

// readFile reads the job's uploaded file with sheet.Read, reporting progress in j.Rows.
func (s *Server) readFile(ctx context.Context, j *job, opt sheet.Options) (*sheet.Result, error) {
	f, err := os.Open(j.path)
	if err != nil {
		return nil, fmt.Errorf("open upload: %w", err)
	}
	defer f.Close()
	opt.Location, opt.Dates, opt.Limits = s.zone(ctx), s.dates(), s.limits
	opt.Progress = func(n int) { s.jobs.set(j, func(j *job) { j.Rows = n }) }
	return sheet.Read(f, j.File, opt)
}

// failure is the apiError a job keeps for err.
func (s *Server) failure(name string, err error) *apiError {
	code := kexi.ErrorCode(err)
	e := &apiError{Code: code, Message: kexi.ErrorMessage(err)}
	if code == kexi.EINTERNAL {
		s.log.Error("import", "file", name, "err", err)
		e.Message = "internal error"
	} else {
		e.Problems = trimProblems(problemsOf(err))
	}
	var le *sheet.LimitError
	if errors.As(err, &le) {
		e.Code = eTooLarge
	}
	return e
}

// end marks the job finished in state and removes its uploaded file. A job already finished
// (cancelled while it was being read) is left as it is.
func (js *jobs) end(j *job, state string, e *apiError, now time.Time) bool {
	js.mu.Lock()
	defer js.mu.Unlock()
	return js.endLocked(j, state, e, now)
}

func (js *jobs) endLocked(j *job, state string, e *apiError, now time.Time) bool {
	if !j.Finished.IsZero() {
		return false
	}
	j.State, j.Error, j.Finished = state, e, now
	if j.path != "" {
		os.Remove(j.path)
		j.path = ""
	}
	return true
}

// cancelWaiting cancels j if it is still in one of the states waiting, checking and ending in
// one step under the lock, so that a confirmation cannot start reading a file it removes. It
// returns the state j was in.
func (js *jobs) cancelWaiting(j *job, e *apiError, now time.Time, waiting ...string) string {
	js.mu.Lock()
	defer js.mu.Unlock()
	state := j.State
	if slices.Contains(waiting, state) {
		js.endLocked(j, "cancelled", e, now)
	}
	return state
}

// Close cancels the imports still waiting for their confirmation and removes every uploaded
// file the server still keeps (an import still reading its file keeps it open). Call it when
// the server stops.
func (s *Server) Close() {
	now := s.now()
	s.jobs.mu.Lock()
	defer s.jobs.mu.Unlock()
	for _, j := range s.jobs.byID {
		if j.path == "" {
			continue
		}
		os.Remove(j.path)
		j.path = ""
		if j.State == "checking" || j.State == "preview" {
			j.State, j.Finished = "cancelled", now
		}
	}
}

// set changes j under the lock.
func (js *jobs) set(j *job, fn func(j *job)) {
	js.mu.Lock()
	fn(j)
	js.mu.Unlock()
}

// runImport reads the job's file with sheet.Read and imports it, updating j as it goes; the
// uploaded file is removed at the end.
func (s *Server) runImport(ctx context.Context, j *job, login string, opt sheet.Options) {
	s.jobs.set(j, func(j *job) { j.State, j.Rows, j.Rejected = "reading", 0, 0 })
	res, err := s.readFile(ctx, j, opt)
	if res != nil {
		s.jobs.set(j, func(j *job) {
			report(j, res)
			j.Kind, j.Rows, j.Rejected, j.Groups = res.Kind, res.Rows, res.Rejected, groupRejects(res)
		})
	}
	if err != nil {
		s.jobs.end(j, "failed", s.failure(j.File, err), s.now())
		return
	}
	s.jobs.set(j, func(j *job) { j.State = "importing" })
	stats, err := s.st.Import(ctx, res.Batch)
	if err != nil {
		s.jobs.end(j, "failed", s.failure(j.File, err), s.now())
		return
	}
	s.st.Audit(ctx, kexi.AuditEntry{At: s.now().UTC(), Login: login, Action: "import", Entity: res.Kind,
		Detail: fmt.Sprintf("file=%s rows=%d rejected=%d", j.File, res.Rows, res.Rejected)})
	s.jobs.set(j, func(j *job) { j.Stats = &stats })
	s.jobs.end(j, "done", nil, s.now())
}

// runPreview reads the job's file as a dry run, keeping bad rows aside and rows without a
// customer among them, and leaves the job in state "preview" with what it found.
func (s *Server) runPreview(ctx context.Context, j *job) {
	res, err := s.readFile(ctx, j, sheet.Options{Kind: j.Kind, Mapping: j.mapping, SkipInvalid: true, NoItems: true})
	if err != nil {
		s.jobs.end(j, "failed", s.failure(j.File, err), s.now())
		return
	}
	for _, row := range res.Sample { // cells may be up to the line limit long
		for i, c := range row {
			row[i] = cut(c, 200)
		}
	}
	pv := &preview{Kind: res.Kind, Header: res.Header, Columns: res.Columns, Custom: res.Custom, Sample: res.Sample,
		Fields: sheet.Fields(res.Kind), Currency: res.Currency}
	if pv.Currency != "" {
		pv.CurrencyFrom = "symbol"
	} else if c := currencyOfCountry(res); c != "" {
		pv.Currency, pv.CurrencyFrom = c, "country"
	}
	s.jobs.set(j, func(j *job) {
		if !j.Finished.IsZero() { // cancelled meanwhile
			return
		}
		j.Kind, j.Rows, j.Rejected, j.Groups, j.Preview, j.State = res.Kind, res.Rows, res.Rejected, groupRejects(res), pv, "preview"
	})
	time.AfterFunc(previewTTL, func() { s.expire(j) })
}

// expire ends a job still waiting for its confirmation previewTTL after its preview, and
// removes its file.
func (s *Server) expire(j *job) {
	s.jobs.cancelWaiting(j, &apiError{Code: kexi.EINVALID, Message: "the preview expired: upload the file again"}, s.now(), "preview")
}

// startJob checks the user may import, saves the upload and registers a job for it.
func (s *Server) startJob(w http.ResponseWriter, r *http.Request, state string) (*job, *uploaded, error) {
	u := userOf(r)
	if !canImport(u) {
		return nil, nil, errForbidden
	}
	up, err := readUpload(w, r)
	if err != nil {
		return nil, nil, err
	}
	j := &job{ID: newToken()[:16], Login: u.Login, File: up.name, Kind: up.kind, State: state, Started: s.now(), path: up.path}
	s.jobs.add(j, s.now())
	return j, up, nil
}

// startImport starts a job that imports the upload at once, as the one-step API does.
func (s *Server) startImport(w http.ResponseWriter, r *http.Request) (*job, chan struct{}, error) {
	j, up, err := s.startJob(w, r, "reading")
	if err != nil {
		return nil, nil, err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.runImport(context.WithoutCancel(r.Context()), j, j.Login, sheet.Options{Kind: up.kind, SkipInvalid: up.skip, Anonymous: up.anon})
	}()
	return j, done, nil
}

// startPreview starts a job that checks the upload and waits for the user's choices.
func (s *Server) startPreview(w http.ResponseWriter, r *http.Request) (*job, chan struct{}, error) {
	j, _, err := s.startJob(w, r, "checking")
	if err != nil {
		return nil, nil, err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.runPreview(context.WithoutCancel(r.Context()), j)
	}()
	return j, done, nil
}

// canImport reports whether u may import: administrators, and managers who see everything
// (an import is not limited to one owner or region).
func canImport(u *kexi.User) bool {
	return can(u, "import", "") && !u.Scope().Restricted()
}

func (s *Server) apiImport(w http.ResponseWriter, r *http.Request) error {
	j, done, err := s.startImport(w, r)
	if err != nil {
		return err
	}
	<-done
	s.writeJob(w, r, j)
	return nil
}

// writeJob writes the finished job j as the API's answer: its error, or its status with the
// rejects kept.
func (s *Server) writeJob(w http.ResponseWriter, r *http.Request, j *job) {
	snap := s.jobs.snapshot(j.ID, j.Login)
	snap.Groups = groupsIn(snap.Groups, langOf(r))
	if snap.Error != nil && snap.State == "failed" {
		writeJSON(w, statusOf(snap.Error.Code), struct {
			*apiError
			Groups []problemGroup `json:"groups,omitempty"`
		}{snap.Error, snap.Groups})
		return
	}
	writeJSON(w, http.StatusOK, struct {
		*job
		Rejects     []sheet.Reject `json:"rejects,omitempty"`
		MoreRejects int            `json:"more_rejects,omitempty"` // problems beyond those listed
	}{snap, snap.rejects, snap.more})
}

// apiImportPreview uploads a file and checks it as a dry run: the answer is the job in state
// "preview" (or "failed") with the kind, the columns, the first rows, the problems grouped by
// reason and the currency found. POST /api/v1/import/{job} imports it; DELETE cancels.
func (s *Server) apiImportPreview(w http.ResponseWriter, r *http.Request) error {
	j, done, err := s.startPreview(w, r)
	if err != nil {
		return err
	}
	<-done
	s.writeJob(w, r, j)
	return nil
}

func (s *Server) apiImportJob(w http.ResponseWriter, r *http.Request) error {
	j := s.jobs.snapshot(r.PathValue("job"), userOf(r).Login)
	if j == nil {
		return errNotFound
	}
	j.Groups = groupsIn(j.Groups, langOf(r))
	writeJSON(w, http.StatusOK, j)
	return nil
}

// confirm reads the choices of a previewed job (kind, col.N mappings, anonymous, skip_bad,
// currency), saves the currency when it changes, and starts the import.
func (s *Server) confirm(r *http.Request) (*job, chan struct{}, error) {
	u := userOf(r)
	if !canImport(u) {
		return nil, nil, errForbidden
	}
	j := s.jobs.get(r.PathValue("job"), u.Login)
	if j == nil {
		return nil, nil, errNotFound
	}
	s.jobs.mu.Lock()
	state, pv := j.State, j.Preview
	s.jobs.mu.Unlock()
	if state != "preview" {
		return nil, nil, kexi.Errorf(kexi.ECONFLICT, "this import is not waiting for confirmation: it is %s", state)
	}
	opt := sheet.Options{Kind: pv.Kind, SkipInvalid: formBool(r, "skip_bad"), Anonymous: formBool(r, "anonymous")}
	if k := r.FormValue("kind"); k != "" && k != pv.Kind {
		if entities[k] == nil {
			return nil, nil, fieldError("kind", k, "expected one of "+strings.Join(kexi.Kinds, ", "))
		}
		opt.Kind = k
	} else {
		m := &sheet.Mapping{Columns: map[string]string{}}
		for i, c := range pv.Columns {
			v, ok := r.Form["col."+strconv.Itoa(i)]
			if !ok || v[0] == c.Field {
				continue
			}
			f := v[0]
			if f != "" && f != "-" && !slices.Contains(pv.Fields, f) && !strings.HasPrefix(f, "custom.") && !strings.HasPrefix(f, "customer.") {
				return nil, nil, fieldError("col."+strconv.Itoa(i), f, "expected one of "+strings.Join(pv.Fields, ", ")+", custom.NAME or - (not imported)")
			}
			if f == "" {
				f = "-"
			}
			m.Columns[c.Header] = f
		}
		if len(m.Columns) > 0 {
			opt.Mapping = m
		}
	}
	if cur := strings.ToUpper(strings.TrimSpace(r.FormValue("currency"))); cur != "" {
		st := s.cachedSettings(r.Context())
		if cur != st.Currency {
			if u.Role != kexi.RoleAdmin {
				return nil, nil, kexi.Errorf(kexi.EFORBIDDEN, "only an administrator can change the currency (now %s) in the settings", st.Currency)
			}
			st.Currency = cur
			if err := s.saveSettings(r, st); err != nil {
				return nil, nil, err
			}
		}
	}
	s.jobs.mu.Lock()
	if j.State != "preview" { // confirmed or cancelled meanwhile
		s.jobs.mu.Unlock()
		return nil, nil, kexi.Errorf(kexi.ECONFLICT, "this import is not waiting for confirmation: it is %s", j.State)
	}
	j.State, j.Kind = "reading", opt.Kind
	s.jobs.mu.Unlock()
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.runImport(context.WithoutCancel(r.Context()), j, u.Login, opt)
	}()
	return j, done, nil
}

func (s *Server) apiImportConfirm(w http.ResponseWriter, r *http.Request) error {
	j, done, err := s.confirm(r)
	if err != nil {
		return err
	}
	<-done
	s.writeJob(w, r, j)
	return nil
}

// cancel cancels a job waiting for confirmation and removes its file.
func (s *Server) cancel(r *http.Request) (*job, error) {
	j := s.jobs.get(r.PathValue("job"), userOf(r).Login)
	if j == nil {
		return nil, errNotFound
	}
	if state := s.jobs.cancelWaiting(j, nil, s.now(), "checking", "preview"); state != "checking" && state != "preview" {
		return nil, kexi.Errorf(kexi.ECONFLICT, "only an import waiting for confirmation can be cancelled: this one is %s", state)
	}
	return j, nil
}

func (s *Server) apiImportCancel(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.cancel(r); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type importView struct {
	Kinds []string
	Job   *job
	Can   bool
}

func (s *Server) handleImportPage(w http.ResponseWriter, r *http.Request) error {
	p := s.newPage(w, r, "Import", "import")
	p.Data = importView{Kinds: kexi.Kinds, Can: canImport(p.User)}
	return s.render(w, r, http.StatusOK, "import", p)
}

// handleImportUpload uploads a file from the import page and starts its preview.
func (s *Server) handleImportUpload(w http.ResponseWriter, r *http.Request) error {
	j, _, err := s.startPreview(w, r)
	if err != nil {
		if strings.Contains(r.Header.Get("Accept"), "application/json") {
			s.writeAPIError(w, r, err)
			return nil
		}
		return err
	}
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		writeJSON(w, http.StatusAccepted, map[string]string{"id": j.ID, "url": "/import/" + j.ID})
		return nil
	}
	http.Redirect(w, r, "/import/"+j.ID, http.StatusSeeOther)
	return nil
}

// handleImportConfirm imports a previewed file with the choices of the preview's form.
func (s *Server) handleImportConfirm(w http.ResponseWriter, r *http.Request) error {
	j, _, err := s.confirm(r)
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/import/"+j.ID, http.StatusSeeOther)
	return nil
}

func (s *Server) handleImportCancel(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.cancel(r); err != nil {
		return err
	}
	http.Redirect(w, r, "/import", http.StatusSeeOther)
	return nil
}

// jobView is a job as its page shows it.
type jobView struct {
	*job
	Currencies []string
	Currency   string // the currency the preview proposes
	Anonymous  bool   // the file has orders without a customer
	Others     bool   // the file has rows with other problems
	Columns    []previewCol
	CanAdmin   bool // may change the currency
	Money      bool // a column holds amounts of money
}

// moneyFields are the fields that hold amounts of money.
var moneyFields = []string{"amount", "cost", "shipping", "discount", "items.unit_price", "items.unit_cost",
	"value", "budget", "spend", "revenue", "price", "unit_price", "income", "customer.income"}

// previewCol is one column of a preview: its header, what it maps to, the choices and the
// first rows' values.
type previewCol struct {
	Index    int
	Header   string
	Field    string
	Options  []option
	Examples []string
}

type option struct{ Value, Label string }

// previewCols lays out the columns of a preview for the page in lang.
func previewCols(pv *preview, lang string) []previewCol {
	var out []previewCol
	for i, c := range pv.Columns {
		pc := previewCol{Index: i, Header: c.Header, Field: c.Field}
		label := func(f string) string {
			l := fieldLabel(lang, f)
			if x, ok := strings.CutPrefix(f, "customer."); ok {
				l = fmt.Sprintf(tr(lang, "customer_field"), fieldLabel(lang, x))
			}
			if l != f {
				return l + " (" + f + ")"
			}
			return f
		}
		if c.Field != "" && !slices.Contains(pv.Fields, c.Field) {
			l := label(c.Field)
			if strings.HasPrefix(c.Field, "custom.") {
				l = tr(lang, "custom field") + ": " + strings.TrimPrefix(c.Field, "custom.")
			}
			pc.Options = append(pc.Options, option{c.Field, l})
		}
		for _, f := range pv.Fields {
			pc.Options = append(pc.Options, option{f, label(f)})
		}
		pc.Options = append(pc.Options, option{"", tr(lang, "not imported")})
		for _, row := range pv.Sample {
			if i < len(row) {
				pc.Examples = append(pc.Examples, row[i])
			}
		}
		out = append(out, pc)
	}
	return out
}

func (s *Server) handleImportJob(w http.ResponseWriter, r *http.Request) error {
	j := s.jobs.snapshot(r.PathValue("job"), userOf(r).Login)
	if j == nil {
		return errNotFound
	}
	j.Groups = groupsIn(j.Groups, langOf(r))
	if r.URL.Query().Get("format") == "json" {
		writeJSON(w, http.StatusOK, j)
		return nil
	}
	p := s.newPage(w, r, "Import", "import")
	if j.Error != nil {
		p.Error = tr(p.Lang, j.Error.Message)
		if len(j.Groups) == 0 {
			p.Problems = j.Error.Problems
			if len(p.Problems) > 50 {
				p.Problems = p.Problems[:50]
			}
		}
	}
	v := jobView{job: j, Currencies: currencies, Currency: p.Settings.Currency}
	if j.Preview != nil && j.Preview.Currency != "" {
		v.Currency = j.Preview.Currency
	}
	if !slices.Contains(v.Currencies, v.Currency) {
		v.Currencies = append(slices.Clip(v.Currencies), v.Currency)
	}
	for _, g := range j.Groups {
		a := slices.Contains(g.Choices, "anonymous")
		v.Anonymous = v.Anonymous || a
		v.Others = v.Others || !a
	}
	if j.Preview != nil {
		v.Columns = previewCols(j.Preview, p.Lang)
		v.Money = j.Preview.Currency != ""
		for _, c := range j.Preview.Columns {
			v.Money = v.Money || slices.Contains(moneyFields, c.Field)
		}
	}
	v.CanAdmin = p.IsAdmin()
	p.Data = v
	return s.render(w, r, http.StatusOK, "job", p)
}

// currencies are the currencies the settings and the import preview offer.
var currencies = []string{"CNY", "USD", "EUR", "GBP", "JPY", "HKD", "TWD"}

// handleImportRejects downloads the rejected rows of an import (or the problems of a failed
// one) as CSV: file, row, column, value, reason and the row's cells.
func (s *Server) handleImportRejects(w http.ResponseWriter, r *http.Request) error {
	j := s.jobs.snapshot(r.PathValue("job"), userOf(r).Login)
	if j == nil {
		return errNotFound
	}
	lang := langOf(r)
	base := j.File
	for _, ext := range []string{".gz", ".csv", ".xlsx", ".txt", ".tsv"} {
		base = strings.TrimSuffix(base, ext)
	}
	name := "rejects-" + base
	if lang == langZh {
		name = "错误明细-" + base
	}
	if len(j.rejects) > 0 {
		var buf bytes.Buffer
		if err := sheet.WriteRejectsIn(&buf, lang, &sheet.Result{File: j.File, Header: j.header, Rejects: j.rejects}); err != nil {
			return err
		}
		if j.more > 0 {
			cw := csv.NewWriter(&buf)
			more := fmt.Sprintf("… and %d more problems (the web keeps the first %d; kexi import --skip-invalid --rejects FILE lists them all)", j.more, len(j.rejects))
			if lang == langZh {
				more = fmt.Sprintf("…… 另有 %d 个问题未列出（网页只保留前 %d 个；命令行 kexi import --skip-invalid --rejects 文件 可列出全部）", j.more, len(j.rejects))
			}
			cw.Write([]string{j.File, "", "", "", more})
			cw.Flush()
		}
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.csv"; filename*=UTF-8''%s.csv`, asciiName(name), url.PathEscape(name)))
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		_, err := w.Write(buf.Bytes())
		return err
	}
	var probs []kexi.FieldProblem
	if j.Error != nil {
		probs = j.Error.Problems
	}
	head := []string{"file", "row", "column", "value", "reason"}
	rows := make([][]any, len(probs))
	for i, pr := range probs {
		rows[i] = []any{pr.File, pr.Row, pr.Column, pr.Value, pr.Reason}
	}
	return writeTable(w, "rejects-"+base, "csv", head, rows)
}

// asciiName replaces what a plain Content-Disposition filename cannot hold with "_".
func asciiName(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, s)
}
