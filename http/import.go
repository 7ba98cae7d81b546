package kexihttp

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/sheet"
)

// maxUpload bounds an uploaded import file.
const maxUpload = 256 << 20

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
	result   *sheet.Result
}

// jobs keeps the recent import jobs in memory.
type jobs struct {
	mu   sync.Mutex
	byID map[string]*job
}

func newJobs() *jobs { return &jobs{byID: map[string]*job{}} }

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
			e.Problems = problemsOf(err)
		}
		set(func(j *job) { j.State, j.Error, j.Finished = "failed", e, s.now() })
	}
	res, err := sheet.Read(bytes.NewReader(data), name, sheet.Options{Kind: kind,
		SkipInvalid: skip, Location: s.zone(ctx), Dates: s.dates(), Progress: func(n int) { set(func(j *job) { j.Rows = n }) }})
	if res != nil {
		set(func(j *job) { j.result = res; j.Kind = res.Kind; j.Rows = res.Rows; j.Rejected = res.Rejected })
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
	s.jobs.mu.Lock()
	s.jobs.byID[j.ID] = j
	s.jobs.mu.Unlock()
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
	var rejects []sheet.Reject
	if snap.result != nil {
		rejects = snap.result.Rejects
	}
	writeJSON(w, http.StatusOK, struct {
		*job
		Rejects []sheet.Reject `json:"rejects,omitempty"`
	}{snap, rejects})
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
	if j.result != nil && len(j.result.Rejects) > 0 {
		var buf bytes.Buffer
		if err := sheet.WriteRejects(&buf, j.result); err != nil {
			return err
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
