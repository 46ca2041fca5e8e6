package locales

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"aduan/flows"
)

// DataCopyFormat names the layout of the document DataCopy renders, for programs that
// read it; it changes when the layout does.
const DataCopyFormat = "aduan-data-copy/1"

// dataCopyKeys are the labels of DataCopy's document, rights.key.*.
var dataCopyKeys = []string{"document", "document_title", "format", "made", "controller", "channel", "chat", "person", "lang", "conversation", "step", "active", "draft", "pending", "complaints", "tracking", "type", "privacy", "category", "title", "body", "when", "where", "name", "phone", "email", "nik", "nik_none", "state", "unit", "due", "lapor_id", "rating", "filed", "updated", "closed", "language", "files", "file_kind", "file_name", "file_size", "file_sha256", "file_place", "steps", "step_at", "step_kind", "step_mine", "step_from", "step_to", "step_unit", "step_text", "requests", "request_kind", "request_at", "request_done", "request_access", "request_erasure", "kind_photo", "kind_document", "kind_location", "lang_id", "lang_en"}

// DataCopyName returns the file name of a citizen's copy of their data made at t:
// "data-saya-2026-12-02.json" (in English "my-data-…").
func (c *Catalog) DataCopyName(lang string, t time.Time, loc *time.Location) string {
	if loc != nil {
		t = t.In(loc)
	}
	prefix := "data-saya-"
	if Lang(lang) == "en" {
		prefix = "my-data-"
	}
	return prefix + t.Format("2006-01-02") + ".json"
}

// DataCopy renders a citizen's copy of their data as an indented JSON document whose
// keys are the labels rights.key.* in lang, in a fixed order: the document's title, its
// format (DataCopyFormat), when it was made, the controller (the office), the channel,
// the conversation's address and pseudonym, the language; the conversation (its step,
// when last active, the draft being written and text kept); every complaint as filed
// (identity, texts, when and where) and as it stands (state, unit, deadline, LAPOR! ID,
// rating, times), with its files (kind, name, size, SHA-256, a location's coordinates)
// and steps (when, what, whether the citizen took it, states, unit, text); and the data
// requests. Codes (states, types, categories, events) become their labels in lang;
// times are RFC 3339 in loc. The error joins the labels that did not render (each then
// shows its ID); the document is complete all the same.
func (c *Catalog) DataCopy(lang string, d flows.DataCopy, units *flows.Directory, loc *time.Location) ([]byte, error) {
	var errs []error
	key := func(k string) string {
		s, err := c.render(lang, "rights.key."+k, nil, nil)
		if err != nil {
			errs = append(errs, err)
		}
		return s
	}
	when := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		if loc != nil {
			t = t.In(loc)
		}
		return t.Format(time.RFC3339)
	}
	kind := func(k string) string {
		switch k {
		case "photo", "document", "location":
			return key("kind_" + k)
		}
		return k
	}
	language := func(l string) string {
		switch Lang(l) {
		case "en":
			return key("lang_en")
		}
		return key("lang_id")
	}
	phone := func(p string) string {
		if p != "" && strings.Trim(p, "0123456789") == "" {
			return "+" + p // international digits, as the desk keeps them
		}
		return p
	}
	files := func(fs []flows.FileCopy) []object {
		out := []object{}
		for _, f := range fs {
			out = append(out, object{
				{key("file_kind"), kind(f.Kind)}, {key("file_name"), f.Name}, {key("file_size"), f.Size},
				{key("file_sha256"), f.SHA256}, {key("file_place"), f.Place}}.compact())
		}
		return out
	}
	complaint := func(k flows.Complaint) object {
		return object{
			{key("tracking"), k.Tracking},
			{key("type"), c.ReportType(lang, k.Type)},
			{key("privacy"), c.Privacy(lang, k.Privacy)},
			{key("category"), c.Category(lang, k.Category)},
			{key("title"), k.Title},
			{key("body"), k.Body},
			{key("when"), k.EventDate},
			{key("where"), k.Place},
			{key("name"), k.Contact.Name},
			{key("phone"), phone(k.Contact.Phone)},
			{key("email"), k.Contact.Email},
			{key("nik"), cmp.Or(string(k.Contact.NIK), key("nik_none"))}, // the whole number: the citizen's own
		}
	}
	doc := object{
		{key("document"), key("document_title")},
		{key("format"), DataCopyFormat},
		{key("made"), when(d.Made)},
		{key("controller"), c.office.Name},
		{key("channel"), d.Channel},
		{key("chat"), d.Chat},
		{key("person"), d.Person},
		{key("lang"), language(d.Lang)},
	}
	if s := d.Session; s != nil {
		conv := object{{key("step"), string(s.Step)}, {key("active"), when(s.Updated)}}
		if s.Draft != nil {
			draft := complaint(*s.Draft).compact()
			draft = append(draft, field{key("files"), files(s.Files)})
			conv = append(conv, field{key("draft"), draft})
		}
		if s.Pending != "" {
			conv = append(conv, field{key("pending"), s.Pending})
		}
		doc = append(doc, field{key("conversation"), conv})
	} else {
		doc = append(doc, field{key("conversation"), nil})
	}
	complaints := []object{}
	for _, cc := range d.Complaints {
		k := cc.Complaint
		o := complaint(k)
		rating := ""
		if k.Rating > 0 {
			rating = strconv.Itoa(k.Rating)
		}
		o = append(o,
			field{key("state"), c.State(lang, k.State)},
			field{key("unit"), unitName(units, k.Unit)},
			field{key("due"), when(k.Due)},
			field{key("lapor_id"), k.LaporID},
			field{key("rating"), rating},
			field{key("filed"), when(k.FiledAt)},
			field{key("updated"), when(k.Updated)},
			field{key("closed"), when(k.ClosedAt)},
			field{key("language"), language(k.Contact.Lang)},
			field{key("files"), files(cc.Files)},
		)
		steps := []object{}
		for _, s := range cc.Steps {
			from := ""
			if s.From != "" {
				from = c.State(lang, s.From)
			}
			steps = append(steps, object{
				{key("step_at"), when(s.At)},
				{key("step_kind"), c.Event(lang, s.Kind)},
				{key("step_mine"), s.Mine},
				{key("step_from"), from},
				{key("step_to"), c.State(lang, s.To)},
				{key("step_unit"), unitName(units, s.Unit)},
				{key("step_text"), s.Text},
			}.compact())
		}
		o = append(o, field{key("steps"), steps})
		complaints = append(complaints, o)
	}
	doc = append(doc, field{key("complaints"), complaints})
	requests := []object{}
	for _, r := range d.Requests {
		requests = append(requests, object{
			{key("request_kind"), key("request_" + string(r.Kind))},
			{key("request_at"), when(r.Requested)},
			{key("request_done"), when(r.Completed)},
		})
	}
	doc = append(doc, field{key("requests"), requests})
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return out.Bytes(), errors.Join(errs...)
}

// field is one key and value of an object.
type field struct {
	key   string
	value any
}

// object is a JSON object whose keys keep their order.
type object []field

// compact returns o without its empty strings, false booleans and zero numbers.
func (o object) compact() object {
	out := object{}
	for _, f := range o {
		switch v := f.value.(type) {
		case string:
			if v == "" {
				continue
			}
		case bool:
			if !v {
				continue
			}
		case int64:
			if v == 0 {
				continue
			}
		}
		out = append(out, f)
	}
	return out
}

// MarshalJSON writes o's fields in order.
func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := marshal(f.key)
		if err != nil {
			return nil, err
		}
		v, err := marshal(f.value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshal is json.Marshal without escaping <, > and &: the document is read by people.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
