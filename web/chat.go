package web

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"aduan/bot"
	botweb "aduan/bot/web"
	"aduan/flows"
	"aduan/locales"
	"aduan/store"
)

// The chat pane is what /lapor and /latihan share: a chat's lines as the page shows
// them (the desk's messages with their buttons as small forms, reply boxes, files and
// documents; the person's own lines), a text box and, for a citizen, an upload. Every
// form is a plain POST answered by a redirect (303) back to the page, so the page works
// without JavaScript; the page's own script (static/chat.js) posts the same forms with
// fetch and keeps the panes current by waiting on the server (chatWait).

//go:embed templates/layout.html templates/pane.html templates/lapor.html templates/latihan.html
var pageFiles embed.FS

//go:embed static
var staticFiles embed.FS

// ChatStore is what the chat pages need of the store besides the web channel: files
// and the version of a chat's lines; *store.DB is one.
type ChatStore interface {
	// SaveFile keeps an uploaded file's bytes and returns the reference to give the desk.
	// chat is the conversation whose draft holds the file until it is filed.
	SaveFile(ctx context.Context, channel, chat, fileRef, name, mime string, data []byte, now time.Time) (string, error)
	// Attachment returns a kept file by its reference, or store.ErrNotFound.
	Attachment(ctx context.Context, ref string) (name, mime string, data []byte, err error)
	// DraftFiles returns the step of a chat's conversation and how many files its draft
	// holds (flows.StepMenu and 0 for a chat without a conversation).
	DraftFiles(ctx context.Context, channel, chat string) (flows.Step, int, error)
	// WebVersion returns the latest version of a web chat's lines (0 for none).
	WebVersion(ctx context.Context, chat string) (int64, error)
	// LogAccess records in the access log that who viewed or exported what of a
	// complaint (0: of none): a unit's group downloading a document or a file.
	LogAccess(ctx context.Context, who, what string, complaintID int64, now time.Time) error
}

var _ ChatStore = (*store.DB)(nil)

// Limits of what a page accepts.
const (
	// maxTextForm is the largest form without a file: a description of
	// flows.Intake.MaxBody characters fits many times.
	maxTextForm = 64 << 10
	// maxTyped is the most characters of typed text passed on; the desk refuses
	// descriptions over its own limit with a message of its own.
	maxTyped = 20000
	// waitLongest is how long a page's wait for changes is held open; waitPoll how often
	// a waiting page looks in the database too (lines written by another replica).
	waitLongest = 25 * time.Second
	waitPoll    = 3 * time.Second
	// settleFirst is how long a post waits for the desk's first answer before the page
	// is shown again; settleMore how long it then waits for more of it.
	settleFirst = 3 * time.Second
	settleMore  = 250 * time.Millisecond
)

// paneChat is one chat shown in a pane, and who the person typing in it is.
type paneChat struct {
	ID    string // the pane's name in forms and in the page ("warga", a unit's code)
	Title string
	Chat  string // the web channel's chat
	User  string
	Name  string // the person's display name, as the desk sees it
	// Citizen panes have an upload.
	Citizen bool
}

// paneView is a pane as the template shows it.
type paneView struct {
	paneChat
	Lang     string
	Base     string // the page's path ("/lapor", "/latihan")
	Version  int64
	Lines    []lineView
	MaxBytes int64
	MaxMB    int64
	// Started is false for a chat without a line yet.
	Started bool
}

// lineView is one line of a pane.
type lineView struct {
	Ref    string
	Mine   bool
	Name   string
	Blocks []string
	Rows   [][]bot.Option
	Reply  bool // a text box answers this line (flows.AskReply)
	Card   bool
	Edited bool
	Notice bool // the answer to the person's own press, or an alert
	Alert  bool
	Files  []fileView
	Doc    string // the name of the line's document, when it carries one
	At     string
}

// fileView is one attachment of a line.
type fileView struct {
	URL   string
	Name  string
	Image bool
	Map   string // a location: a link to a map
	Label string
}

