package kexihttp

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/kexi/kexi"
)

// maxUpload bounds an uploaded import file.
const maxUpload = 256 << 20

// job is one import by upload. Its fields change under jobs.mu.
type job struct {
	ID       string              `json:"id"`
	Login    string              `json:"-"`
	File     string              `json:"file"`
	Kind     string              `json:"kind,omitempty"`
	State    string              `json:"state"` // reading, importing, done, failed
	Started  time.Time           `json:"started"`
	Finished time.Time           `json:"finished,omitzero"`
	Rows     int                 `json:"rows"`
	Stats    *kexi.ImportStats   `json:"stats,omitempty"`
	Rejects  []kexi.FieldProblem `json:"rejects,omitempty"`
	Error    *apiError           `json:"error,omitempty"`
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

// runImport parses and imports one file, updating j as it goes.
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
		} else {
			e.Problems = problemsOf(err)
		}
		set(func(j *job) { j.State, j.Error, j.Finished = "failed", e, s.now() })
	}
	b, problems, err := s.importer(ctx, name, data, kind, skip)
	if err != nil {
		fail(err)
		return
	}
	if len(problems) > 0 && !skip {
		fail(&kexi.Error{Code: kexi.EINVALID, Message: fmt.Sprintf("%s: %d rows have problems; nothing was imported", name, len(problems)),
			Problems: problems})
		return
	}
	set(func(j *job) { j.State, j.Rows, j.Rejects = "importing", b.Len(), problems })
	stats, err := s.st.Import(ctx, b)
	if err != nil {
		fail(err)
		return
	}
	s.st.Audit(ctx, kexi.AuditEntry{At: s.now().UTC(), Login: login, Action: "import", Entity: kind,
		Detail: fmt.Sprintf("file=%s rows=%d rejected=%d", name, b.Len(), len(problems))})
	set(func(j *job) { j.State, j.Stats, j.Finished = "done", &stats, s.now() })
}

// startImport checks the user may import and starts a job.
func (s *Server) startImport(w http.ResponseWriter, r *http.Request) (*job, chan struct{}, error) {
	u := userOf(r)
	if !canImport(u) {
		return nil, nil, errForbidden
	}
	if s.importer == nil {
		return nil, nil, kexi.Errorf(eNotImplemented, "import_unavailable")
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
	writeJSON(w, http.StatusOK, snap)
	return nil
}

type importView struct {
	Kinds []string
	Job   *job
	Can   bool
}

func (s *Server) handleImportPage(w http.ResponseWriter, r *http.Request) error {
	p := s.newPage(w, r, "Import", "import")
	p.Data = importView{Kinds: kexi.Kinds, Can: canImport(p.User) && s.importer != nil}
	if s.importer == nil {
		p.Error = p.T("import_unavailable")
	}
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
// one) as CSV: file, row, column, value, reason.
func (s *Server) handleImportRejects(w http.ResponseWriter, r *http.Request) error {
	j := s.jobs.snapshot(r.PathValue("job"), userOf(r).Login)
	if j == nil {
		return errNotFound
	}
	probs := j.Rejects
	if j.Error != nil {
		probs = j.Error.Problems
	}
	lang := langOf(r)
	head := []string{tr(lang, "File"), tr(lang, "Row"), tr(lang, "Column"), tr(lang, "Value"), tr(lang, "Reason")}
	rows := make([][]any, len(probs))
	for i, pr := range probs {
		rows[i] = []any{pr.File, pr.Row, pr.Column, pr.Value, pr.Reason}
	}
	return writeTable(w, "rejects-"+strings.TrimSuffix(j.File, ".csv"), "csv", head, rows)
}
