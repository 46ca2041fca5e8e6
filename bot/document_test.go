package bot_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"aduan/bot"
	"aduan/flows"
	"aduan/flows/flowstest"
)

// records is a store of one complaint and its trail for bot.Record; failAudit makes
// its Audit fail.
type records struct {
	complaints
	trail     []flows.AuditEvent
	failAudit error
}

func (r records) Audit(_ context.Context, id int64) ([]flows.AuditEvent, error) {
	if r.failAudit != nil {
		return nil, r.failAudit
	}
	return r.trail, nil
}

func TestRecordIsTheCatalogsRecordForTheViewer(t *testing.T) {
	_, cat, rules := MustRenderer(t, nil)
	c := routed(t)
	c.Privacy = flows.Confidential
	trail := []flows.AuditEvent{
		{At: c.FiledAt, Kind: flows.EvFile, Actor: flowstest.Complainant, ToState: flows.Submitted, UnitAfter: flowstest.National},
	}
	st := records{complaints: complaints{c.ID: c}, trail: trail}
	for _, unit := range []string{flowstest.Ombudsman, flowstest.Team} {
		for _, lang := range cat.Languages() {
			m := flows.Envelope{Lang: lang, Unit: unit, Notice: flows.Notice{Msg: flows.MsgRecord, Complaint: c.ID}}
			doc, err := bot.Record(ctx, st, cat, rules, m)
			if err != nil {
				t.Fatalf("%s %s: %v", unit, lang, err)
			}
			viewer, _ := rules.Units.Unit(unit)
			want, err := cat.Record(lang, c, trail, viewer, rules.Units, rules.Calendar.Location())
			if err != nil {
				t.Fatal(err)
			}
			if doc.Name != c.Tracking+".txt" || doc.Mime != "text/plain" || string(doc.Data) != want {
				t.Errorf("%s %s: Record = %q %q\n%s\nwant %s.txt text/plain\n%s", unit, lang, doc.Name, doc.Mime, doc.Data, c.Tracking, want)
			}
			// A confidential complainant's name is the Ombudsman's to read, not the team's.
			if shown := strings.Contains(string(doc.Data), c.Contact.Name); shown != (unit == flowstest.Ombudsman) {
				t.Errorf("%s %s: the complainant's name shown %v", unit, lang, shown)
			}
		}
	}
}

func TestRecordWithoutTheStoreIsNoDocument(t *testing.T) {
	_, cat, rules := MustRenderer(t, nil)
	c := routed(t)
	down := errors.New("store down")
	for name, st := range map[string]records{
		"no complaint": {complaints: complaints{}},
		"no trail":     {complaints: complaints{c.ID: c}, failAudit: down},
	} {
		m := flows.Envelope{Lang: "id", Unit: flowstest.Ombudsman, Notice: flows.Notice{Msg: flows.MsgRecord, Complaint: c.ID}}
		doc, err := bot.Record(ctx, st, cat, rules, m)
		if err == nil || doc.Data != nil || doc.Name != "" {
			t.Errorf("%s: Record = %q, %v; want no document and an error", name, doc.Name, err)
		}
		if name == "no trail" && !errors.Is(err, down) {
			t.Errorf("%s: error %v is not the store's", name, err)
		}
	}
}
