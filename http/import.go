package kexihttp

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
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

// job is one import by upload. Its fields change under jobs.mu.
type job struct {
	ID       string            `json:"id"`
	Login    string            `json:"-"`
	File     string            `json:"file"`
	Kind     string            `json:"kind,omitempty"`
	State    string            `json:"state"` // reading, importing, done, failed
	Started  time.Time         `json:"started"`
	Finished time.Time         `json:"finished,omitzero"`
	Rows     int               `json:"rows"`     // data rows read so far
	Rejected int               `json:"rejected"` // rows rejected
	Stats    *kexi.ImportStats `json:"stats,omitempty"`
	Error    *apiError         `json:"error,omitempty"`

	// The rejects report: the file's header, the first rejected rows' problems and how many
	// more problems there were.
	header  []string
	rejects []sheet.Reject
	more    int
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
	const max = 256
	for i := range ps {
		if v := ps[i].Value; len(v) > max {
			cut := max
			for cut > 0 && !utf8.RuneStart(v[cut]) {
				cut--
			}
			ps[i].Value = strings.Clone(v[:cut]) + "…"
		}
	}
	return ps
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

// upload reads the multipart form of an import: the file, the kind and skip_bad.
func readUpload(w http.ResponseWriter, r *http.Request) (name string, data []byte, kind string, skip bool, err error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	f, hdr, err := r.FormFile("file")
	if err != nil {
		if strings.Contains(err.Error(), "too large") {
			return "", nil, "", false, kexi.Errorf(eTooLarge, "the file is larger than %d MB", maxUpload>>20)
		}
		return "", nil, "", false, fieldError("file", "", "choose a CSV or XLSX file to upload")
	}
	defer f.Close()
	data, err = io.ReadAll(f)
	if err != nil {
		return "", nil, "", false, fmt.Errorf("read upload: %w", err)
	}
	kind = r.FormValue("kind")
	if kind != "" && entities[kind] == nil {
		return "", nil, "", false, fieldError("kind", kind, "expected one of "+strings.Join(kexi.Kinds, ", "))
	}
	skip = r.FormValue("skip_bad") == "1" || r.FormValue("skip_bad") == "true" || r.FormValue("skip_bad") == "on"
	return hdr.Filename, data, kind, skip, nil
}

// runImport reads one file with sheet.Read and imports it, updating j as it goes.
func (s *Server) runImport(ctx context.Context, j *job, login, name string, data []byte, kind string, skip bool) {
	set := func(fn func(j *job)) {
		s.jobs.mu.Lock()
		fn(j)
		s.jobs.mu.Unlock()
	}
	fail := func(err error) {
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
		set(func(j *job) { j.State, j.Error, j.Finished = "failed", e, s.now() })
	}
	res, err := sheet.Read(bytes.NewReader(data), name, sheet.Options{Kind: kind, SkipInvalid: skip, Location: s.zone(ctx),
		Dates: s.dates(), Limits: s.limits, Progress: func(n int) { set(func(j *job) { j.Rows = n }) }})
	if res != nil {
		set(func(j *job) { report(j, res); j.Kind = res.Kind; j.Rows = res.Rows; j.Rejected = res.Rejected })
	}
	if err != nil {
		fail(err)
		return
	}
	set(func(j *job) { j.State = "importing" })
	stats, err := s.st.Import(ctx, res.Batch)
	if err != nil {
		fail(err)
		return
	}
	s.st.Audit(ctx, kexi.AuditEntry{At: s.now().UTC(), Login: login, Action: "import", Entity: res.Kind,
		Detail: fmt.Sprintf("file=%s rows=%d rejected=%d", name, res.Rows, res.Rejected)})
	set(func(j *job) { j.State, j.Stats, j.Finished = "done", &stats, s.now() })
}

// startImport checks the user may import and starts a job.
func (s *Server) startImport(w http.ResponseWriter, r *http.Request) (*job, chan struct{}, error) {
	u := userOf(r)
	if !canImport(u) {
		return nil, nil, errForbidden
	}
	name, data, kind, skip, err := readUpload(w, r)
	if err != nil {
		return nil, nil, err
	}
	j := &job{ID: newToken()[:16], Login: u.Login, File: name, Kind: kind, State: "reading", Started: s.now()}
	s.jobs.add(j, s.now())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.runImport(context.WithoutCancel(r.Context()), j, u.Login, name, data, kind, skip)
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
	snap := s.jobs.snapshot(j.ID, j.Login)
	if snap.Error != nil {
		writeJSON(w, statusOf(snap.Error.Code), snap.Error)
		return nil
	}
	writeJSON(w, http.StatusOK, struct {
		*job
		Rejects     []sheet.Reject `json:"rejects,omitempty"`
		MoreRejects int            `json:"more_rejects,omitempty"` // problems beyond those listed
	}{snap, snap.rejects, snap.more})
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

func (s *Server) handleImportUpload(w http.ResponseWriter, r *http.Request) error {
	j, _, err := s.startImport(w, r)
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

func (s *Server) handleImportJob(w http.ResponseWriter, r *http.Request) error {
	j := s.jobs.snapshot(r.PathValue("job"), userOf(r).Login)
	if j == nil {
		return errNotFound
	}
	if r.URL.Query().Get("format") == "json" {
		writeJSON(w, http.StatusOK, j)
		return nil
	}
	p := s.newPage(w, r, "Import", "import")
	if j.Error != nil {
		p.Error = tr(p.Lang, j.Error.Message)
		p.Problems = j.Error.Problems
		if len(p.Problems) > 50 {
			p.Problems = p.Problems[:50]
		}
	}
	p.Data = j
	return s.render(w, r, http.StatusOK, "job", p)
}

// handleImportRejects downloads the rejected rows of an import (or the problems of a failed
// one) as CSV: file, row, column, value, reason and the row's cells.
func (s *Server) handleImportRejects(w http.ResponseWriter, r *http.Request) error {
	j := s.jobs.snapshot(r.PathValue("job"), userOf(r).Login)
	if j == nil {
		return errNotFound
	}
	name := "rejects-" + strings.TrimSuffix(strings.TrimSuffix(j.File, ".xlsx"), ".csv")
	if len(j.rejects) > 0 {
		var buf bytes.Buffer
		if err := sheet.WriteRejects(&buf, &sheet.Result{File: j.File, Header: j.header, Rejects: j.rejects}); err != nil {
			return err
		}
		if j.more > 0 {
			cw := csv.NewWriter(&buf)
			cw.Write([]string{j.File, "", "", "", fmt.Sprintf("… and %d more problems: kexi import --skip-invalid --rejects FILE lists them all", j.more)})
			cw.Flush()
		}
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.csv"`, name))
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
	return writeTable(w, name, "csv", head, rows)
}
