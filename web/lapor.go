package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	botweb "aduan/bot/web"
	"aduan/flows"
	"aduan/locales"
	"aduan/store"
)

// LaporStore is what the citizens' web chat needs of the store; *store.DB is one.
type LaporStore interface {
	ChatStore
	// CheckAccess returns the complaint of tracking when code is its access code; ok
	// is false, the error nil, for an unknown number and for a wrong code alike.
	CheckAccess(ctx context.Context, tracking, code string) (flows.Complaint, bool, error)
}

var _ LaporStore = (*store.DB)(nil)

// Default limits of the web chat per address (see Limiter): new chats, messages, and
// attempts at following a complaint with its code.
const (
	DefaultChatsBurst    = 5
	DefaultChatsEvery    = 10 * time.Minute
	DefaultMessagesBurst = 30
	DefaultMessagesEvery = 2 * time.Second
)

// LaporOptions is what the citizens' web chat is made of; Channel, Store, Catalog,
// Intake and Clock are needed.
type LaporOptions struct {
	Channel *botweb.Channel
	Store   LaporStore
	// Catalog renders the page's words (page.*), with the desk's office.
	Catalog *locales.Catalog
	// Intake gives the limits of uploads: MaxFileBytes and MaxFiles, as on the chat
	// channels.
	Intake flows.Intake
	Clock  flows.Clock
	// Zone is where times are shown (the desk's calendar's); nil: UTC.
	Zone func() *time.Location
	// PublicURL is the desk's address as citizens reach it; an https one makes the
	// cookie Secure even behind a proxy that speaks plain HTTP to the desk.
	PublicURL string
	// Chats, Messages and Codes limit per address (Address) the new chats, the messages
	// and the attempts at following a complaint by its code; nil: the defaults.
	// Codes may be the status page's limiter, so an address has one budget of guesses.
	Chats, Messages, Codes *Limiter
	Log                    *slog.Logger
}

// LaporPaths are the routes of the web chat: mount Lapor's handler on each.
var LaporPaths = []string{"/lapor", "/lapor/"}

// Cookies of the web chat: the chat's name (its secret: whoever holds it reads the
// chat) and the page's language.
const (
	chatCookie = "aduan_chat"
	langCookie = "aduan_lang"
	// nameCookie is the name the citizen gave when starting, the one a chat app would
	// give from their profile: sent with each message, so that the desk keeps it on a
	// report that is not anonymous (it never does on an anonymous one).
	nameCookie = "aduan_nama"
	laporBase  = "/lapor"
	// chatCookieAge is how long a browser keeps its chat: long enough to follow a
	// complaint to its end.
	chatCookieAge = 180 * 24 * time.Hour
	citizenPane   = "warga"
)

// citizenChat is the form of a citizen's chat name (botweb.CitizenChat).
var citizenChat = regexp.MustCompile(`^c-[a-z2-7]{26}$`)

// laporChat serves /lapor.
type laporChat struct {
	LaporOptions
	*chatPages
	secure bool
}

// Lapor returns the citizens' web chat, for every path of LaporPaths:
//
//   - GET /lapor: the chat of this browser (a cookie), or the start page: a button
//     that starts one, and the form to follow a complaint;
//   - POST /lapor/mulai: a new chat, started as the bots start one (the command start);
//   - POST /lapor/kirim: typed text, a pressed button (choice and label), a reply to a
//     line (reply_to), a file (photo or document, with a caption);
//   - POST /lapor/bahasa: the page's language, and the conversation's;
//   - POST /lapor/ikuti: a complaint's tracking number and access code: the browser
//     gets the complaint's chat when it was filed on the web;
//   - POST /lapor/keluar: this browser forgets its chat (a shared phone);
//   - GET /lapor/tunggu, /lapor/berkas, /lapor/dokumen: the script's wait for new
//     lines, a file and a document of this chat's lines.
//
// Without JavaScript every form posts and is answered by a redirect back (303).
// Cross-origin posts are refused (http.CrossOriginProtection); bodies are limited.
func Lapor(o LaporOptions) http.Handler {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Chats == nil {
		o.Chats = NewLimiter(DefaultChatsBurst, DefaultChatsEvery, o.Clock)
	}
	if o.Messages == nil {
		o.Messages = NewLimiter(DefaultMessagesBurst, DefaultMessagesEvery, o.Clock)
	}
	if o.Codes == nil {
		o.Codes = NewLimiter(DefaultStatusBurst, DefaultStatusEvery, o.Clock)
	}
	l := &laporChat{LaporOptions: o, chatPages: newChatPages(o.Catalog, o.Store, o.Intake, o.Clock, o.Log, laporBase),
		secure: strings.HasPrefix(o.PublicURL, "https://")}
	l.chatPages.loc = o.Zone
	mux := http.NewServeMux()
	mux.HandleFunc("GET /lapor", l.page)
	mux.HandleFunc("GET /lapor/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, laporBase, http.StatusSeeOther)
	})
	mux.Handle("GET /lapor/static/", l.static)
	mux.HandleFunc("POST /lapor/mulai", l.start)
	mux.HandleFunc("POST /lapor/kirim", l.send)
	mux.HandleFunc("POST /lapor/bahasa", l.language)
	mux.HandleFunc("POST /lapor/ikuti", l.follow)
	mux.HandleFunc("POST /lapor/keluar", l.leave)
	mux.HandleFunc("GET /lapor/tunggu", l.waitLines)
	mux.HandleFunc("GET /lapor/berkas", l.file)
	mux.HandleFunc("GET /lapor/dokumen", l.document)
	return http.NewCrossOriginProtection().Handler(mux)
}

