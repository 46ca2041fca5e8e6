// Package locales holds the desk's messages in Indonesian (the reference language) and
// English, and renders the message IDs and data that package flows produces into text.
//
// The messages live in the go-i18n files active.id.yaml and active.en.yaml, embedded in
// the binary. Their IDs are the string values of flows.MsgID and flows.ErrorCode, plus
// the labels state.<State>, type.<ReportType>, privacy.<Privacy>, event.<EventKind>,
// closed.<reason>, category.<code> (the intake's categories), field.<Step> (the parts of
// a draft the citizen may correct), action.<EventKind> (the buttons of a card),
// word.<ReportType> and word.laporan (the report types as a word inside a sentence), the
// card's own labels card.identity_hidden and card.anonymous, the units' state labels
// card.state.<State>, the record's card.record_head, card.record_line and
// card.record_file, and error.generic.
//
// Every message is rendered for a surface (Catalog.On, Surface): the screen of the
// channel that shows it, whose abilities — buttons, slash commands, replies by quoting,
// a share-number button — the templates read, so that a message worded for Telegram
// ("ketik /lapor", "tombol") reads right on WhatsApp ("ketik “lapor”", "pilihan").
package locales

import (
	"cmp"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"aduan/flows"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"
)

//go:embed active.*.yaml
var files embed.FS

// Message IDs that are not constants of package flows.
const (
	// Generic is the ID of the polite reply to a failure that is not the reader's doing.
	Generic = "error.generic"

	prefixState   = "state."
	prefixType    = "type."
	prefixPrivacy = "privacy."
	prefixEvent   = "event."
	prefixClosed  = "closed."
	prefixCat     = "category."
	prefixField   = "field."
	prefixAction  = "action."
	prefixWord    = "word."

	// wordReport is the word for a report whose type is not known.
	wordReport = "word.laporan"

	// The card's words for a complainant whose identity the viewer may not see.
	cardHidden    = "card.identity_hidden"
	cardAnonymous = "card.anonymous"
)

// cardBodyMax is the most characters of a description shown on a card.
const cardBodyMax = flows.CardBodyMax

// prefixUnitState labels a state for the units where the citizen's label (state.<s>)
// addresses the citizen: card.state.answered is "Menunggu Tanggapan Pelapor".
const prefixUnitState = "card.state."

// languages are the supported languages, the reference language first.
var languages = []language.Tag{language.Indonesian, language.English}

var matcher = language.NewMatcher(languages)

// Catalog renders the desk's messages in Indonesian or English. It is safe for
// concurrent use.
type Catalog struct {
	bundle     *i18n.Bundle
	localizers map[string]*i18n.Localizer // by Lang code
	calendar   func() *flows.Calendar     // shows deadlines; nil: as they are
	office     Office
	surface    Surface // the zero value is Telegram
}

// Office is who runs the desk, as the messages that mention it (the welcome, the help,
// the privacy notice) name it.
type Office struct {
	Name    string          // "Disdukcapil Kabupaten Kubu Raya"
	Contact string          // how to reach it: a phone number, an e-mail, an address; may be empty
	Hours   flows.WeekHours // its opening hours; the zero value leaves them out
	// PublicURL is the desk's address as citizens reach it ("https://…", no trailing
	// slash), for the link to the status page (see AccessCode); empty: no link.
	PublicURL string
	// RetentionDays is how long personal data is kept after a report is finished
	// (--retention), as the privacy notice tells it; 0 leaves the number out.
	RetentionDays int
}

// WithOffice returns a catalog like c whose messages name office o: the template data
// Office (its name), OfficeContact and OfficeHours (the hours written out in the
// reader's language, "Senin–Jumat pukul 07.30–16.00 WIB"; empty when o.Hours is zero)
// are given to every message.
func (c *Catalog) WithOffice(o Office) *Catalog {
	cp := *c
	cp.office = o
	return &cp
}

