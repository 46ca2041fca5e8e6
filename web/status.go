package web

import (
	"context"
	"embed"
	"encoding/json"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"aduan/flows"
	"aduan/locales"
	"aduan/store"
)

// The status page's routes, relative to the desk's root: mount the handler Status
// returns on each (mux.Handle(p, h)).
var StatusPaths = []string{"/status", "/status/", "/open311/"}

// Default limit of the status page's lookups per address (see Limiter): 10 in a row,
// then one a minute.
const (
	DefaultStatusBurst = 10
	DefaultStatusEvery = time.Minute
)

// Field sizes read from a lookup: longer values are cut (no tracking number or code is
// this long).
const (
	maxTrackingLen = 32
	maxCodeLen     = 32
	maxFormBytes   = 4 << 10
)

// StatusStore is what the status page needs of the database; *store.DB is one.
type StatusStore interface {
	// CheckAccess returns the complaint of tracking when code is its access code; ok
	// is false, and the error nil, both for an unknown number and for a wrong code.
	CheckAccess(ctx context.Context, tracking, code string) (flows.Complaint, bool, error)
	// Audit returns the complaint's audit trail, oldest first.
	Audit(ctx context.Context, id int64) ([]flows.AuditEvent, error)
}

var _ StatusStore = (*store.DB)(nil)

// StatusOptions is what the status page is made of; every field but Log is needed.
type StatusOptions struct {
	Store StatusStore
	// Catalog renders the page's words (locales.StatusPage, the state labels the
	// complainant sees in chats), with the desk's calendar (Catalog.WithCalendar) so
	// that deadlines show as citizens are told them.
	Catalog *locales.Catalog
	// Rules gives the units (their names) and the calendar's zone, asked at each
	// lookup.
	Rules func() *flows.Rules
	// Limiter limits lookups per address (Address). The web chat's code attempts may
	// share it, so that an address has one budget of guesses for both.
	Limiter *Limiter
	// Log is for the database's failures; nil discards. Nothing personal is logged,
	// nor the tracking numbers or codes tried.
	Log *slog.Logger
	// Base is the path the pages' links start with: "" for the desk's own /status, the
	// practice desk's path for its status page (mounted under it, the prefix stripped).
	Base string
}

//go:embed templates/status*.html
var statusFiles embed.FS

var statusTemplate = template.Must(template.New("").ParseFS(statusFiles, "templates/status*.html"))

// statusPage serves the status page and the Open311 read endpoint.
type statusPage struct {
	StatusOptions
}

// Status returns the public status page of complaints, for every path of StatusPaths:
//
//   - GET /status: the form, a tracking number and an access code;
//   - POST /status (the form) and GET /status/{tracking}?code=…: with the right code,
//     the complaint's state (as its complainant's chats word it), when it was filed,
//     its last change, its next deadline (the date) and the unit that holds it (its
//     name), and the history of its states with their times — never the complainant's
//     identity nor what they wrote; with a wrong code or an unknown number, one and the
//     same answer, 404 "not found or wrong code"; GET /status/{tracking} without a
//     code is the form for that number;
//   - GET /open311/v2/requests/{tracking}.json?code=…: the same as an Open311
//     GeoReport v2 service request (status open or closed, status_notes, service_name
//     the category's label, requested_datetime, updated_datetime, expected_datetime,
//     agency_responsible); 404 with an Open311 error for both a wrong code and an
//     unknown number.
//
// Every lookup takes a token of the address's bucket in the Limiter, given back when
// the code was right; an address without one gets 429 with Retry-After. Pages are in
// Indonesian unless ?lang=en or the browser's Accept-Language prefers English. Answers
// are not cached and send no Referer (a link may hold the code). Cross-origin POSTs are
// refused (http.CrossOriginProtection): other sites' visitors cannot be made to guess.
func Status(o StatusOptions) http.Handler {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	p := &statusPage{StatusOptions: o}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /status", p.form)
	mux.HandleFunc("POST /status", p.post)
	mux.HandleFunc("GET /status/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, o.Base+"/status", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /status/{tracking}", p.get)
	mux.HandleFunc("GET /open311/v2/requests/{file}", p.open311)
	return http.NewCrossOriginProtection().Handler(headers(mux))
}

// headers sets what every answer of the status page carries.
func headers(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Referrer-Policy", "no-referrer")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("X-Robots-Tag", "noindex")
		// The page has its style inline and no script; it is never framed.
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
		h.ServeHTTP(w, r)
	})
}

