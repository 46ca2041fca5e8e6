package locales

import (
	"net/url"

	"aduan/flows"
)

// MsgAccessCode is the block the filing notice (flows.MsgFiled) ends with where the
// complainant can follow the complaint on the web: its access code, what it is for, and
// the link to the status page.
const MsgAccessCode = "complainant.access_code"

// ShowsAccessCode reports whether the filing notice on c's surface carries the
// complaint's access code (see AccessCode): always on the web, where the code is how
// the complainant finds the complaint again; on the chat channels when the office has
// a PublicURL, so that the message can say where the code is used.
func (c *Catalog) ShowsAccessCode() bool {
	return c.Surface().Name == Web.Name || c.office.PublicURL != ""
}

// StatusLink returns the address of the status page of the complaint with the given
// tracking number, PublicURL/status/TRACKING; without a PublicURL, /status/TRACKING on
// the web (the desk's own pages) and "" elsewhere.
// The code is never part of it: a link is kept in browser histories and logs.
func (c *Catalog) StatusLink(tracking string) string {
	if c.office.PublicURL == "" {
		if c.Surface().Name == Web.Name {
			// On the desk's own pages the page's path is enough.
			return "/status/" + url.PathEscape(tracking)
		}
		return ""
	}
	return c.office.PublicURL + "/status/" + url.PathEscape(tracking)
}

// AccessCode renders MsgAccessCode for a reader in lang: the access code (as
// store.FormatAccessCode shows it) of the complaint of the given type and tracking
// number. The template data are Code, Tracking, Report (the word for the type, as in
// Notice) and Link (StatusLink; empty without a PublicURL: the text names the status
// page of the desk's site). The outcomes are those of Text.
func (c *Catalog) AccessCode(lang string, report flows.ReportType, tracking, code string) (string, error) {
	return c.Text(lang, MsgAccessCode, map[string]any{
		"Code":     code,
		"Tracking": tracking,
		"Report":   c.word(lang, report),
		"Link":     c.StatusLink(tracking),
	})
}

// StatusPage lists the messages of the public status page (package web, /status), in
// the order the page uses them. Each takes no data but status.heading (Tracking) and
// status.due.<kind> (DueDate: the deadline's date as citizens are shown it, for each
// flows.DueKind but none).
var StatusPage = []string{
	"status.title", "status.intro", "status.tracking", "status.tracking_hint", "status.code", "status.code_hint",
	"status.submit", "status.not_found", "status.too_many", "status.failed", "status.heading", "status.state",
	"status.filed", "status.updated", "status.due", "status.due.route", "status.due.distribute", "status.due.answer",
	"status.due.close", "status.unit", "status.history", "status.history_when", "status.another", "status.privacy",
	"status.lang_other",
}