// On returns a catalog like c that renders every message for surface s: the messages
// that tell the reader what to do word it for s's abilities (see Surface). A catalog
// that was never given a surface renders for Telegram.
func (c *Catalog) On(s Surface) *Catalog {
	cp := *c
	cp.surface = s
	return &cp
}

// Surface returns the surface c renders for.
func (c *Catalog) Surface() Surface {
	if c.surface == (Surface{}) {
		return Telegram
	}
	return c.surface
}

// WithCalendar returns a catalog like c that shows deadlines as people read them: a
// deadline at the opening minute of a working day (where a limit in working days ends
// when it starts outside office hours) is shown as the close of the working day before
// it — "by Monday 16.00", not "Tuesday 07.30". The instant itself is unchanged. cal is
// asked at each rendering (the holidays may change); a nil calendar shows deadlines as
// they are.
func (c *Catalog) WithCalendar(cal func() *flows.Calendar) *Catalog {
	cp := *c
	cp.calendar = cal
	return &cp
}

// Deadline returns how deadline t is shown (see WithCalendar).
func (c *Catalog) Deadline(t time.Time) time.Time {
	if c.calendar == nil || t.IsZero() {
		return t
	}
	cal := c.calendar()
	if cal == nil {
		return t
	}
	if prev := cal.SubWorkingHours(t, 0); cal.NextOpening(t).Equal(t) && !prev.Equal(t) {
		return prev // t is an opening: the close before it
	}
	return t
}

// New loads the embedded message files. It returns an error when a file is malformed or
// a supported language has no file.
func New() (*Catalog, error) {
	bundle := i18n.NewBundle(language.Indonesian)
	bundle.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	names, err := fs.Glob(files, "active.*.yaml")
	if err != nil {
		return nil, fmt.Errorf("locales: list message files: %w", err)
	}
	for _, name := range names {
		if _, err := bundle.LoadMessageFileFS(files, name); err != nil {
			return nil, fmt.Errorf("locales: load %s: %w", name, err)
		}
	}
	return newCatalog(bundle)
}

// newCatalog checks that bundle has messages for every supported language and wraps it.
func newCatalog(bundle *i18n.Bundle) (*Catalog, error) {
	c := &Catalog{bundle: bundle, localizers: make(map[string]*i18n.Localizer, len(languages))}
	loaded := bundle.LanguageTags()
	for _, tag := range languages {
		if !slices.Contains(loaded, tag) {
			return nil, fmt.Errorf("locales: no messages for language %s", tag)
		}
		c.localizers[tag.String()] = i18n.NewLocalizer(bundle, tag.String())
	}
	return c, nil
}

// Languages returns the codes of the supported languages, Indonesian first: ["id", "en"].
func (c *Catalog) Languages() []string {
	out := make([]string, len(languages))
	for i, tag := range languages {
		out[i] = tag.String()
	}
	return out
}

// Lang normalises a language preference ("en-US", "id", "", "jv") to "id" or "en";
// anything unknown or malformed is "id". The preference may be a single tag, as chat
// apps give it, or an Accept-Language list.
func Lang(pref string) string {
	pref = strings.ReplaceAll(strings.TrimSpace(pref), "_", "-")
	if pref == "" {
		return languages[0].String()
	}
	_, i := language.MatchStrings(matcher, pref)
	return languages[i].String()
}

// Text renders message id in lang with data. On a message missing in lang it falls back
// to Indonesian and returns the error too (callers log it); it never panics. lang goes
// through Lang first. A "PluralCount" entry in data selects the plural form
// of messages that have them. When the message exists in no language, or its template
// fails, Text returns the message ID itself with the error, so that the reader still
// gets a non-empty reply. Besides data, the template gets the office's data (see
// WithOffice) and the surface's (see Surface); an entry of data of the same name wins.
func (c *Catalog) Text(lang, id string, data map[string]any) (string, error) {
	return c.render(lang, id, data, data["PluralCount"])
}