// lang is the language of the page: ?lang=id or en, else the browser's preference.
func lang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "id" || l == "en" {
		return l
	}
	return locales.Lang(r.Header.Get("Accept-Language"))
}

// cut returns s trimmed, at most n bytes.
func cut(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		s = s[:n]
	}
	return s
}

// view is what the page's template shows.
type view struct {
	Base        string            // the links' path (StatusOptions.Base)
	Lang, Other string            // the page's language and the other one
	L           map[string]string // the page's words: locales.StatusPage without "status.", dots as "_"
	Tracking    string            // the number the form is filled with
	Message     string            // the refusal or failure, when there is one
	Result      *result           // the complaint, with the right code
}

// result is a complaint as the page shows it.
type result struct {
	Heading, State, Filed, Updated, Due, Unit string
	History                                   []step
}

// step is one change of state in a complaint's history.
type step struct{ At, State string }

// words renders the page's words in lang.
func (p *statusPage) words(lang string) map[string]string {
	out := make(map[string]string, len(locales.StatusPage))
	for _, id := range locales.StatusPage {
		if id == "status.heading" || strings.HasPrefix(id, "status.due.") {
			continue // they take data: see result
		}
		text, err := p.Catalog.Text(lang, id, nil)
		if err != nil {
			p.Log.Warn("message rendering incomplete", "msg", id, "err", err)
		}
		out[strings.ReplaceAll(strings.TrimPrefix(id, "status."), ".", "_")] = text
	}
	return out
}

func (p *statusPage) render(w http.ResponseWriter, r *http.Request, code int, v view) {
	v.Base, v.Lang = p.Base, lang(r)
	v.Other = map[string]string{"id": "en", "en": "id"}[v.Lang]
	v.L = p.words(v.Lang)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", v.Lang)
	w.WriteHeader(code)
	if err := statusTemplate.ExecuteTemplate(w, "status.html", v); err != nil {
		renderFailed(p.Log, "status", err)
	}
}

// form is GET /status: the empty form.
func (p *statusPage) form(w http.ResponseWriter, r *http.Request) {
	p.render(w, r, http.StatusOK, view{})
}

// get is GET /status/{tracking}: the lookup with ?code=, or the form for the number.
func (p *statusPage) get(w http.ResponseWriter, r *http.Request) {
	tracking := cut(r.PathValue("tracking"), maxTrackingLen)
	code := cut(r.URL.Query().Get("code"), maxCodeLen)
	if code == "" {
		p.render(w, r, http.StatusOK, view{Tracking: strings.ToUpper(tracking)})
		return
	}
	p.lookup(w, r, tracking, code)
}

// post is the form's POST /status.
func (p *statusPage) post(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		p.render(w, r, http.StatusBadRequest, view{})
		return
	}
	p.lookup(w, r, cut(r.PostFormValue("tracking"), maxTrackingLen), cut(r.PostFormValue("code"), maxCodeLen))
}

// check looks up tracking with code under the address's limit. It answers the refusals
// itself (through refuse) and returns ok with the complaint only for the right code.
func (p *statusPage) check(w http.ResponseWriter, r *http.Request, tracking, code string, refuse func(status int, msg string)) (flows.Complaint, bool) {
	addr := Address(r)
	if ok, wait := p.Limiter.Allow(addr); !ok {
		w.Header().Set("Retry-After", retryAfter(wait))
		refuse(http.StatusTooManyRequests, "too_many")
		return flows.Complaint{}, false
	}
	c, ok, err := p.Store.CheckAccess(r.Context(), tracking, code)
	if err != nil {
		p.Log.Error("status lookup failed", "err", err)
		refuse(http.StatusInternalServerError, "failed")
		return flows.Complaint{}, false
	}
	if !ok {
		refuse(http.StatusNotFound, "not_found")
		return flows.Complaint{}, false
	}
	p.Limiter.Refund(addr)
	return c, true
}

// retryAfter is a Retry-After value: whole seconds, at least one.
func retryAfter(d time.Duration) string {
	s := int64((d + time.Second - 1) / time.Second)
	return strconv.FormatInt(max(s, 1), 10)
}

// lookup answers a lookup of the page.
func (p *statusPage) lookup(w http.ResponseWriter, r *http.Request, tracking, code string) {
	c, ok := p.check(w, r, tracking, code, func(status int, msg string) {
		p.render(w, r, status, view{Message: msg})
	})
	if !ok {
		return
	}
	res, err := p.result(r.Context(), lang(r), c)
	if err != nil {
		p.Log.Error("status lookup failed", "err", err)
		p.render(w, r, http.StatusInternalServerError, view{Message: "failed"})
		return
	}
	p.render(w, r, http.StatusOK, view{Result: &res})
}

