package web

import (
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	botweb "aduan/bot/web"
	"aduan/flows"
	"aduan/locales"
)

// PracticeOptions is what the practice desk's page needs besides the desk.
type PracticeOptions struct {
	// Store is the practice desk's database: the citizen pane's uploads.
	Store ChatStore
	// Catalog renders the page's words (page.*).
	Catalog *locales.Catalog
	// Intake gives the limits of uploads, as on the real desk.
	Intake flows.Intake
	Log    *slog.Logger
}

// PracticeBase is where the practice desk's page lives: mount NewPractice's handler on
// PracticeBase and PracticeBase + "/".
const PracticeBase = "/latihan"

// Steps of the practice clock, as the page offers them (PracticeDesk.Advance).
var practiceSteps = []string{"hour", "day", "10d", "60d"}

// practicePage serves /latihan.
type practicePage struct {
	desk PracticeDesk
	PracticeOptions
	*chatPages

	mu       sync.Mutex
	happened []Happened // the latest clock moves, newest first
}

// keptMoves is how many clock moves the page lists.
const keptMoves = 5

// NewPractice returns the practice desk's page over desk, for PracticeBase and below:
//
//   - GET /latihan: the citizen's pane and one pane per unit (side by side on a wide
//     screen, tabs on a phone), the practice clock with its buttons and what the
//     scheduled checks did, the reset button, and a banner: nothing reaches a real group;
//   - POST /latihan/kirim: what a pane sent (pane: "warga" or a unit's code), as the
//     citizen or as the unit's member (botweb.Member); text a unit's pane typed in its
//     own box, neither a command nor in a request's reply box, is not sent: the page
//     answers with what to do (422 for the script);
//   - POST /latihan/waktu: moves the clock (step: hour, day, 10d, 60d);
//   - POST /latihan/reset: everything back to the start (confirm=ya);
//   - POST /latihan/bahasa: the page's language;
//   - GET /latihan/tunggu, /latihan/berkas, /latihan/dokumen: the script's wait for new
//     lines, a file and a document of a pane's lines.
//
// Cross-origin posts are refused (http.CrossOriginProtection).
func NewPractice(desk PracticeDesk, o PracticeOptions) http.Handler {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	p := &practicePage{desk: desk, PracticeOptions: o,
		chatPages: newChatPages(o.Catalog, o.Store, o.Intake, deskClock{desk}, o.Log, PracticeBase)}
	p.chatPages.loc = func() *time.Location {
		if cal := desk.Calendar(); cal != nil {
			return cal.Location()
		}
		return time.UTC
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+PracticeBase, p.page)
	mux.HandleFunc("GET "+PracticeBase+"/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, PracticeBase, http.StatusSeeOther)
	})
	mux.Handle("GET "+PracticeBase+"/static/", p.static)
	mux.HandleFunc("POST "+PracticeBase+"/kirim", p.send)
	mux.HandleFunc("POST "+PracticeBase+"/waktu", p.advance)
	mux.HandleFunc("POST "+PracticeBase+"/reset", p.reset)
	mux.HandleFunc("POST "+PracticeBase+"/bahasa", p.language)
	mux.HandleFunc("GET "+PracticeBase+"/tunggu", p.waitLines)
	mux.HandleFunc("GET "+PracticeBase+"/berkas", func(w http.ResponseWriter, r *http.Request) {
		if pc, ok := p.paneOf(r.URL.Query().Get("pane"), pageLang(r)); ok {
			p.serveFile(w, r, desk.Channel(), pc)
			return
		}
		http.NotFound(w, r)
	})
	mux.HandleFunc("GET "+PracticeBase+"/dokumen", func(w http.ResponseWriter, r *http.Request) {
		if pc, ok := p.paneOf(r.URL.Query().Get("pane"), pageLang(r)); ok {
			p.serveDocument(w, r, desk.Channel(), pc)
			return
		}
		http.NotFound(w, r)
	})
	return http.NewCrossOriginProtection().Handler(mux)
}

// deskClock is the practice clock as a flows.Clock.
type deskClock struct{ desk PracticeDesk }

func (c deskClock) Now() time.Time { return c.desk.Now() }

func (p *practicePage) text(lang, key string, data map[string]any) string {
	s, err := p.Catalog.Text(lang, "page."+key, data)
	if err != nil {
		p.Log.Warn("page text missing", "key", key, "err", err)
	}
	return s
}