// render localizes id with data, count selecting the plural form when not nil.
func (c *Catalog) render(lang, id string, data map[string]any, count any) (string, error) {
	loc := c.localizers[Lang(lang)]
	all := c.Surface().data()
	all["Office"], all["OfficeContact"], all["OfficeHours"] = c.office.Name, c.office.Contact, c.officeHours(lang)
	all["RetentionDays"] = c.office.RetentionDays
	all["RatingDays"] = int(flows.RatingWindow / (24 * time.Hour))
	for k, v := range data {
		all[k] = v
	}
	cfg := &i18n.LocalizeConfig{MessageID: id, TemplateData: all, PluralCount: count}
	s, err := loc.Localize(cfg)
	if err != nil {
		err = fmt.Errorf("locales: %s in %s: %w", id, Lang(lang), err)
	}
	if s == "" {
		if err == nil {
			err = fmt.Errorf("locales: %s in %s: empty message", id, Lang(lang))
		}
		return id, err
	}
	return s, err
}

// label renders a label that takes no data, falling back to value when the label
// does not exist.
func (c *Catalog) label(lang, prefix, value string) string {
	if value == "" {
		return ""
	}
	s, err := c.render(lang, prefix+value, nil, nil)
	var nf *i18n.MessageNotFoundErr
	if err != nil && errors.As(err, &nf) && s == prefix+value {
		return value
	}
	return s
}

// Notice renders a flows.Notice for a reader in lang. units gives unit names: Notice.Unit
// is a code, shown as the unit's Name, or as the code when units is nil or does not know
// it. loc is the zone of the times shown (nil keeps each time's own zone).
//
// The template data are Tracking, Report and ReportTitle (the word for Notice.Report in
// a sentence, word.<type>, or word.laporan when the type is not known; ReportTitle with
// a capital letter), State (its label), Unit (its name), Actor, Text, Due (the deadline
// as Deadline shows it, formatted with Time; empty when zero), DueDate (the same, its
// date only, formatted with Date), Rating, Open, DueToday, Overdue, the office's data
// (see WithOffice), the surface's (see Surface) and, for flows.MsgClosedU, Why (the label closed.<Text>). Every entry of Notice.Data whose
// name is not one of these is added, with these values replaced: Type by the label
// type.<v>, Privacy by privacy.<v>, Category by category.<v>, Event by the card button
// label action.<v>, a Phone of international digits ("6281234567890") by
// "+6281234567890", a Since (an RFC 3339 time) by the time as Time shows it and a Day
// (a date, "2026-12-02") by the date as Date shows it. Three entries are always present: EventCode, the Event as given
// ("" when none); Anonymous, whether Privacy is flows.Anonymous; and Items, the
// notice's Items each rendered by Notice and joined by newlines ("" when none). For
// flows.MsgRefusedU and flows.MsgRefused, Refusal is the refusal rendered by Refusal:
// its code is Text when Text starts with "error.", else Data["Code"] when set, and its
// data is Notice.Data; any other non-empty Text is taken as an explanation already
// written and shown as it is.
//
// The outcomes are those of Text; the errors of the items are joined to the notice's.
// The digest's plural form follows Open.
func (c *Catalog) Notice(lang string, n flows.Notice, units *flows.Directory, loc *time.Location) (string, error) {
	return c.notice(lang, n, units, loc, forUnits(n))
}

// forUnits reports whether notice n is read in a unit's group: it is addressed to a unit,
// or it is one of the units' messages (unit.*, card.*).
func forUnits(n flows.Notice) bool {
	return n.To.Unit != "" || strings.HasPrefix(string(n.Msg), "unit.") || strings.HasPrefix(string(n.Msg), "card.")
}