// chatPages is what /lapor and /latihan have in common.
type chatPages struct {
	catalog *locales.Catalog
	files   ChatStore
	intake  flows.Intake
	clock   flows.Clock
	log     *slog.Logger
	loc     func() *time.Location
	waiters waiters
	tmpl    *template.Template
	static  http.Handler
}

func newChatPages(catalog *locales.Catalog, files ChatStore, intake flows.Intake, clock flows.Clock, log *slog.Logger, base string) *chatPages {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := &chatPages{catalog: catalog, files: files, intake: intake, clock: clock, log: log}
	var texts sync.Map // lang + "/" + key -> the text of a key without data (they do not change)
	funcs := template.FuncMap{
		"t": func(lang, key string, args ...any) string {
			if len(args) == 0 {
				if s, ok := texts.Load(lang + "/" + key); ok {
					return s.(string)
				}
			}
			data := map[string]any{}
			for i := 0; i+1 < len(args); i += 2 {
				data[fmt.Sprint(args[i])] = args[i+1]
			}
			s, err := catalog.Text(lang, "page."+key, data)
			if err != nil {
				log.Warn("page text missing", "key", key, "err", err)
			} else if len(args) == 0 {
				texts.Store(lang+"/"+key, s)
			}
			return s
		},
		"pct": func(s string) string { return url.QueryEscape(s) },
	}
	p.tmpl = template.Must(template.New("").Funcs(funcs).ParseFS(pageFiles,
		"templates/layout.html", "templates/pane.html", "templates/lapor.html", "templates/latihan.html"))
	sub, _ := fs.Sub(staticFiles, "static")
	p.static = http.StripPrefix(base+"/static/", cacheFor(http.FileServerFS(sub)))
	return p
}

// cacheFor lets browsers keep the static files a day: phones on patchy data fetch them once.
func cacheFor(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		h.ServeHTTP(w, r)
	})
}

// pageHeaders are the headers of every page: nothing from elsewhere, nothing kept.
func pageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
}

// pane reads a chat's lines and makes its pane.
func (p *chatPages) pane(ctx context.Context, ch *botweb.Channel, pc paneChat, lang, base string) (paneView, error) {
	lines, version, err := ch.Lines(ctx, pc.Chat, 0)
	if err != nil {
		return paneView{}, err
	}
	v := paneView{paneChat: pc, Lang: lang, Base: base, Version: version, MaxBytes: p.intake.MaxFileBytes,
		MaxMB: max(p.intake.MaxFileBytes>>20, 1), Started: len(lines) > 0}
	for _, l := range lines {
		v.Lines = append(v.Lines, p.line(l, pc, lang, base))
	}
	return v, nil
}

