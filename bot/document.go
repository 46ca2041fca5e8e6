package bot

import (
	"context"
	"fmt"

	"aduan/flows"
	"aduan/locales"
)

// Document is a file a message carries to its reader: its name, type and contents.
type Document struct {
	Name string
	Mime string
	Data []byte
}

// DataCopy renders the document of a citizen's copy of their data (flows.MsgDataCopy,
// its Notice.Copy): JSON with labels in m.Lang (locales.Catalog.DataCopy), named for the
// day it was made in the rules' zone. Every channel sends it as a file, with the notice
// as its caption. A notice without its copy is refused (ErrRejected): there is nothing
// to send. A label that did not render is returned as an error beside the complete
// document, for the channel to log.
func DataCopy(cat *locales.Catalog, rules *flows.Rules, m flows.Envelope) (Document, error) {
	if m.Notice.Copy == nil {
		return Document{}, fmt.Errorf("bot: a data copy without its data: %w", ErrRejected)
	}
	loc := rules.Calendar.Location()
	data, err := cat.DataCopy(m.Lang, *m.Notice.Copy, rules.Units, loc)
	if data == nil {
		return Document{}, fmt.Errorf("bot: data copy: %w", err)
	}
	return Document{Name: cat.DataCopyName(m.Lang, m.Notice.Copy.Made, loc), Mime: "application/json", Data: data}, err
}

// Records is what Record reads of the store; every channel's store is one.
type Records interface {
	// Complaint returns a complaint by its ID.
	Complaint(ctx context.Context, id int64) (flows.Complaint, error)
	// Audit returns a complaint's audit trail, oldest first.
	Audit(ctx context.Context, id int64) ([]flows.AuditEvent, error)
}

// Record renders the whole record of a complaint (flows.MsgRecord, the one of
// m.Notice.Complaint) as a plain-text document, read now from the store: the complaint,
// every step of its audit trail with who and when, and its attachments, as the unit m
// is for (m.Unit) may read it (locales.Catalog.Record), in m.Lang and the rules' zone, named for its
// tracking number (TRACKING.txt). Every channel sends it as a file, with the notice as
// its caption. When the store fails, the document is empty (no Data) and the store's
// error is returned. A line that did not render is returned as an error beside the
// complete document, for the channel to log.
func Record(ctx context.Context, st Records, cat *locales.Catalog, rules *flows.Rules, m flows.Envelope) (Document, error) {
	c, err := st.Complaint(ctx, m.Notice.Complaint)
	if err != nil {
		return Document{}, err
	}
	trail, err := st.Audit(ctx, c.ID)
	if err != nil {
		return Document{}, err
	}
	viewer, _ := rules.Units.Unit(m.Unit)
	text, err := cat.Record(m.Lang, c, trail, viewer, rules.Units, rules.Calendar.Location())
	data := make([]byte, 0, len(text))
	return Document{Name: c.Tracking + ".txt", Mime: "text/plain", Data: append(data, text...)}, err
}