// notice renders n (see Notice); unit says the reader is a unit, whose state labels
// are UnitState's.
func (c *Catalog) notice(lang string, n flows.Notice, units *flows.Directory, loc *time.Location, unit bool) (string, error) {
	state := c.State(lang, n.State)
	if unit {
		state = c.UnitState(lang, n.State)
	}
	due, dueDate := "", ""
	if !n.Due.IsZero() {
		shown := c.Deadline(n.Due)
		due, dueDate = Time(lang, shown, loc), Date(lang, shown, loc)
	}
	word := c.word(lang, n.Report)
	data := map[string]any{
		"Tracking":    n.Tracking,
		"Report":      word,
		"ReportTitle": capital(word),
		"DueDate":     dueDate,
		"State":       state,
		"Unit":        unitName(units, n.Unit),
		"Actor":       n.Actor,
		"Text":        n.Text,
		"Due":         due,
		"Rating":      n.Rating,
		"Open":        n.Open,
		"DueToday":    n.DueToday,
		"Overdue":     n.Overdue,
		"Why":         "",
	}
	if n.Msg == flows.MsgClosedU {
		data["Why"] = c.label(lang, prefixClosed, n.Text)
	}
	for k, v := range n.Data {
		if _, fixed := data[k]; fixed {
			continue
		}
		switch k {
		case "Type":
			data[k] = c.ReportType(lang, flows.ReportType(v))
		case "Privacy":
			data[k] = c.Privacy(lang, flows.Privacy(v))
		case "Category":
			data[k] = c.Category(lang, v)
		case "Event":
			data[k] = c.Action(lang, flows.EventKind(v))
		case "Phone":
			data[k] = phone(v)
		case "Since":
			data[k] = v
			if t, err := time.Parse(time.RFC3339, v); err == nil {
				data[k] = Time(lang, t, loc)
			}
		case "Day":
			data[k] = v
			if t, err := time.ParseInLocation(time.DateOnly, v, cmp.Or(loc, time.UTC)); err == nil {
				data[k] = Date(lang, t, nil)
			}
		default:
			data[k] = v
		}
	}
	data["EventCode"] = n.Data["Event"]
	data["Anonymous"] = n.Data["Privacy"] == string(flows.Anonymous)
	var errs []error
	items := make([]string, 0, len(n.Items))
	for _, item := range n.Items {
		s, err := c.notice(lang, item, units, loc, unit)
		if err != nil {
			errs = append(errs, err)
		}
		items = append(items, s)
	}
	data["Items"] = strings.Join(items, "\n")
	if n.Msg == flows.MsgRefusedU || n.Msg == flows.MsgRefused {
		data["Refusal"] = c.refusalOf(lang, n)
	}
	var count any
	if n.Msg == flows.MsgDigest {
		count = n.Open
	}
	s, err := c.render(lang, string(n.Msg), data, count)
	if err != nil {
		errs = append([]error{err}, errs...)
	}
	return s, errors.Join(errs...)
}

// refusalOf renders the refusal that notice n carries (see Notice).
func (c *Catalog) refusalOf(lang string, n flows.Notice) string {
	code := ""
	switch {
	case strings.HasPrefix(n.Text, "error."):
		code = n.Text
	case n.Data["Code"] != "":
		code = n.Data["Code"]
	case strings.TrimSpace(n.Text) != "":
		return strings.TrimSpace(n.Text)
	}
	if code == "" {
		return c.generic(lang)
	}
	return c.Refusal(lang, &flows.Error{Code: flows.ErrorCode(code), Data: n.Data})
}