// line makes one line of a pane.
func (p *chatPages) line(l botweb.StoredLine, pc paneChat, lang, base string) lineView {
	v := lineView{Ref: l.Ref, Mine: l.From == botweb.FromPerson, Name: l.Name, Card: l.Message.Card,
		Edited: l.Edited, Notice: l.Answer || l.Alert, Alert: l.Alert, At: l.At.In(p.zone()).Format("15:04")}
	if v.Mine {
		switch {
		case l.Text == "/start":
			// The page's own start button, not a command the person typed.
			s, _ := p.catalog.Text(lang, "page.lapor.start", nil)
			v.Blocks = []string{s}
		case strings.HasPrefix(l.Text, "/") && !strings.Contains(l.Text, " "):
			v.Blocks = []string{strings.TrimPrefix(l.Text, "/")} // a command word the person typed
		case l.Text != "":
			v.Blocks = []string{l.Text}
		}
	} else {
		v.Blocks = l.Message.Blocks
		v.Rows = l.Message.Choices
		v.Reply = l.Message.Ask == flows.AskReply
	}
	for _, f := range l.Files {
		fv := fileView{Name: f.Name}
		switch f.Kind {
		case "location":
			if lat, long, ok := f.Location(); ok {
				fv.Label = fmt.Sprintf("%.5f, %.5f", lat, long)
				fv.Map = fmt.Sprintf("https://www.openstreetmap.org/?mlat=%.6f&mlon=%.6f#map=17/%.6f/%.6f", lat, long, lat, long)
			}
		default:
			if f.Ref == "" {
				fv.Label = f.Name // not kept (too large, no room in the draft)
				break
			}
			fv.URL = base + "/berkas?pane=" + url.QueryEscape(pc.ID) + "&ref=" + url.QueryEscape(f.Ref)
			fv.Image = f.Kind == "photo"
			fv.Label = cmpOr(f.Name, f.Ref)
		}
		v.Files = append(v.Files, fv)
	}
	if l.Document != nil {
		v.Doc = l.Document.Name
	}
	return v
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// zone is where line times are shown: the desk's calendar's.
func (p *chatPages) zone() *time.Location {
	if p.loc != nil {
		if loc := p.loc(); loc != nil {
			return loc
		}
	}
	return time.UTC
}

// renderPane writes a pane's lines (the inside of its list) to w.
func (p *chatPages) renderLines(w io.Writer, v paneView) error {
	return p.tmpl.ExecuteTemplate(w, "lines", v)
}

// formInput is what a chat form posted, as the desk's input: typed text (a command
// word typed alone is the command, as on WhatsApp), a pressed button's data and label,
// a reply to a line.
func formInput(r *http.Request) botweb.Input {
	in := botweb.Input{Choice: trimTo(r.PostFormValue("choice"), 256), Label: trimTo(r.PostFormValue("label"), 256),
		ReplyTo: trimTo(r.PostFormValue("reply_to"), 64)}
	text := strings.TrimSpace(r.PostFormValue("text"))
	if len(text) > maxTyped*4 {
		text = text[:maxTyped*4]
	}
	if cmd, ok := locales.CommandWord(strings.TrimPrefix(text, "/")); ok && in.Choice == "" {
		in.Command = cmd
		return in
	}
	in.Text = text
	return in
}

func trimTo(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return s[:n]
	}
	return s
}

// errFileTooLarge is an upload over the intake's limit.
var errFileTooLarge = errors.New("web: file too large")

// upload reads the file of a multipart form, if any, and keeps it when the chat's
// draft has room for it, as the chat channels do: a file over MaxFileBytes becomes
// Unsupported "too_large"; one the conversation would refuse (no draft, no room) is
// passed on without being kept, for the desk to say why.
func (p *chatPages) upload(ctx context.Context, r *http.Request, in *botweb.Input, chat string) error {
	if loc, ok := location(r.PostFormValue("lat"), r.PostFormValue("long")); ok {
		in.Attachment = &loc
		return nil
	}
	if r.MultipartForm == nil {
		return nil // a form without a file field
	}
	f, hdr, err := r.FormFile("file")
	if errors.Is(err, http.ErrMissingFile) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if hdr.Size > p.intake.MaxFileBytes {
		in.Unsupported = "too_large"
		return nil
	}
	if hdr.Size == 0 {
		return nil
	}
	data, err := io.ReadAll(io.LimitReader(f, p.intake.MaxFileBytes+1))
	if err != nil {
		return err
	}
	if int64(len(data)) > p.intake.MaxFileBytes {
		in.Unsupported = "too_large"
		return nil
	}
	mime := http.DetectContentType(data)
	kind := "document"
	if isImage(mime) {
		kind = "photo"
	}
	name := fileName(hdr, kind)
	step, files, err := p.files.DraftFiles(ctx, botweb.Name, chat)
	if err != nil {
		return err
	}
	s := flows.Session{Step: step}
	if !s.Filing() || step == flows.StepConsent || (p.intake.MaxFiles > 0 && files >= p.intake.MaxFiles) {
		in.Attachment = &flows.Attachment{Kind: kind, Name: name, Size: int64(len(data))}
		return nil
	}
	ref, err := p.files.SaveFile(ctx, botweb.Name, chat, "up-"+strings.ToLower(rand.Text()), name, mime, data, p.clock.Now())
	if err != nil {
		return err
	}
	in.Attachment = &flows.Attachment{Kind: kind, Ref: ref, Name: name, Size: int64(len(data))}
	return nil
}

