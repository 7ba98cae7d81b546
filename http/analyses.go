package kexihttp

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/kexi/kexi"
	"github.com/kexi/kexi/analysis"
	"github.com/kexi/kexi/render"
)

// reservedParams are query parameters of analysis pages and calls that are not options.
var reservedParams = map[string]bool{"as_of": true, "from": true, "to": true, "period": true, "format": true,
	"table": true, "lang": true}

// analysisInput reads as_of, from, to and the analysis's declared options from a query
// (analysis.Request: as of a day means through its end). The dates are days in loc (the
// business's time zone) within dates. With strict set (the API), a parameter that is neither
// is an error; pages ignore strays.
func analysisInput(info analysis.Info, q url.Values, strict bool, loc *time.Location, dates kexi.Dates) (analysis.Input, error) {
	req := request(q)
	in := analysis.Input{Options: map[string]string{}}
	if err := req.Days(&in, loc, dates); err != nil {
		return in, err
	}
	in.Options = req.OptionsFor(info)
	if strict {
		for k := range req.Options {
			if analysis.Unknown([]string{k}, info) != "" && !strings.HasPrefix(k, "page_") {
				return in, fieldError(k, q.Get(k), "unknown option for "+info.Name)
			}
		}
	}
	return in, nil
}

// runAnalysis runs a on the scope's Dataset d with in's dates and options, cached at d's data
// version. It returns the result and how long the computation took (when it ran).
func (s *Server) runAnalysis(ctx context.Context, sc kexi.Scope, a analysis.Analysis, in analysis.Input, d *data) (*analysis.Result, time.Duration, error) {
	key, run := s.analysisRun(ctx, sc, a, in, d)
	val, took, err := s.cache.get(ctx, d.v, key, run)
	if err != nil {
		return nil, 0, err
	}
	return val.(*analysis.Result), took, nil
}

// analysisRun is the cache key of a run of a on d and the function that computes it.
func (s *Server) analysisRun(ctx context.Context, sc kexi.Scope, a analysis.Analysis, in analysis.Input, d *data) (string, func(context.Context) (any, error)) {
	info := a.Info()
	set := s.cachedSettings(ctx)
	key := s.analysisKey(ctx, sc, info.Name, in)
	return key, func(ctx context.Context) (res any, err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("analysis %s panicked: %v\n%s", info.Name, p, debug.Stack())
			}
		}()
		in.Data = d.ds
		in.Settings = set
		r, err := analysis.Run(ctx, a, in)
		if err != nil {
			return nil, err
		}
		return r, nil
	}
}

// analysisKey is the cache key of an analysis run: scope, dates, options and the settings the
// analyses read.
func (s *Server) analysisKey(ctx context.Context, sc kexi.Scope, name string, in analysis.Input) string {
	set := s.cachedSettings(ctx)
	return fmt.Sprintf("analysis %s %s as_of=%s from=%s to=%s set=%s/%g/%s opts=%s", name, scopeKey(sc),
		in.AsOf.Format(time.RFC3339Nano), in.From.Format(time.RFC3339), in.To.Format(time.RFC3339),
		set.Currency, set.CostPerMinute, set.TimeZone, optionsKey(in.Options))
}

// analysisFor finds the {name} analysis and runs it for the request.
func (s *Server) analysisFor(r *http.Request, strict bool) (analysis.Analysis, analysis.Input, *analysis.Result, *data, time.Duration, error) {
	a := s.byName[r.PathValue("name")]
	if a == nil {
		return nil, analysis.Input{}, nil, nil, 0, errNotFound
	}
	in, err := analysisInput(a.Info(), r.URL.Query(), strict, s.zone(r.Context()), s.dates())
	if err != nil {
		return a, in, nil, nil, 0, err
	}
	sc := scopeOf(r)
	d, err := s.dataset(r.Context(), sc, analysis.Parts(a))
	if err != nil {
		return a, in, nil, nil, 0, err
	}
	pc, err := s.periodFor(r.Context(), r.URL.Query(), "all", strict, sc)
	if err != nil {
		return a, in, nil, nil, 0, err
	}
	pc.Apply(&in)
	res, took, err := s.runAnalysis(r.Context(), sc, a, in, d)
	return a, in, res, d, took, err
}

func (s *Server) apiAnalyses(w http.ResponseWriter, r *http.Request) error {
	infos := make([]analysis.Info, 0, len(s.analyses))
	for _, a := range s.analyses {
		infos = append(infos, a.Info())
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": infos})
	return nil
}

// apiAnalysis answers an analysis result as JSON; the encoded result is cached beside it, so
// a large table is encoded once per data version.
func (s *Server) apiAnalysis(w http.ResponseWriter, r *http.Request) error {
	a, in, res, d, _, err := s.analysisFor(r, true)
	if err != nil {
		return err
	}
	body, _, err := s.cache.get(r.Context(), d.v, "json "+s.analysisKey(r.Context(), scopeOf(r), a.Info().Name, in),
		func(context.Context) (any, error) { return encodeJSON(res) })
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(body.([]byte))
	return err
}

func (s *Server) apiDashboard(w http.ResponseWriter, r *http.Request) error {
	for k := range r.URL.Query() {
		if k != "period" && k != "from" && k != "to" && k != "as_of" && k != "lang" {
			return fieldError(k, r.URL.Query().Get(k), "unknown parameter: expected period, from, to or as_of")
		}
	}
	pc, err := s.periodFor(r.Context(), r.URL.Query(), dashboardPeriod, true, scopeOf(r))
	if err != nil {
		return err
	}
	h, err := s.dashboard(r.Context(), scopeOf(r), pc)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, h)
	return nil
}

// handleAnalysisExport downloads one table of an analysis (?table=KEY, default the first) as
// CSV or XLSX (?format=).
func (s *Server) handleAnalysisExport(w http.ResponseWriter, r *http.Request) error {
	a, _, res, d, _, err := s.analysisFor(r, false)
	if err != nil {
		return err
	}
	format, err := exportFormat(r)
	if err != nil {
		return err
	}
	if len(res.Tables) == 0 {
		return kexi.Errorf(kexi.ENOTFOUND, "this analysis has no table")
	}
	t := &res.Tables[0]
	if k := r.URL.Query().Get("table"); k != "" {
		if t = res.Table(k); t == nil {
			return errNotFound
		}
	}
	info := a.Info()
	lang := langOf(r)
	head, rows := render.FileRows(&info, lang, t, s.cachedSettings(r.Context()).Labels, func(id any) string { return customerName(d, id) })
	s.audit(r, "export", "analysis:"+info.Name, "table="+t.Key+" format="+format)
	return writeTable(w, info.Name+"-"+t.Key, format, head, rows)
}

// customerName returns the name of the customer whose id is v (an int64 or int), or "".
func customerName(d *data, v any) string {
	var id int64
	switch x := v.(type) {
	case int64:
		id = x
	case int:
		id = int64(x)
	default:
		return ""
	}
	if d == nil {
		return ""
	}
	if i, ok := d.index[id]; ok {
		c := &d.ds.Customers[i]
		if c.Name != "" {
			return c.Name
		}
		return c.ExternalID
	}
	return ""
}
