package whatsapp

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"

	"aduan/bot"
	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/locales"
	"aduan/store"
	"aduan/store/storetest"
)

// sent is one SendMessage call.
type sent struct {
	To  types.JID
	Msg *waE2E.Message
	ID  types.MessageID
}

// read is one MarkRead call.
type read struct {
	IDs          []types.MessageID
	Chat, Sender types.JID
}

// fakeClient is a whatsmeow client that records what it is asked and answers from
// what the test put in it.
type fakeClient struct {
	mu         sync.Mutex
	offline    bool
	sends      []sent
	sendErr    []error // the errors of the next sends, in turn
	reads      []read
	typing     []types.JID
	downloads  []whatsmeow.DownloadableMessage
	media      map[string][]byte // by direct path
	downErr    error
	uploads    [][]byte
	groups     map[types.JID]*types.GroupInfo
	groupCalls int
	ids        int
	now        func() time.Time // when set, the time of each send is kept in sentAt
	sentAt     []time.Time
}

var _ Client = (*fakeClient)(nil)

func newFake() *fakeClient {
	return &fakeClient{media: map[string][]byte{}, groups: map[types.JID]*types.GroupInfo{}}
}

func (f *fakeClient) SendMessage(ctx context.Context, to types.JID, m *waE2E.Message, extra ...whatsmeow.SendRequestExtra) (whatsmeow.SendResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(extra) != 1 || extra[0].ID == "" {
		return whatsmeow.SendResponse{}, errors.New("fake: send without a chosen ID")
	}
	if len(f.sendErr) > 0 {
		err := f.sendErr[0]
		f.sendErr = f.sendErr[1:]
		if err != nil {
			return whatsmeow.SendResponse{}, err
		}
	}
	f.sends = append(f.sends, sent{To: to, Msg: m, ID: extra[0].ID})
	if f.now != nil {
		f.sentAt = append(f.sentAt, f.now())
	}
	return whatsmeow.SendResponse{ID: extra[0].ID, Timestamp: time.Unix(1764633600, 0)}, nil
}

func (f *fakeClient) GenerateMessageID() types.MessageID {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ids++
	return types.MessageID("3EB0FAKE" + strconv.Itoa(f.ids))
}

func (f *fakeClient) MarkRead(ctx context.Context, ids []types.MessageID, ts time.Time, chat, sender types.JID, rt ...types.ReceiptType) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads = append(f.reads, read{IDs: ids, Chat: chat, Sender: sender})
	return nil
}

func (f *fakeClient) SendChatPresence(ctx context.Context, chat types.JID, state types.ChatPresence, media types.ChatPresenceMedia) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if state == types.ChatPresenceComposing {
		f.typing = append(f.typing, chat)
	}
	return nil
}

func (f *fakeClient) Download(ctx context.Context, msg whatsmeow.DownloadableMessage) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.downloads = append(f.downloads, msg)
	if f.downErr != nil {
		return nil, f.downErr
	}
	data, ok := f.media[msg.GetDirectPath()]
	if !ok {
		return nil, whatsmeow.ErrMediaDownloadFailedWith404
	}
	return data, nil
}

func (f *fakeClient) Upload(ctx context.Context, data []byte, kind whatsmeow.MediaType) (whatsmeow.UploadResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.uploads = append(f.uploads, data)
	return whatsmeow.UploadResponse{URL: "https://mmg.whatsapp.net/up", DirectPath: "/up/" + string(kind), MediaKey: []byte("key"),
		FileEncSHA256: []byte("enc"), FileSHA256: []byte("sha"), FileLength: uint64(len(data))}, nil
}

func (f *fakeClient) GetGroupInfo(ctx context.Context, jid types.JID) (*types.GroupInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.groupCalls++
	g, ok := f.groups[jid]
	if !ok {
		return nil, whatsmeow.ErrNotInGroup
	}
	return g, nil
}

func (f *fakeClient) IsConnected() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return !f.offline
}

func (f *fakeClient) sentMessages() []sent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]sent(nil), f.sends...)
}

// fakeRender renders a notice as its Text (or its message ID) in one block, and its
// choices with their Text as labels: the tests see exactly what the channel formats.
var fakeRender = RenderFunc(func(ctx context.Context, m flows.Envelope) (bot.Message, error) {
	n := m.Notice
	text := n.Text
	if text == "" {
		text = string(n.Msg)
	}
	if n.Data["From"] != "" {
		text += " " + n.Data["From"] + "/" + n.Data["Total"]
	}
	out := bot.Message{Blocks: []string{text}, Ask: n.Ask, Card: n.Card}
	for _, row := range n.Choices {
		var opts []bot.Option
		for _, c := range row {
			opts = append(opts, bot.Option{Label: c.Text, Key: c.Label, Data: c.Data})
		}
		out.Choices = append(out.Choices, opts)
	}
	return out, nil
})

// rig is a channel over a fake client and a real database.
type rig struct {
	wa     *Bot
	rules  *flows.Rules
	fake   *fakeClient
	db     *store.DB
	clock  *flowstest.Clock
	slept  []time.Duration
	wakes  int
	mu     sync.Mutex
	record []flows.Receipt // what DeliverParts recorded, in order
	parts  []int
}

func newRig(t testing.TB, cfg Config) *rig {
	t.Helper()
	return newRigOf(t, cfg, flowstest.Units())
}

// newRigOf is newRig over the given units.
func newRigOf(t testing.TB, cfg Config, units []flows.Unit) *rig {
	t.Helper()
	db := storetest.NewWithUnits(t, units)
	cat, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := flows.NewDirectory(units)
	if err != nil {
		t.Fatal(err)
	}
	rules := flowstest.Rules(t)
	rules.Units = dir
	r := &rig{rules: rules, fake: newFake(), db: db, clock: flowstest.NewClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))}
	r.wa = New(cfg, r.fake, db, fakeRender, cat, func() *flows.Rules { return rules }, r.clock, nil, func() { r.wakes++ })
	r.wa.sleep = func(ctx context.Context, d time.Duration) error {
		r.mu.Lock()
		r.slept = append(r.slept, d)
		r.mu.Unlock()
		r.clock.Advance(d)
		return nil
	}
	r.wa.pacer.rand = func() float64 { return 0.5 }
	return r
}

// deliver calls DeliverParts, keeping what it records.
func (r *rig) deliver(t *testing.T, m flows.Envelope) (flows.Receipt, error) {
	t.Helper()
	return r.wa.DeliverParts(context.Background(), m, func(ctx context.Context, parts int, rc flows.Receipt) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.parts = append(r.parts, parts)
		r.record = append(r.record, rc)
		return nil
	})
}

// claimOne claims the one waiting inbound message of the rig's database.
func (r *rig) claim(t *testing.T) []flows.RawInbound {
	t.Helper()
	raws, err := r.db.ClaimInbox(context.Background(), []string{Name}, r.clock.Now(), time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	return raws
}