// location is the location a page's script sent (the browser's position), when both
// coordinates are valid.
func location(lat, long string) (flows.Attachment, bool) {
	if lat == "" || long == "" {
		return flows.Attachment{}, false
	}
	a := flows.Attachment{Kind: "location", Ref: trimTo(lat, 20) + "," + trimTo(long, 20)}
	la, lo, ok := a.Location()
	if !ok {
		return flows.Attachment{}, false
	}
	a.Ref = fmt.Sprintf("%.6f,%.6f", la, lo)
	return a, true
}

// isImage reports whether a sniffed type is a photo a browser shows.
func isImage(mime string) bool {
	switch mime {
	case "image/jpeg", "image/png", "image/gif", "image/webp":
		return true
	}
	return false
}

// fileName is an upload's name, without any folder, at most 100 bytes.
func fileName(h *multipart.FileHeader, kind string) string {
	name := h.Filename
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, strings.TrimSpace(name))
	if len(name) > 100 {
		name = name[len(name)-100:]
	}
	if name == "" {
		if kind == "photo" {
			return "foto"
		}
		return "dokumen"
	}
	return name
}

// post sends in to the desk. For a page without JavaScript it then waits a little for
// the desk's answer, so that the page shown again (after the redirect) has it: until
// the desk wrote a line in one of the chats watched (in.Chat's when none is given; the
// practice page watches all its panes) after the person's, and then until nothing more
// came for a moment. The page's script does not wait: its wait for changes brings the
// answer.
func (p *chatPages) post(r *http.Request, ch *botweb.Channel, in botweb.Input, watch ...string) error {
	ctx := r.Context()
	if fromScript(r) {
		_, err := ch.Post(ctx, in)
		return err
	}
	if len(watch) == 0 {
		watch = []string{in.Chat}
	}
	seen := make([]int64, len(watch))
	for i, chat := range watch {
		v, err := p.files.WebVersion(ctx, chat)
		if err != nil {
			return err
		}
		seen[i] = v
	}
	if _, err := ch.Post(ctx, in); err != nil {
		return err
	}
	first := time.NewTimer(settleFirst)
	defer first.Stop()
	var quiet *time.Timer
	defer func() {
		if quiet != nil {
			quiet.Stop()
		}
	}()
	for {
		woke, end := ch.WaitAny(watch...)
		answered := false
		for i, chat := range watch {
			lines, v, err := ch.Lines(ctx, chat, seen[i])
			if err != nil {
				end()
				return err
			}
			seen[i] = v
			for _, l := range lines {
				answered = answered || l.From == botweb.FromDesk
			}
		}
		if answered {
			// Something came: wait until nothing more comes for a moment.
			if quiet != nil {
				quiet.Stop()
			}
			quiet = time.NewTimer(settleMore)
		}
		var more <-chan time.Time
		if quiet != nil {
			more = quiet.C
		}
		select {
		case <-woke:
			end()
		case <-more:
			end()
			return nil
		case <-first.C:
			end()
			return nil
		case <-ctx.Done():
			end()
			return nil
		}
	}
}

// allLines returns every line of the pane's chat, for what a download may serve; when
// they cannot be read it answers the request with an error and returns false.
func (p *chatPages) allLines(w http.ResponseWriter, r *http.Request, ch *botweb.Channel, pc paneChat) ([]botweb.StoredLine, bool) {
	lines, _, err := ch.Lines(r.Context(), pc.Chat, 0)
	if err != nil {
		p.log.Error("web chat lines failed", "err", err)
		http.Error(w, "error", http.StatusInternalServerError)
		return nil, false
	}
	return lines, true
}