// panes are the page's panes: the citizen's, then the units' in routing order.
func (p *practicePage) panes(lang string) []paneChat {
	chat := p.desk.Citizen()
	out := []paneChat{{ID: citizenPane, Title: p.text(lang, "latihan.citizen", nil), Chat: chat, User: chat,
		Name: p.text(lang, "latihan.citizen_name", nil), Citizen: true}}
	for _, u := range p.desk.Units() {
		chat := botweb.GroupChat(u.Code)
		role := p.text(lang, "latihan.member."+string(u.Kind), nil)
		out = append(out, paneChat{ID: u.Code, Title: u.Name, Chat: chat, User: botweb.Member(chat),
			Name: p.text(lang, "latihan.member_name", map[string]any{"Role": role})})
	}
	return out
}

// paneOf returns the pane called id.
func (p *practicePage) paneOf(id, lang string) (paneChat, bool) {
	for _, pc := range p.panes(lang) {
		if pc.ID == id {
			return pc, true
		}
	}
	return paneChat{}, false
}

// practiceView is the page as its template shows it.
type practiceView struct {
	Lang, Other, Title, Base string
	Panes                    []paneView
	Now                      string
	Day                      string
	Working                  bool
	Steps                    []stepButton
	Moves                    []moveView
	Error                    string
}

type stepButton struct{ Step, Label string }

type moveView struct {
	From, To string
	Events   []eventView
}

type eventView struct{ At, What, Tracking, Unit string }

func (p *practicePage) page(w http.ResponseWriter, r *http.Request) {
	lang := pageLang(r)
	ctx := r.Context()
	v := practiceView{Lang: lang, Other: otherLang(lang), Base: PracticeBase, Title: p.text(lang, "latihan.title", nil)}
	if e := r.URL.Query().Get("e"); pageErrors[e] {
		v.Error = p.text(lang, "error."+e, nil)
	}
	for _, pc := range p.panes(lang) {
		pane, err := p.pane(ctx, p.desk.Channel(), pc, lang, PracticeBase)
		if err != nil {
			p.Log.Error("web chat lines failed", "err", err)
			http.Error(w, p.text(lang, "error.failed", nil), http.StatusInternalServerError)
			return
		}
		v.Panes = append(v.Panes, pane)
	}
	loc := p.zone()
	now := p.desk.Now()
	v.Now = locales.Time(lang, now, loc)
	day := flows.DateOf(now, loc)
	cal := p.desk.Calendar()
	v.Working = cal != nil && cal.IsWorkingDay(day)
	switch {
	case v.Working:
		v.Day = p.text(lang, "latihan.working_day", nil)
	case cal != nil:
		if h, ok := cal.Holiday(day); ok {
			v.Day = p.text(lang, "latihan.holiday", map[string]any{"Name": h.Name})
		} else {
			v.Day = p.text(lang, "latihan.day_off", nil)
		}
	}
	for _, s := range practiceSteps {
		v.Steps = append(v.Steps, stepButton{Step: s, Label: p.text(lang, "latihan.step."+s, nil)})
	}
	units := map[string]string{}
	for _, u := range p.desk.Units() {
		units[u.Code] = u.Name
	}
	p.mu.Lock()
	moves := slices.Clone(p.happened)
	p.mu.Unlock()
	for _, h := range moves {
		m := moveView{From: locales.Time(lang, h.From, loc), To: locales.Time(lang, h.To, loc)}
		for _, e := range h.Events {
			m.Events = append(m.Events, eventView{At: locales.Time(lang, e.At, loc), What: p.text(lang, "latihan.event."+e.Kind, nil),
				Tracking: e.Tracking, Unit: cmpOr(units[e.Unit], e.Unit)})
		}
		v.Moves = append(v.Moves, m)
	}
	pageHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := p.tmpl.ExecuteTemplate(w, "latihan", v); err != nil {
		renderFailed(p.Log, "latihan", err)
	}
}

// practiceBack is the page after a post, on the pane posted from.
func practiceBack(pane, key string) string {
	u := PracticeBase
	if key != "" {
		u += "?e=" + key
	}
	if pane != "" {
		u += "#p-" + pane
	}
	return u
}

