package bot_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"aduan/bot"
	"aduan/bot/memory"
	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/locales"
	"aduan/store"
	"aduan/store/storetest"
)

// complaints is a fixed set of complaints for a Renderer.
type complaints map[int64]flows.Complaint

func (cs complaints) Complaint(_ context.Context, id int64) (flows.Complaint, error) {
	c, ok := cs[id]
	if !ok {
		return flows.Complaint{}, errors.New("no such complaint")
	}
	return c, nil
}

// MustRenderer returns a renderer over the fixture rules and the complaints cs.
func MustRenderer(tb testing.TB, cs complaints) (*bot.Renderer, *locales.Catalog, *flows.Rules) {
	tb.Helper()
	cat, err := locales.New()
	if err != nil {
		tb.Fatal(err)
	}
	rules := flowstest.Rules(tb)
	return bot.NewRenderer(cat, func() *flows.Rules { return rules }, cs, nil), cat, rules
}

// routed returns the fixture complaint as filed and routed to the regency.
func routed(tb testing.TB) flows.Complaint {
	c := flowstest.Report()
	c.ID, c.Version, c.Tracking = 7, 3, "KKR-261130-7QXM"
	c.State, c.Unit = flows.Routed, flowstest.Regency
	c.FiledAt = flowstest.At(tb, "2026-11-30 10:00")
	return c
}

func TestRenderNoticeWithChoices(t *testing.T) {
	r, cat, _ := MustRenderer(t, nil)
	n := flows.Notice{Msg: flows.MsgWelcome, Choices: [][]flows.Choice{
		{{Label: flows.LabelNew, Data: "m:new"}, {Label: flows.LabelStatus, Data: "m:status"}},
		{{Label: flows.LabelReply, Text: "KKR-261130-7QXM", Data: "m:rep:7"}},
	}}
	for _, s := range locales.Surfaces() {
		for _, lang := range cat.Languages() {
			env := flows.Envelope{Channel: s.Name, Chat: "555001", Lang: lang, Notice: n}
			m, err := r.Render(ctx, env, s)
			if err != nil {
				t.Fatalf("%s %s: %v", s.Name, lang, err)
			}
			want, _ := cat.On(s).Notice(lang, n, nil, nil)
			if len(m.Blocks) != 1 || m.Blocks[0] != want || want == "" {
				t.Errorf("%s %s: blocks %q, want [%q]", s.Name, lang, m.Blocks, want)
			}
			wantOpts := [][]bot.Option{
				{{Label: cat.Label(lang, n.Choices[0][0]), Key: flows.LabelNew, Data: "m:new"},
					{Label: cat.Label(lang, n.Choices[0][1]), Key: flows.LabelStatus, Data: "m:status"}},
				{{Label: cat.Label(lang, n.Choices[1][0]), Key: flows.LabelReply, Data: "m:rep:7"}},
			}
			if !slices.EqualFunc(m.Choices, wantOpts, slices.Equal) {
				t.Errorf("%s %s: choices %+v, want %+v", s.Name, lang, m.Choices, wantOpts)
			}
			if !strings.Contains(m.Choices[1][0].Label, "KKR-261130-7QXM") {
				t.Errorf("%s %s: reply label %q lacks the tracking number", s.Name, lang, m.Choices[1][0].Label)
			}
			if m.Card || m.Ask != "" || m.FreeText {
				t.Errorf("%s %s: %+v, want no card, no ask, no free text", s.Name, lang, m)
			}
			if want := cat.On(s).Hint(lang, false); m.Hint != want || (want == "") != s.Buttons {
				t.Errorf("%s %s: hint %q, want %q (and one exactly without buttons)", s.Name, lang, m.Hint, want)
			}
		}
	}
}

func TestRenderCard(t *testing.T) {
	c := routed(t)
	r, cat, rules := MustRenderer(t, complaints{c.ID: c})
	viewer, _ := rules.Units.Unit(flowstest.Regency)
	card, err := cat.Card("id", c, viewer, rules.Units, rules.Calendar.Location())
	if err != nil {
		t.Fatal(err)
	}
	var want [][]bot.Option
	for _, row := range rules.CardChoices(c, flowstest.Regency) {
		var opts []bot.Option
		for _, ch := range row {
			opts = append(opts, bot.Option{Label: cat.Label("id", ch), Key: ch.Label, Data: ch.Data})
		}
		want = append(want, opts)
	}
	if len(want) == 0 {
		t.Fatal("the regency has no action on a routed complaint")
	}

	// The card alone.
	env := flows.Envelope{Channel: "telegram", Chat: "-1002", Lang: "id", Unit: flowstest.Regency,
		Notice: flows.Notice{Msg: flows.MsgCard, Complaint: c.ID, Tracking: c.Tracking, Card: true}}
	m, err := r.Render(ctx, env, locales.Telegram)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.Blocks, []string{card}) || !m.Card || m.FreeText {
		t.Errorf("card: %+v, want the card alone", m)
	}
	if !slices.EqualFunc(m.Choices, want, slices.Equal) {
		t.Errorf("card choices %+v, want %+v", m.Choices, want)
	}

	// On a surface without buttons, the card says how to act on it in the group.
	if m, err := r.Render(ctx, env, locales.WhatsApp); err != nil || m.Hint != cat.On(locales.WhatsApp).Hint("id", true) || m.Hint == "" {
		t.Errorf("card on WhatsApp: hint %q, %v", m.Hint, err)
	}

	// Bound to a surface, the renderer renders the same.
	if got, err := r.For(locales.WhatsApp)(ctx, env); err != nil || !slices.Equal(got.Blocks, []string{card}) || got.Hint == "" {
		t.Errorf("For(WhatsApp): %+v, %v", got, err)
	}

	// A notice with the card below it.
	n := flows.Notice{Msg: flows.MsgDone, Complaint: c.ID, Tracking: c.Tracking, Actor: "Petugas", Card: true,
		Data: map[string]string{"Event": string(flows.EvRoute)}}
	env.Notice = n
	m, err = r.Render(ctx, env, locales.Telegram)
	if err != nil {
		t.Fatal(err)
	}
	head, _ := cat.Notice("id", n, rules.Units, rules.Calendar.Location())
	if !slices.Equal(m.Blocks, []string{head, card}) {
		t.Errorf("notice with card: blocks %q, want %q", m.Blocks, []string{head, card})
	}

	// A unit with nothing to do sees the card without choices.
	env.Unit = flowstest.Ombudsman
	if m, err = r.Render(ctx, env, locales.Telegram); err != nil || len(m.Choices) != 0 || !m.Card {
		t.Errorf("card for a unit without actions: %+v, %v", m, err)
	}

	// A complaint that cannot be read fails the rendering.
	env.Notice.Complaint = 99
	if _, err := r.Render(ctx, env, locales.Telegram); err == nil {
		t.Error("rendering the card of a missing complaint succeeded")
	}
}