// serveFile serves an attachment a line of the pane's chat names, and only then: a
// photo inline, anything else as a download, never as a page of this site.
func (p *chatPages) serveFile(w http.ResponseWriter, r *http.Request, ch *botweb.Channel, pc paneChat) {
	ref := r.URL.Query().Get("ref")
	lines, ok := p.allLines(w, r, ch, pc)
	if !ok {
		return
	}
	found := false
	var complaint int64
	for _, l := range lines {
		for _, f := range l.Files {
			if ref != "" && f.Ref == ref && f.Kind != "location" {
				if !found || complaint == 0 {
					complaint = l.Complaint
				}
				found = true
			}
		}
	}
	if !found {
		http.NotFound(w, r)
		return
	}
	name, _, data, err := p.files.Attachment(r.Context(), ref)
	if errors.Is(err, store.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		p.log.Error("web attachment failed", "err", err)
		http.Error(w, "error", http.StatusInternalServerError)
		return
	}
	if !p.logGroupAccess(w, r, pc, store.AccessWebFile, complaint) {
		return
	}
	mime := http.DetectContentType(data)
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, max-age=3600")
	disp := "attachment"
	if isImage(mime) {
		disp = "inline"
		h.Set("Content-Type", mime)
	} else {
		h.Set("Content-Type", "application/octet-stream")
	}
	h.Set("Content-Disposition", disp+"; filename*=UTF-8''"+url.PathEscape(name))
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.Write(data)
}

// serveDocument serves the document of a line of the pane's chat (a complaint's record)
// as a text file to download.
func (p *chatPages) serveDocument(w http.ResponseWriter, r *http.Request, ch *botweb.Channel, pc paneChat) {
	ref := r.URL.Query().Get("line")
	lines, ok := p.allLines(w, r, ch, pc)
	if !ok {
		return
	}
	for _, l := range lines {
		if l.Ref == ref && l.Document != nil {
			if !p.logGroupAccess(w, r, pc, store.AccessWebDocument, l.Complaint) {
				return
			}
			h := w.Header()
			h.Set("Content-Type", "text/plain; charset=utf-8")
			h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(l.Document.Name))
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Cache-Control", "no-store")
			io.WriteString(w, l.Document.Text)
			return
		}
	}
	http.NotFound(w, r)
}

// logGroupAccess records a download of what in a unit's group chat (the practice
// desk's unit panes, any web group) in the access log, by "unit:<code>", before it is
// served; a citizen's own chat is not staff and is not logged. It answers the request
// with an error and returns false when the line cannot be written: nothing is served
// unrecorded.
func (p *chatPages) logGroupAccess(w http.ResponseWriter, r *http.Request, pc paneChat, what string, complaint int64) bool {
	if !botweb.IsGroup(pc.Chat) {
		return true
	}
	who := "unit:" + strings.TrimPrefix(pc.Chat, botweb.GroupPrefix)
	if err := p.files.LogAccess(r.Context(), who, what, complaint, p.clock.Now()); err != nil {
		p.log.Error("web access log failed", "what", what, "err", err)
		http.Error(w, "error", http.StatusInternalServerError)
		return false
	}
	return true
}

// paneUpdate is a pane's new lines for the page's script.
type paneUpdate struct {
	Version int64  `json:"v"`
	HTML    string `json:"html"`
}

