package bot

import (
	"context"

	"aduan/flows"
	"aduan/locales"
)

// AccessCodes gives the access codes of complaints, the key to following one on the web
// (the status page, the web chat); *store.DB is one. A Renderer whose Complaints are
// also AccessCodes tells the complainant the code in the filing notice.
type AccessCodes interface {
	// AccessCode returns the access code of the complaint with the given tracking
	// number, as it is shown ("K7QM-3XPA"), or an error when it cannot be had.
	AccessCode(ctx context.Context, tracking string) (string, error)
}

// accessCode returns the block that ends the filing notice m on cat's surface: the
// complaint's access code, what it is for and where to use it (locales.MsgAccessCode).
// It is empty where the surface does not show the code (a chat channel without the
// desk's public address), when the renderer has no AccessCodes, and when the code
// cannot be had (logged: the notice goes out without it).
func (r *Renderer) accessCode(ctx context.Context, cat *locales.Catalog, m flows.Envelope) string {
	codes, ok := r.complaints.(AccessCodes)
	if !ok || !cat.ShowsAccessCode() || m.Notice.Tracking == "" {
		return ""
	}
	code, err := codes.AccessCode(ctx, m.Notice.Tracking)
	if err != nil {
		r.log.Warn("access code not shown", "msg", m.Notice.Msg, "complaint", m.Notice.Complaint, "err", err)
		return ""
	}
	text, err := cat.AccessCode(m.Lang, m.Notice.Report, m.Notice.Tracking, code)
	if err != nil {
		r.log.Warn("message rendering incomplete", "msg", locales.MsgAccessCode, "surface", cat.Surface().Name, "err", err)
	}
	return text
}