func (p *practicePage) send(w http.ResponseWriter, r *http.Request) {
	lang := pageLang(r)
	r.Body = http.MaxBytesReader(w, r.Body, p.Intake.MaxFileBytes+maxTextForm)
	var in botweb.Input
	var err error
	if ct := r.Header.Get("Content-Type"); len(ct) >= 19 && ct[:19] == "multipart/form-data" {
		err = r.ParseMultipartForm(1 << 20)
		if err == nil {
			defer r.MultipartForm.RemoveAll()
		}
	} else {
		err = r.ParseForm()
	}
	pane := r.FormValue("pane")
	pc, ok := p.paneOf(pane, lang)
	if !ok {
		answerError(w, r, http.StatusBadRequest, p.text(lang, "error.bad_form", nil), practiceBack("", "bad_form"))
		return
	}
	if err != nil {
		var tooLarge *http.MaxBytesError
		if !errors.As(err, &tooLarge) {
			answerError(w, r, http.StatusBadRequest, p.text(lang, "error.bad_form", nil), practiceBack(pane, "bad_form"))
			return
		}
		in.Unsupported = "too_large"
	} else {
		in = formInput(r)
		if pc.Citizen {
			if err := p.upload(r.Context(), r, &in, pc.Chat); err != nil {
				p.Log.Error("web upload failed", "err", err)
				answerError(w, r, http.StatusInternalServerError, p.text(lang, "error.failed", nil), practiceBack(pane, "failed"))
				return
			}
		}
	}
	if in.Text == "" && in.Command == "" && in.Choice == "" && in.Attachment == nil && in.Unsupported == "" {
		answerError(w, r, http.StatusBadRequest, p.text(lang, "error.empty", nil), practiceBack(pane, "empty"))
		return
	}
	if !pc.Citizen && in.Text != "" && in.Command == "" && in.Choice == "" && in.ReplyTo == "" {
		// A unit's group takes typed text only as a command or in a request's reply
		// box: the desk would pass over this in silence, as it does a group's talk.
		// The person is told what to do instead, and the text stays in their box.
		answerError(w, r, http.StatusUnprocessableEntity, p.text(lang, "error.unit_text", nil), practiceBack(pane, "unit_text"))
		return
	}
	in.Chat, in.User, in.Name, in.Lang = pc.Chat, pc.User, pc.Name, lang
	var watch []string
	for _, pc := range p.panes(lang) {
		watch = append(watch, pc.Chat)
	}
	if err := p.post(r, p.desk.Channel(), in, watch...); err != nil {
		p.Log.Error("web chat post failed", "err", err)
		answerError(w, r, http.StatusInternalServerError, p.text(lang, "error.failed", nil), practiceBack(pane, "failed"))
		return
	}
	answerDone(w, r, practiceBack(pane, ""))
}

func (p *practicePage) advance(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxTextForm)
	step := ""
	if err := r.ParseForm(); err == nil {
		step = r.PostFormValue("step")
	}
	if !slices.Contains(practiceSteps, step) {
		http.Redirect(w, r, practiceBack("jam", "bad_form"), http.StatusSeeOther)
		return
	}
	h, err := p.desk.Advance(r.Context(), step)
	if err != nil {
		p.Log.Error("practice clock move failed", "step", step, "err", err)
		http.Redirect(w, r, practiceBack("jam", "failed"), http.StatusSeeOther)
		return
	}
	p.mu.Lock()
	p.happened = append([]Happened{h}, p.happened...)
	if len(p.happened) > keptMoves {
		p.happened = p.happened[:keptMoves]
	}
	p.mu.Unlock()
	http.Redirect(w, r, PracticeBase+"#jam", http.StatusSeeOther)
}

func (p *practicePage) reset(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxTextForm)
	if err := r.ParseForm(); err != nil || r.PostFormValue("confirm") != "ya" {
		http.Redirect(w, r, practiceBack("jam", "bad_form"), http.StatusSeeOther)
		return
	}
	if err := p.desk.Reset(r.Context()); err != nil {
		p.Log.Error("practice reset failed", "err", err)
		http.Redirect(w, r, practiceBack("jam", "failed"), http.StatusSeeOther)
		return
	}
	p.mu.Lock()
	p.happened = nil
	p.mu.Unlock()
	http.Redirect(w, r, PracticeBase, http.StatusSeeOther)
}

func (p *practicePage) language(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxTextForm)
	if err := r.ParseForm(); err == nil {
		if lang := r.PostFormValue("lang"); lang == "id" || lang == "en" {
			http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: PracticeBase, MaxAge: 365 * 24 * 3600,
				HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
		}
	}
	http.Redirect(w, r, PracticeBase, http.StatusSeeOther)
}

func (p *practicePage) waitLines(w http.ResponseWriter, r *http.Request) {
	lang := pageLang(r)
	p.wait(w, r, p.desk.Channel(), p.panes(lang), lang, PracticeBase)
}