// history is a complaint's changes of state, oldest first: its filing and every event
// that moved it.
func history(trail []flows.AuditEvent) []flows.AuditEvent {
	var out []flows.AuditEvent
	for _, e := range trail {
		if e.ToState != "" && e.ToState != e.FromState {
			out = append(out, e)
		}
	}
	return out
}

// result is complaint c as the page shows it in lang.
func (p *statusPage) result(ctx context.Context, lang string, c flows.Complaint) (result, error) {
	trail, err := p.Store.Audit(ctx, c.ID)
	if err != nil {
		return result{}, err
	}
	rules := p.Rules()
	loc := rules.Calendar.Location()
	heading, _ := p.Catalog.Text(lang, "status.heading", map[string]any{"Tracking": c.Tracking})
	res := result{Heading: heading, State: p.Catalog.State(lang, c.State), Filed: locales.Time(lang, c.FiledAt, loc)}
	updated := c.FiledAt
	for _, e := range history(trail) {
		res.History = append(res.History, step{At: locales.Time(lang, e.At, loc), State: p.Catalog.State(lang, e.ToState)})
		updated = e.At
	}
	res.Updated = locales.Time(lang, updated, loc)
	if !c.State.Final() {
		if !c.Due.IsZero() && c.DueKind != flows.NoDue {
			due := locales.Date(lang, p.Catalog.Deadline(c.Due), loc)
			res.Due, _ = p.Catalog.Text(lang, "status.due."+string(c.DueKind), map[string]any{"DueDate": due})
		}
		if u, ok := rules.Units.Unit(c.Unit); ok {
			res.Unit = u.Name
		}
	}
	return res, nil
}

// request is an Open311 GeoReport v2 service request: what the status page shows, in
// the specification's fields. Nothing of the complainant or of what they wrote.
type request struct {
	ID                string `json:"service_request_id"`
	Status            string `json:"status"` // "open" or "closed"
	StatusNotes       string `json:"status_notes"`
	ServiceName       string `json:"service_name"`
	ServiceCode       string `json:"service_code"`
	AgencyResponsible string `json:"agency_responsible"`
	Requested         string `json:"requested_datetime"`
	Updated           string `json:"updated_datetime"`
	Expected          string `json:"expected_datetime,omitempty"`
}

// open311Error is an Open311 error.
type open311Error struct {
	Code        int    `json:"code"`
	Description string `json:"description"`
}

// open311 is GET /open311/v2/requests/{tracking}.json?code=….
func (p *statusPage) open311(w http.ResponseWriter, r *http.Request) {
	lang := lang(r)
	fail := func(status int, msg string) {
		text, _ := p.Catalog.Text(lang, "status."+msg, nil)
		writeJSON(w, status, []open311Error{{Code: status, Description: text}})
	}
	tracking, ok := strings.CutSuffix(r.PathValue("file"), ".json")
	if !ok {
		writeJSON(w, http.StatusNotFound, []open311Error{{Code: http.StatusNotFound, Description: "format not supported: .json only"}})
		return
	}
	c, ok := p.check(w, r, cut(tracking, maxTrackingLen), cut(r.URL.Query().Get("code"), maxCodeLen), fail)
	if !ok {
		return
	}
	trail, err := p.Store.Audit(r.Context(), c.ID)
	if err != nil {
		p.Log.Error("status lookup failed", "err", err)
		fail(http.StatusInternalServerError, "failed")
		return
	}
	rules := p.Rules()
	loc := rules.Calendar.Location()
	updated := c.FiledAt
	if h := history(trail); len(h) > 0 {
		updated = h[len(h)-1].At
	}
	req := request{ID: c.Tracking, Status: "open", StatusNotes: p.Catalog.State(lang, c.State),
		ServiceName: p.Catalog.Category(lang, c.Category), ServiceCode: c.Category,
		Requested: c.FiledAt.In(loc).Format(time.RFC3339), Updated: updated.In(loc).Format(time.RFC3339)}
	if c.State.Final() {
		req.Status = "closed"
	} else {
		if !c.Due.IsZero() && c.DueKind != flows.NoDue {
			req.Expected = p.Catalog.Deadline(c.Due).In(loc).Format(time.RFC3339)
		}
	}
	if u, ok := rules.Units.Unit(c.Unit); ok {
		req.AgencyResponsible = u.Name
	}
	writeJSON(w, http.StatusOK, []request{req})
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