func TestRenderFreeText(t *testing.T) {
	r, _, _ := MustRenderer(t, nil)
	for _, tc := range []struct {
		n    flows.Notice
		want bool
	}{
		{flows.Notice{Msg: flows.MsgAskBody, Data: map[string]string{"Min": "20"}}, true},
		{flows.Notice{Msg: flows.MsgAskWhen, Choices: [][]flows.Choice{{{Label: flows.LabelSkip, Data: "i:when:skip"}}}}, true},
		{flows.Notice{Msg: flows.MsgAskWhere}, true},
		{flows.Notice{Msg: flows.MsgAskPhone, Ask: flows.AskPhone}, true},
		{flows.Notice{Msg: flows.MsgAskEmail}, true},
		{flows.Notice{Msg: flows.MsgAskReply, Tracking: "KKR-261130-7QXM"}, true},
		{flows.Notice{Msg: flows.MsgAskText, Tracking: "KKR-261130-7QXM", Ask: flows.AskReply, Data: map[string]string{"Event": "answer"}}, true},
		{flows.Notice{Msg: flows.MsgAskType}, false},
		{flows.Notice{Msg: flows.MsgSummary}, false},
		{flows.Notice{Msg: flows.MsgWelcome}, false},
	} {
		m, err := r.Render(ctx, flows.Envelope{Channel: "whatsapp", Chat: "1", Lang: "id", Notice: tc.n}, locales.WhatsApp)
		if err != nil {
			t.Fatal(err)
		}
		if m.FreeText != tc.want || m.Ask != tc.n.Ask {
			t.Errorf("%s: FreeText %v, Ask %q; want %v, %q", tc.n.Msg, m.FreeText, m.Ask, tc.want, tc.n.Ask)
		}
		if m.FreeText && m.Hint != "" {
			t.Errorf("%s: hint %q on a message that takes typed text", tc.n.Msg, m.Hint)
		}
	}
}

// TestRenderQueued renders what the store queues for a filed complaint, read back by
// the Sender, as a surface without buttons receives it: the complainant's confirmation
// and the national admins' card with its actions at the complaint's version.
func TestRenderQueued(t *testing.T) {
	db := storetest.NewWithUnits(t, flowstest.Units())
	rules, err := db.Rules(ctx, flows.DefaultPolicy(), flowstest.Zone(t), flows.DefaultWeekHours())
	if err != nil {
		t.Fatal(err)
	}
	cat, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	clock := flowstest.NewClock(flowstest.At(t, "2026-11-30 10:00"))
	r := bot.NewRenderer(cat, func() *flows.Rules { return rules }, db, nil)
	ch := memory.NewRendered(store.Telegram, r, locales.WhatsApp)
	s := &bot.Sender{Outbox: db, Channels: []bot.Channel{ch}, Clock: clock, Log: slog.New(slog.DiscardHandler)}
	c, err := db.File(ctx, rules, "KR", flowstest.Report(), clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if n := drain(t, s); n == 0 {
		t.Fatal("nothing delivered")
	}
	var card, filed *memory.Sent
	sent := ch.Sent()
	for i := range sent {
		switch {
		case sent[i].Notice.Card && sent[i].Unit == flowstest.National:
			card = &sent[i]
		case sent[i].Notice.Msg == flows.MsgFiled:
			filed = &sent[i]
		}
	}
	if card == nil || filed == nil {
		t.Fatalf("sent %v, want the national card and the complainant's confirmation", msgs(sent))
	}
	if !strings.Contains(filed.Text, c.Tracking) || filed.Message.Card || len(filed.Message.Choices) != 0 {
		t.Errorf("confirmation: %+v", filed.Message)
	}
	if !card.Message.Card || !strings.Contains(card.Text, c.Tracking) || !strings.Contains(card.Text, "Sungai Raya") {
		t.Errorf("card: %q", card.Text)
	}
	var keys []flows.MsgID
	for _, o := range card.Message.Numbered() {
		keys = append(keys, o.Key)
		if a, ok := flows.ParseCardAction(o.Data); ok && (a.Complaint != c.ID || a.Version != c.Version) {
			t.Errorf("option %+v acts on complaint %d version %d, want %d version %d", o, a.Complaint, a.Version, c.ID, c.Version)
		}
		if o.Label == "" || o.Label == string(o.Key) {
			t.Errorf("option %+v has no label", o)
		}
	}
	if !slices.Contains(keys, flows.MsgID("action."+string(flows.EvRoute))) || !slices.Contains(keys, flows.MsgID("action."+string(flows.EvArchive))) {
		t.Errorf("the national card offers %v, want route and archive among them", keys)
	}
}
