package bot

import (
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