// laporView is the page /lapor as its template shows it.
type laporView struct {
	Lang      string
	Other     string // the other language's code
	Title     string
	Base      string
	Error     string
	Info      string
	StatusURL string
	Tracking  string
	Pane      *paneView
	Script    bool
}

// pageLang is the page's language: the one chosen (a cookie), else the browser's.
func pageLang(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == "id" || c.Value == "en") {
		return c.Value
	}
	return locales.Lang(r.Header.Get("Accept-Language"))
}

func otherLang(lang string) string {
	if lang == "en" {
		return "id"
	}
	return "en"
}

// chatOf returns the browser's chat, "" when it has none (or a cookie not made here).
func chatOf(r *http.Request) string {
	c, err := r.Cookie(chatCookie)
	if err != nil || !citizenChat.MatchString(c.Value) {
		return ""
	}
	return c.Value
}

// givenName is a name typed on the start page as the desk keeps it: one line of at most
// 80 characters, without control characters; "" when none was given.
func givenName(v string) string {
	v = strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return ' '
		}
		return r
	}, v)), " ")
	if utf8.RuneCountInString(v) > 80 {
		v = string([]rune(v)[:80])
	}
	return v
}

// nameOf is the name the browser's citizen gave when starting (nameCookie), or "".
func nameOf(r *http.Request) string {
	c, err := r.Cookie(nameCookie)
	if err != nil {
		return ""
	}
	v, err := url.QueryUnescape(c.Value)
	if err != nil {
		return ""
	}
	return givenName(v)
}

// isSecure reports whether the browser reached the desk over https.
func (l *laporChat) isSecure(r *http.Request) bool { return l.secure || r.TLS != nil }

func (l *laporChat) setCookie(w http.ResponseWriter, r *http.Request, name, value string, age time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: laporBase, MaxAge: int(age / time.Second),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: l.isSecure(r)})
}

// citizen is the pane of a citizen's chat.
func (l *laporChat) citizen(chat, lang string) paneChat {
	return paneChat{ID: citizenPane, Title: l.text(lang, "lapor.pane"), Chat: chat, User: chat, Citizen: true}
}

func (l *laporChat) text(lang, key string) string {
	s, err := l.Catalog.Text(lang, "page."+key, nil)
	if err != nil {
		l.Log.Warn("page text missing", "key", key, "err", err)
	}
	return s
}

// pageErrors are the messages a redirect back may name (?e=…).
var pageErrors = map[string]bool{"too_many": true, "not_found": true, "bad_form": true, "failed": true, "empty": true, "no_chat": true, "unit_text": true}

