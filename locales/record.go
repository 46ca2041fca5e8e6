package locales

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"aduan/flows"
)

// The templates of a complaint's record (Catalog.Record).
const (
	recordHead = "card.record_head"
	recordLine = "card.record_line"
	recordFile = "card.record_file"
)

// Record renders the whole record of complaint k for the group of unit viewer, as a
// plain-text document: the head card.record_head (the complaint as filed, with the
// identity and texts as the viewer may see them, see flows.Complaint.Visible and
// TextFor), then one card.record_line per event of trail, oldest first — when, what,
// who (name and unit; the complainant or the system), the states before and after,
// the unit after and the event's text (a reason, findings, an answer, a reply, an
// outcome) — and one card.record_file per attachment.
//
// The head's data are those of Card (the Body uncut) plus Report and ReportTitle (the
// report type as a word, see Notice), Privacy and Events (the number
// of lines); a line's are N, At, Event, EventCode, Actor, ActorUnit,
// Complainant and System (who acted), From, To, Unit and Text; a file's N, Kind, Name
// and Size (in KB). The outcomes are those of Text, joined.
func (c *Catalog) Record(lang string, k flows.Complaint, trail []flows.AuditEvent, viewer flows.Unit, units *flows.Directory, loc *time.Location) (string, error) {
	var errs []error
	render := func(id string, data map[string]any) string {
		s, err := c.render(lang, id, data, nil)
		if err != nil {
			errs = append(errs, err)
		}
		return s
	}
	when := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return Time(lang, t, loc)
	}
	who, _ := c.complainant(lang, k, viewer)
	masked := false
	shown := func(s string) string {
		s, m := k.TextFor(viewer, strings.TrimSpace(s))
		masked = masked || m
		return s
	}
	head := map[string]any{
		"Serious":     k.Category == flows.SeriousCategory,
		"Tracking":    k.Tracking,
		"Report":      c.word(lang, k.Type),
		"ReportTitle": capital(c.word(lang, k.Type)),
		"Title":       shown(k.Title),
		"Type":        c.ReportType(lang, k.Type),
		"Category":    c.Category(lang, k.Category),
		"Privacy":     c.Privacy(lang, k.Privacy),
		"Body":        shown(k.Body),
		"When":        shown(k.EventDate),
		"Where":       shown(k.Place),
		"Files":       len(k.Attachment),
		"Complainant": who,
		"State":       c.UnitState(lang, k.State),
		"Unit":        unitName(units, k.Unit),
		"Team":        unitName(units, k.Team),
		"TakenBy":     k.TakenBy,
		"Filed":       when(k.FiledAt),
		"Due":         when(c.Deadline(k.Due)),
		"LaporID":     k.LaporID,
		"Events":      len(trail),
	}
	var lines []string
	for i, a := range trail {
		text := strings.TrimSpace(a.Text)
		if a.Actor.Kind == flows.ByComplainant {
			text = shown(text)
		}
		lines = append(lines, render(recordLine, map[string]any{
			"N":           i + 1,
			"At":          when(a.At),
			"Event":       c.Event(lang, a.Kind),
			"EventCode":   string(a.Kind),
			"Actor":       strings.TrimSpace(a.Actor.Name),
			"ActorUnit":   unitName(units, a.Actor.Unit),
			"Complainant": a.Actor.Kind == flows.ByComplainant,
			"System":      a.Actor.Kind == flows.BySystem,
			"From":        c.UnitState(lang, a.FromState),
			"To":          c.UnitState(lang, a.ToState),
			"Unit":        unitName(units, a.UnitAfter),
			"Text":        text,
		}))
	}
	var files []string
	for i, f := range k.Attachment {
		files = append(files, render(recordFile, map[string]any{
			"N": i + 1, "Kind": f.Kind, "Name": strings.TrimSpace(f.Name), "Ref": f.Ref,
			"Size": strconv.FormatInt((f.Size+1023)/1024, 10),
		}))
	}
	head["Masked"] = masked
	var b strings.Builder
	b.WriteString(render(recordHead, head))
	b.WriteString("\n\n")
	b.WriteString(strings.Join(lines, "\n\n"))
	if len(files) > 0 {
		b.WriteString("\n\n")
		b.WriteString(strings.Join(files, "\n"))
	}
	b.WriteString("\n")
	return b.String(), errors.Join(errs...)
}