// Card renders the card of complaint k for the group of unit viewer with the template
// card.body. Its data are Serious (k.Category is flows.SeriousCategory: the card opens
// with a warning), Tracking, Title, Type and Category (their labels), Body (k.Body cut
// to about flows.CardBodyMax characters, ending with "…" when cut), Cut (whether it was),
// When, Where, Files (the number of attachments), Complainant, Confidential, State (its
// label for units, UnitState), Unit and Team (their names; Team empty when none is
// tasked), TakenBy (who took the task), Filed and Due (formatted with Time, empty when
// zero; Due as Deadline shows it), LaporID, Masked, Report and ReportTitle (the word
// for k.Type, as for Notice), the office's data (see WithOffice) and the surface's
// (see Surface). Title, Body, When
// and Where are what the complainant wrote as the viewer may read it
// (flows.Complaint.TextFor): Masked says numbers were hidden.
//
// Complainant is what k.Visible(viewer) shows: the name, phone, NIK (masked, "NIK
// 6112••••••••••01") and e-mail that are set, separated by commas; the label card.anonymous for an anonymous complaint;
// card.identity_hidden when the complaint is confidential and nothing is visible; "–"
// when an ordinary complaint has no contact details. Confidential is true when a
// confidential complaint's identity is visible to the viewer, so that the card can ask
// them not to pass it on. units gives unit names (codes when nil or unknown), loc the
// zone of the times shown (nil keeps each time's own zone). The outcomes are those of Text.
func (c *Catalog) Card(lang string, k flows.Complaint, viewer flows.Unit, units *flows.Directory, loc *time.Location) (string, error) {
	when := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return Time(lang, t, loc)
	}
	word := c.word(lang, k.Type)
	who, confidential := c.complainant(lang, k, viewer)
	masked := false
	shown := func(s string) string {
		s, m := k.TextFor(viewer, strings.TrimSpace(s))
		masked = masked || m
		return s
	}
	body := shown(k.Body)
	data := map[string]any{
		"Serious":      k.Category == flows.SeriousCategory,
		"Tracking":     k.Tracking,
		"Title":        shown(k.Title),
		"Type":         c.ReportType(lang, k.Type),
		"Category":     c.Category(lang, k.Category),
		"Body":         truncate(body, cardBodyMax),
		"Cut":          utf8.RuneCountInString(body) > cardBodyMax,
		"When":         shown(k.EventDate),
		"Where":        shown(k.Place),
		"Files":        len(k.Attachment),
		"Complainant":  who,
		"Confidential": confidential,
		"TakenBy":      k.TakenBy,
		"State":        c.UnitState(lang, k.State),
		"Unit":         unitName(units, k.Unit),
		"Team":         unitName(units, k.Team),
		"Filed":        when(k.FiledAt),
		"Due":          when(c.Deadline(k.Due)),
		"Report":       word,
		"ReportTitle":  capital(word),
		"LaporID":      k.LaporID,
	}
	data["Masked"] = masked
	return c.render(lang, string(flows.MsgCard), data, nil)
}

// complainant returns who filed k as the viewer may see it, and whether the identity
// shown is that of a confidential complaint (see Card).
func (c *Catalog) complainant(lang string, k flows.Complaint, viewer flows.Unit) (string, bool) {
	if k.Privacy == flows.Anonymous {
		return c.label(lang, "", cardAnonymous), false
	}
	v := k.Visible(viewer)
	var parts []string
	nik := ""
	if v.NIK != "" {
		nik = "NIK " + v.NIK.Masked() // never the whole number (see flows.Rules.MayRevealNIK)
	}
	for _, s := range []string{v.Name, phone(v.Phone), nik, v.Email} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	switch {
	case len(parts) > 0:
		return strings.Join(parts, ", "), k.Privacy == flows.Confidential
	case k.Privacy == flows.Confidential:
		return c.label(lang, "", cardHidden), false
	}
	return "–", false
}

// Label returns the text of button ch in lang: ch.Text when ch.Label is empty; the
// message ch.Label rendered with ch.Text as its Tracking when both are set (choice.reply
// gives "Balas KKR-261130-7QXM"); the message ch.Label otherwise. A label that no
// language has gives ch.Text when it is set, and the label's ID when not.
func (c *Catalog) Label(lang string, ch flows.Choice) string {
	if ch.Label == "" {
		return ch.Text
	}
	var data map[string]any
	if ch.Text != "" {
		data = map[string]any{"Tracking": ch.Text}
	}
	s, err := c.render(lang, string(ch.Label), data, nil)
	if err != nil && s == string(ch.Label) && ch.Text != "" {
		return ch.Text
	}
	return s
}