func (l *laporChat) page(w http.ResponseWriter, r *http.Request) {
	lang := pageLang(r)
	v := laporView{Lang: lang, Other: otherLang(lang), Base: laporBase, Title: l.text(lang, "lapor.title")}
	q := r.URL.Query()
	switch e := q.Get("e"); {
	case pageErrors[e]:
		v.Error = l.text(lang, "error."+e)
	case e == "elsewhere":
		v.Info = l.text(lang, "follow.elsewhere")
		v.StatusURL = "/status?lang=" + lang
	}
	if chat := chatOf(r); chat != "" {
		pane, err := l.pane(r.Context(), l.Channel, l.citizen(chat, lang), lang, laporBase)
		if err != nil {
			l.Log.Error("web chat lines failed", "err", err)
			l.failed(w, lang)
			return
		}
		if pane.Started {
			v.Pane = &pane // else a chat the desk no longer has: the start page
		}
	}
	pageHeaders(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := l.tmpl.ExecuteTemplate(w, "lapor", v); err != nil {
		renderFailed(l.Log, "lapor", err)
	}
}

// failed answers a failure that is not the citizen's doing.
func (l *laporChat) failed(w http.ResponseWriter, lang string) {
	http.Error(w, l.text(lang, "error.failed"), http.StatusInternalServerError)
}

// back is the page after a post, with the message of key when there is one.
func back(key string) string {
	if key == "" {
		return laporBase + "#akhir"
	}
	return laporBase + "?e=" + url.QueryEscape(key) + "#pesan"
}

// refuse answers a post refused for key (a page.error.* message).
func (l *laporChat) refuse(w http.ResponseWriter, r *http.Request, status int, key string) {
	answerError(w, r, status, l.text(pageLang(r), "error."+key), back(key))
}

func (l *laporChat) start(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxTextForm)
	if err := r.ParseForm(); err != nil {
		l.refuse(w, r, http.StatusBadRequest, "bad_form")
		return
	}
	lang := pageLang(r)
	chat, err := l.knownChat(r)
	if err != nil {
		l.Log.Error("web chat version failed", "err", err)
		l.refuse(w, r, http.StatusInternalServerError, "failed")
		return
	}
	if chat == "" {
		if ok, _ := l.Chats.Allow(Address(r)); !ok {
			l.refuse(w, r, http.StatusTooManyRequests, "too_many")
			return
		}
		chat = botweb.CitizenChat()
		l.setCookie(w, r, chatCookie, chat, chatCookieAge)
	}
	name := givenName(r.PostFormValue("nama"))
	if name != "" {
		l.setCookie(w, r, nameCookie, url.QueryEscape(name), chatCookieAge)
	}
	in := botweb.Input{Chat: chat, User: chat, Name: name, Lang: lang, Command: "start"}
	if err := l.post(r, l.Channel, in); err != nil {
		l.Log.Error("web chat post failed", "err", err)
		l.refuse(w, r, http.StatusInternalServerError, "failed")
		return
	}
	answerDone(w, r, back(""))
}

func (l *laporChat) send(w http.ResponseWriter, r *http.Request) {
	chat, err := l.knownChat(r)
	if err != nil {
		l.Log.Error("web chat version failed", "err", err)
		l.refuse(w, r, http.StatusInternalServerError, "failed")
		return
	}
	if chat == "" {
		l.refuse(w, r, http.StatusBadRequest, "no_chat")
		return
	}
	if ok, _ := l.Messages.Allow(Address(r)); !ok {
		l.refuse(w, r, http.StatusTooManyRequests, "too_many")
		return
	}
	lang := pageLang(r)
	r.Body = http.MaxBytesReader(w, r.Body, l.Intake.MaxFileBytes+maxTextForm)
	var in botweb.Input
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				// The desk says it in the conversation's words, as for a file too large on
				// the chat channels.
				in.Unsupported = "too_large"
			} else {
				l.refuse(w, r, http.StatusBadRequest, "bad_form")
				return
			}
		} else {
			defer r.MultipartForm.RemoveAll()
		}
	} else if err := r.ParseForm(); err != nil {
		l.refuse(w, r, http.StatusBadRequest, "bad_form")
		return
	}
	if in.Unsupported == "" {
		in = formInput(r)
		if err := l.upload(r.Context(), r, &in, chat); err != nil {
			l.Log.Error("web upload failed", "err", err)
			l.refuse(w, r, http.StatusInternalServerError, "failed")
			return
		}
	}
	if in.Text == "" && in.Command == "" && in.Choice == "" && in.Attachment == nil && in.Unsupported == "" {
		l.refuse(w, r, http.StatusBadRequest, "empty")
		return
	}
	in.Chat, in.User, in.Lang, in.Name = chat, chat, lang, nameOf(r)
	if err := l.post(r, l.Channel, in); err != nil {
		l.Log.Error("web chat post failed", "err", err)
		l.refuse(w, r, http.StatusInternalServerError, "failed")
		return
	}
	answerDone(w, r, back(""))
}