// wait answers a page's script waiting for its panes to change (GET …/tunggu?v=pane:version,…):
// as soon as one of them has a line newer than the version the page shows, the changed
// panes' lines as JSON; 204 after waitLongest without a change. It looks in the
// database every waitPoll too, for lines another replica wrote.
func (p *chatPages) wait(w http.ResponseWriter, r *http.Request, ch *botweb.Channel, panes []paneChat, lang, base string) {
	if !p.waiters.enter(Address(r)) {
		w.Header().Set("Retry-After", "10")
		http.Error(w, "too many waiting pages", http.StatusTooManyRequests)
		return
	}
	defer p.waiters.leave(Address(r))
	shown := map[string]int64{}
	for _, part := range strings.Split(r.URL.Query().Get("v"), ",") {
		id, v, ok := strings.Cut(part, ":")
		if n, err := strconv.ParseInt(v, 10, 64); ok && err == nil {
			shown[id] = n
		}
	}
	ctx := r.Context()
	deadline := time.NewTimer(waitLongest)
	defer deadline.Stop()
	for {
		chats := make([]string, len(panes))
		for i, pc := range panes {
			chats[i] = pc.Chat
		}
		woke, end := ch.WaitAny(chats...)
		out, err := p.changed(ctx, ch, panes, shown, lang, base)
		if err != nil {
			end()
			p.log.Error("web chat lines failed", "err", err)
			http.Error(w, "error", http.StatusInternalServerError)
			return
		}
		if len(out) > 0 {
			end()
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "no-store")
			json.NewEncoder(w).Encode(map[string]any{"panes": out})
			return
		}
		if r.URL.Query().Has("now") {
			end()
			w.WriteHeader(http.StatusNoContent)
			return
		}
		poll := time.NewTimer(waitPoll)
		select {
		case <-woke:
		case <-poll.C:
		case <-deadline.C:
			end()
			poll.Stop()
			w.WriteHeader(http.StatusNoContent)
			return
		case <-ctx.Done():
			end()
			poll.Stop()
			return
		}
		poll.Stop()
		end()
	}
}

// changed returns the panes with lines newer than the versions shown, rendered.
func (p *chatPages) changed(ctx context.Context, ch *botweb.Channel, panes []paneChat, shown map[string]int64, lang, base string) (map[string]paneUpdate, error) {
	out := map[string]paneUpdate{}
	for _, pc := range panes {
		lines, _, err := ch.Lines(ctx, pc.Chat, shown[pc.ID])
		if err != nil {
			return nil, err
		}
		if len(lines) == 0 {
			continue
		}
		v, err := p.pane(ctx, ch, pc, lang, base)
		if err != nil {
			return nil, err
		}
		var b strings.Builder
		if err := p.renderLines(&b, v); err != nil {
			p.log.Error("web pane rendering failed", "err", err)
			continue
		}
		out[pc.ID] = paneUpdate{Version: v.Version, HTML: b.String()}
	}
	return out, nil
}

// waiters counts the pages waiting for changes per address, so that one address cannot
// hold open more than maxWaiting of them (each looks in the database every waitPoll).
type waiters struct {
	mu sync.Mutex
	n  map[string]int
}

// maxWaiting is how many waiting pages an address may have open at once: a household's
// phones and tabs, not a flood.
const maxWaiting = 16

func (ws *waiters) enter(addr string) bool {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.n == nil {
		ws.n = map[string]int{}
	}
	if ws.n[addr] >= maxWaiting {
		return false
	}
	ws.n[addr]++
	return true
}

func (ws *waiters) leave(addr string) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.n[addr]--; ws.n[addr] <= 0 {
		delete(ws.n, addr)
	}
}

// fromScript reports whether a request comes from the page's script (fetch), which
// wants JSON instead of a redirect.
func fromScript(r *http.Request) bool { return r.Header.Get("X-Aduan") == "1" }

// answerError ends a post that failed because of the person's input or a limit: a
// message in their language, as JSON for the script or on the page (a redirect with
// the message's key).
func answerError(w http.ResponseWriter, r *http.Request, status int, text, back string) {
	if fromScript(r) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]string{"error": text})
		return
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// answerDone ends a post that went through: 204 for the script (its wait brings the
// lines), a redirect back to the page otherwise.
func answerDone(w http.ResponseWriter, r *http.Request, back string) {
	if fromScript(r) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}