// unitName returns the name of the unit with the given code, or the code itself when
// units is nil or does not know it; "" for the empty code.
func unitName(units *flows.Directory, code string) string {
	if units != nil && code != "" {
		if u, ok := units.Unit(code); ok && u.Name != "" {
			return u.Name
		}
	}
	return code
}

// phone shows a phone number of international digits with a leading "+"; anything else
// is returned as it is.
func phone(p string) string {
	if len(p) < 8 || strings.TrimLeft(p, "0123456789") != "" || strings.HasPrefix(p, "0") {
		return p
	}
	return "+" + p
}

// truncate cuts s to at most max characters, at a space when one is near the end, and
// marks the cut with "…".
func truncate(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)[:max]
	for i := len(r) - 1; i >= max*9/10; i-- {
		if unicode.IsSpace(r[i]) {
			r = r[:i]
			break
		}
	}
	return strings.TrimRightFunc(string(r), unicode.IsSpace) + "…"
}

// Refusal renders a *flows.Error for the person who caused it: its Code is the message
// ID and its Data the template data, except that a "State" value is replaced by the
// state's label and an "Event" value by the event's label. It never fails: a nil error, or one whose message cannot be rendered, gives the
// generic apology (error.generic).
func (c *Catalog) Refusal(lang string, e *flows.Error) string {
	if e == nil {
		return c.generic(lang)
	}
	data := make(map[string]any, len(e.Data))
	for k, v := range e.Data {
		switch k {
		case "State":
			data[k] = c.State(lang, flows.State(v))
		case "Event":
			data[k] = c.Event(lang, flows.EventKind(v))
		default:
			data[k] = v
		}
	}
	s, err := c.render(lang, string(e.Code), data, nil)
	if err != nil && s == string(e.Code) {
		return c.generic(lang)
	}
	return s
}

// generic renders error.generic, with a hard-coded Indonesian text should even that fail.
func (c *Catalog) generic(lang string) string {
	s, err := c.render(lang, Generic, nil, nil)
	if err != nil && s == Generic {
		return "Maaf, terjadi gangguan. Silakan coba lagi sebentar lagi."
	}
	return s
}

// State returns the label of state s in lang ("Menunggu Verifikasi"), the value itself
// when it has no label, and "" for the empty state.
func (c *Catalog) State(lang string, s flows.State) string {
	return c.label(lang, prefixState, string(s))
}

// UnitState returns the label of state s for the units in lang: card.state.<s> where
// the citizen's label does not fit them ("Menunggu Tanggapan Pelapor" for
// flows.Answered), State otherwise.
func (c *Catalog) UnitState(lang string, s flows.State) string {
	if v := c.label(lang, prefixUnitState, string(s)); v != string(s) {
		return v
	}
	return c.State(lang, s)
}

// Event returns the audit-trail label of event kind k in lang ("Didisposisikan ke
// dinas"), the value itself when it has no label, and "" for the empty kind.
func (c *Catalog) Event(lang string, k flows.EventKind) string {
	return c.label(lang, prefixEvent, string(k))
}

// ReportType returns the label of report type t in lang ("Pengaduan"), the value itself
// when it has no label, and "" for the empty type.
func (c *Catalog) ReportType(lang string, t flows.ReportType) string {
	return c.label(lang, prefixType, string(t))
}

// Category returns the label of intake category code ("Pungutan Liar" for "pungli"),
// the code itself when it has no label, and "" for the empty code.
func (c *Catalog) Category(lang, code string) string {
	return c.label(lang, prefixCat, code)
}

// Action returns the label of the card button for event kind k in lang ("Jawab" for
// flows.EvAnswer), the value itself when it has no label, and "" for the empty kind.
func (c *Catalog) Action(lang string, k flows.EventKind) string {
	return c.label(lang, prefixAction, string(k))
}