// knownChat returns the browser's chat when the desk started it ("" otherwise): a
// made-up cookie starts nothing past the limit of new chats.
func (l *laporChat) knownChat(r *http.Request) (string, error) {
	chat := chatOf(r)
	if chat == "" {
		return "", nil
	}
	v, err := l.Store.WebVersion(r.Context(), chat)
	if err != nil || v == 0 {
		return "", err
	}
	return chat, nil
}

func (l *laporChat) language(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxTextForm)
	if err := r.ParseForm(); err != nil {
		l.refuse(w, r, http.StatusBadRequest, "bad_form")
		return
	}
	lang := r.PostFormValue("lang")
	if lang != "id" && lang != "en" {
		l.refuse(w, r, http.StatusBadRequest, "bad_form")
		return
	}
	l.setCookie(w, r, langCookie, lang, chatCookieAge)
	if chat, _ := l.knownChat(r); chat != "" {
		if ok, _ := l.Messages.Allow(Address(r)); !ok {
			l.refuse(w, r, http.StatusTooManyRequests, "too_many")
			return
		}
		label := map[string]string{"id": "Bahasa Indonesia", "en": "English"}[lang]
		in := botweb.Input{Chat: chat, User: chat, Lang: lang, Choice: "m:lang:" + lang, Label: label}
		if err := l.post(r, l.Channel, in); err != nil {
			l.Log.Error("web chat post failed", "err", err)
			l.refuse(w, r, http.StatusInternalServerError, "failed")
			return
		}
	}
	http.Redirect(w, r, back(""), http.StatusSeeOther)
}

// follow gives the browser the chat of a complaint, by its tracking number and access
// code, when it was filed on the web; for one filed elsewhere it points to the status
// page. An unknown number and a wrong code get the same answer.
func (l *laporChat) follow(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxTextForm)
	if err := r.ParseForm(); err != nil {
		l.refuse(w, r, http.StatusBadRequest, "bad_form")
		return
	}
	tracking := strings.ToUpper(trimTo(r.PostFormValue("tracking"), maxTrackingLen))
	code := trimTo(r.PostFormValue("code"), maxCodeLen)
	if tracking == "" || code == "" {
		l.refuse(w, r, http.StatusBadRequest, "not_found")
		return
	}
	addr := Address(r)
	if ok, _ := l.Codes.Allow(addr); !ok {
		l.refuse(w, r, http.StatusTooManyRequests, "too_many")
		return
	}
	k, ok, err := l.Store.CheckAccess(r.Context(), tracking, code)
	if err != nil {
		l.Log.Error("web access check failed", "err", err)
		l.refuse(w, r, http.StatusInternalServerError, "failed")
		return
	}
	if !ok {
		l.refuse(w, r, http.StatusNotFound, "not_found")
		return
	}
	l.Codes.Refund(addr)
	if k.Contact.Channel != botweb.Name || !citizenChat.MatchString(k.Contact.Chat) {
		answerError(w, r, http.StatusConflict, l.text(pageLang(r), "follow.elsewhere"), back("elsewhere"))
		return
	}
	l.setCookie(w, r, chatCookie, k.Contact.Chat, chatCookieAge)
	answerDone(w, r, back(""))
}

func (l *laporChat) leave(w http.ResponseWriter, r *http.Request) {
	l.setCookie(w, r, chatCookie, "", -time.Second)
	l.setCookie(w, r, nameCookie, "", -time.Second)
	http.Redirect(w, r, laporBase, http.StatusSeeOther)
}

func (l *laporChat) waitLines(w http.ResponseWriter, r *http.Request) {
	chat := chatOf(r)
	if chat == "" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	lang := pageLang(r)
	l.wait(w, r, l.Channel, []paneChat{l.citizen(chat, lang)}, lang, laporBase)
}

func (l *laporChat) file(w http.ResponseWriter, r *http.Request) {
	chat := chatOf(r)
	if chat == "" {
		http.NotFound(w, r)
		return
	}
	l.serveFile(w, r, l.Channel, l.citizen(chat, pageLang(r)))
}

func (l *laporChat) document(w http.ResponseWriter, r *http.Request) {
	chat := chatOf(r)
	if chat == "" {
		http.NotFound(w, r)
		return
	}
	l.serveDocument(w, r, l.Channel, l.citizen(chat, pageLang(r)))
}