// Privacy returns the label of privacy mode p in lang ("Rahasia"), the value itself when
// it has no label, and "" for the empty mode.
func (c *Catalog) Privacy(lang string, p flows.Privacy) string {
	return c.label(lang, prefixPrivacy, string(p))
}

var (
	daysID   = [...]string{"Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"} // indexed by time.Weekday
	monthsID = [...]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"}
)

// word returns the word for report type t inside a sentence ("aduan", "aspirasi",
// "permintaan informasi"), or word.laporan when t is empty or has no word.
func (c *Catalog) word(lang string, t flows.ReportType) string {
	if t != "" {
		if s, err := c.render(lang, prefixWord+string(t), nil, nil); err == nil {
			return s
		}
	}
	s, _ := c.render(lang, wordReport, nil, nil)
	return s
}

// capital returns s with its first letter in upper case.
func capital(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// officeHours writes the office's hours out for lang: days with the same hours joined
// into ranges ("Senin–Jumat pukul 07.30–16.00 WIB"); "" when there are none.
func (c *Catalog) officeHours(lang string) string {
	h := c.office.Hours
	if h == (flows.WeekHours{}) {
		return ""
	}
	zone := ""
	if c.calendar != nil {
		if cal := c.calendar(); cal != nil {
			zone, _ = time.Date(2026, 1, 1, 12, 0, 0, 0, cal.Location()).Zone()
		}
	}
	en := Lang(lang) == "en"
	clock := func(d time.Duration) string {
		if en {
			return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
		}
		return fmt.Sprintf("%02d.%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	day := func(wd time.Weekday) string {
		if en {
			return wd.String()
		}
		return daysID[wd]
	}
	var parts []string
	order := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}
	for i := 0; i < len(order); {
		oh := h[order[i]]
		if oh.Close <= oh.Open {
			i++
			continue
		}
		j := i
		for j+1 < len(order) && h[order[j+1]] == oh {
			j++
		}
		days := day(order[i])
		if j > i {
			days += "–" + day(order[j])
		}
		at := " pukul "
		if en {
			at = " "
		}
		parts = append(parts, days+at+clock(oh.Open)+"–"+clock(oh.Close))
		i = j + 1
	}
	sep := ", "
	out := strings.Join(parts, sep)
	if zone != "" {
		out += " " + zone
	}
	return out
}

// Date formats the date of t in loc for lang: "id" gives "Selasa, 1 Desember 2026" and
// "en" gives "Tuesday, 1 December 2026". A nil loc keeps t's own location.
func Date(lang string, t time.Time, loc *time.Location) string {
	if loc != nil {
		t = t.In(loc)
	}
	if Lang(lang) == "en" {
		return fmt.Sprintf("%s, %d %s %d", t.Weekday(), t.Day(), t.Month(), t.Year())
	}
	return fmt.Sprintf("%s, %d %s %d", daysID[t.Weekday()], t.Day(), monthsID[t.Month()-1], t.Year())
}

// Time formats t in loc for lang: "id" gives "Selasa, 1 Desember 2026 pukul 10.00 WIB"
// and "en" gives "Tuesday, 1 December 2026 at 10:00 WIB". The zone abbreviation is
// loc's (Asia/Pontianak gives "WIB"). A nil loc keeps t's own location; lang goes
// through Lang. The Indonesian day and month names come from tables in this package,
// not from the platform.
func Time(lang string, t time.Time, loc *time.Location) string {
	if loc != nil {
		t = t.In(loc)
	}
	zone, _ := t.Zone()
	if Lang(lang) == "en" {
		return fmt.Sprintf("%s, %d %s %d at %02d:%02d %s", t.Weekday(), t.Day(), t.Month(), t.Year(), t.Hour(), t.Minute(), zone)
	}
	return fmt.Sprintf("%s, %d %s %d pukul %02d.%02d %s", daysID[t.Weekday()], t.Day(), monthsID[t.Month()-1], t.Year(), t.Hour(), t.Minute(), zone)
}
