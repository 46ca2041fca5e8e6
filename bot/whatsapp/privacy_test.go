package whatsapp

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"

	"aduan/bot"
	"aduan/flows"
	"aduan/flows/flowstest"
	"aduan/store/storetest"
)

// citizenDigits is the part of the citizen's number no log line may show.
const citizenDigits = "81234567890"

// oldGroup is a group created before WhatsApp's group IDs: its JID starts with its
// creator's phone number.
var oldGroup = types.NewJID("6281298765432-1588888888", types.GroupServer)

// TestInboxIDNamesNoOne: the inbox key of a WhatsApp message is the same at every
// redelivery and differs between chats, but holds no digit run of the chat's number.
func TestInboxIDNamesNoOne(t *testing.T) {
	id := InboxID(citizen.String(), "3EB0AAA1")
	if id != InboxID(citizen.String(), "3EB0AAA1") || id == InboxID(adminPN.String(), "3EB0AAA1") || id == InboxID(citizen.String(), "3EB0AAA2") {
		t.Errorf("InboxID not a key of chat and message: %q", id)
	}
	if _, err := hex.DecodeString(id); err != nil || len(id) != 32 || strings.Contains(id, citizenDigits) {
		t.Errorf("InboxID = %q, want 32 hex digits naming no one", id)
	}
	r := newRig(t, Config{})
	evt := private("3EB0AAA1", text("halo"))
	for range 2 {
		if !r.wa.HandleMessage(evt) {
			t.Fatal("HandleMessage = false")
		}
	}
	if raws := r.claim(t); len(raws) != 1 || raws[0].ID != id || raws[0].Chat != citizen.String() {
		t.Errorf("inbox holds %+v, want one row keyed %q", raws, id)
	}
}

// flakyStore fails a citizen's conversation the first fail times, and notes how many
// read receipts were sent when each conversation was handled.
type flakyStore struct {
	bot.Store
	fake  *fakeClient
	fail  int
	reads []int
}

func (s *flakyStore) Converse(ctx context.Context, rules *flows.Rules, intake *flows.Intake, prefix string, in flows.Inbound, now time.Time) error {
	s.fake.mu.Lock()
	s.reads = append(s.reads, len(s.fake.reads))
	s.fake.mu.Unlock()
	if s.fail > 0 {
		s.fail--
		return errors.New("database gone")
	}
	return s.Store.Converse(ctx, rules, intake, prefix, in, now)
}

// desk returns a desk over the rig's database (through st when set), logging to buf.
func (r *rig) desk(st bot.Store, buf *storetest.LogBuffer) *bot.Desk {
	if st == nil {
		st = r.db
	}
	intake := flows.DefaultIntake()
	return &bot.Desk{Store: st, Rules: func() *flows.Rules { return r.rules }, Intake: &intake, Prefix: "KR", Clock: r.clock,
		Log: slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), MaxAttempts: 2}
}

// TestDeskMarksReadOnceHandled: a citizen's message is marked read only once the desk
// has handled it — not at Decode, not when handling fails, not when it is given up —
// and the desk's log lines about it (failed, given up) name no phone number.
func TestDeskMarksReadOnceHandled(t *testing.T) {
	r := newRig(t, Config{})
	ctx := context.Background()
	buf := &storetest.LogBuffer{}
	st := &flakyStore{Store: r.db, fake: r.fake, fail: 2}
	desk := r.desk(st, buf)

	// Handling fails twice: retried once, then given up; never marked read.
	if !r.wa.HandleMessage(private("3EB0R001", text("halo"))) {
		t.Fatal("HandleMessage = false")
	}
	for range 2 {
		if _, err := desk.Drain(ctx, []bot.Decoder{r.wa}); err != nil {
			t.Fatal(err)
		}
		r.clock.Advance(time.Minute)
	}
	if len(st.reads) != 2 || len(r.fake.reads) != 0 {
		t.Fatalf("%d attempts, read receipts %+v; want 2 attempts, none read", len(st.reads), r.fake.reads)
	}
	log := buf.String()
	if !strings.Contains(log, "inbound message failed") || !strings.Contains(log, "inbound message given up") ||
		!strings.Contains(log, InboxID(citizen.String(), "3EB0R001")) {
		t.Errorf("the desk's log lacks the failure:\n%s", log)
	}
	if strings.Contains(log, citizenDigits) {
		t.Errorf("the desk's log names the citizen's number:\n%s", log)
	}

	// Handled: marked read after its conversation was handled, with its WhatsApp ID.
	if !r.wa.HandleMessage(private("3EB0R002", text("halo lagi"))) {
		t.Fatal("HandleMessage = false")
	}
	if n, err := desk.Drain(ctx, []bot.Decoder{r.wa}); err != nil || n != 1 {
		t.Fatalf("Drain = %d, %v", n, err)
	}
	if len(st.reads) != 3 || st.reads[2] != 0 {
		t.Errorf("reads when handled: %v, want none before the handling committed", st.reads)
	}
	if len(r.fake.reads) != 1 || len(r.fake.reads[0].IDs) != 1 || r.fake.reads[0].IDs[0] != "3EB0R002" || r.fake.reads[0].Chat != citizen {
		t.Errorf("read receipts %+v, want 3EB0R002 marked read", r.fake.reads)
	}
}

// TestSendErrorScrubbed: whatsmeow's send errors name the recipient; the error a
// delivery returns, the Sender's log and the outbox row keep no digit run of it, and
// the error still says what it is (unreachable, or worth retrying).
func TestSendErrorScrubbed(t *testing.T) {
	for _, c := range []struct {
		err         error
		unreachable bool
	}{
		{fmt.Errorf("failed to get LID for PN %s: %w", citizen, whatsmeow.ErrServerReturnedError), false},
		{fmt.Errorf("%w (%s)", whatsmeow.ErrRecipientADJID, types.NewADJID(citizen.User, 0, 3)), true},
	} {
		got := (&Bot{}).failure(c.err)
		if strings.Contains(got.Error(), citizenDigits) || !errors.Is(got, errors.Unwrap(c.err)) ||
			errors.Is(got, bot.ErrUnreachable) != c.unreachable {
			t.Errorf("failure(%q) = %q (unreachable %v)", c.err, got, errors.Is(got, bot.ErrUnreachable))
		}
	}

	r := newRig(t, Config{})
	ctx := context.Background()
	buf := &storetest.LogBuffer{}
	desk := r.desk(nil, buf)
	if !r.wa.HandleMessage(private("3EB0S001", text("halo"))) {
		t.Fatal("HandleMessage = false")
	}
	if _, err := desk.Drain(ctx, []bot.Decoder{r.wa}); err != nil {
		t.Fatal(err)
	}
	r.fake.sendErr = []error{fmt.Errorf("failed to get LID for PN %s: %w", citizen, whatsmeow.ErrServerReturnedError)}
	sender := &bot.Sender{Outbox: r.db, Channels: []bot.Channel{r.wa}, Clock: r.clock, Log: desk.Log}
	if _, err := sender.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	var lastError string
	if err := r.db.Pool().QueryRow(ctx, `SELECT last_error FROM outbox WHERE channel = $1 AND last_error <> ''`, Name).Scan(&lastError); err != nil {
		t.Fatalf("no outbox row kept the failure: %v", err)
	}
	if !strings.Contains(lastError, "failed to get LID for PN") || strings.Contains(lastError, citizenDigits) {
		t.Errorf("outbox last_error %q", lastError)
	}
	if log := buf.String(); !strings.Contains(log, "failed to get LID for PN") || strings.Contains(log, citizenDigits) {
		t.Errorf("the Sender's log:\n%s", log)
	}
}

// TestDeliverFilesKeepsParts: a complaint's files are parts by their place among the
// complaint's, at every attempt: one gone from the store between attempts is skipped,
// and the parts after it keep their IDs and captions; when nothing is left to send, the
// retry sends nothing (no empty message) and the receipt is the last part sent.
func TestDeliverFilesKeepsParts(t *testing.T) {
	r := newRig(t, Config{})
	ctx := context.Background()
	var refs []string
	for i, data := range []string{"jpeg0", "jpeg1", "jpeg2"} {
		ref, err := r.db.SaveFile(ctx, Name, "6281234567890@s.whatsapp.net", fmt.Sprintf("x/%d", i), "foto.jpg", "image/jpeg", []byte(data), r.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, ref)
	}
	files := flows.Envelope{ID: 1, Channel: Name, Chat: group.String(), Unit: "dukcapil", Lang: "id", Notice: flows.Notice{Msg: flows.MsgFiles,
		Tracking: "KR-0042", Text: "Lampiran", Files: []flows.Attachment{{Kind: "photo", Ref: refs[0]}, {Kind: "photo", Ref: refs[1]}, {Kind: "photo", Ref: refs[2]}},
		Data: map[string]string{"From": "1", "Total": "3"}}}
	gone := func(ref string) {
		t.Helper()
		if _, err := r.db.Pool().Exec(ctx, `DELETE FROM attachment_file WHERE id = $1`, strings.TrimPrefix(ref, "file:")); err != nil {
			t.Fatal(err)
		}
	}

	// Part 0 is sent, part 1 fails; then attachment 1 is gone.
	r.fake.sendErr = []error{nil, whatsmeow.ErrMessageTimedOut}
	if _, err := r.deliver(t, files); err == nil {
		t.Fatal("no error")
	}
	base := r.record[0].Ref
	gone(refs[1])
	files.Parts, files.PartRef, files.Attempts = 1, base, 2
	rc, err := r.deliver(t, files)
	if err != nil {
		t.Fatal(err)
	}
	sent := r.fake.sentMessages()
	if len(sent) != 2 {
		t.Fatalf("sent %d messages, want 2", len(sent))
	}
	if img := sent[1].Msg.GetImageMessage(); sent[1].ID != partID(base, 2) || img.GetCaption() != "Lampiran 3/3" || string(r.fake.uploads[len(r.fake.uploads)-1]) != "jpeg2" {
		t.Errorf("the retry sent %s %q (%q), want attachment 3 as part 2", sent[1].ID, img.GetCaption(), r.fake.uploads)
	}
	if rc.Ref != string(partID(base, 2)) {
		t.Errorf("receipt %q, want part 2's ID", rc.Ref)
	}

	// All three sent but the last, which fails; then it is gone: nothing is sent again.
	r.fake.sendErr = []error{nil, nil, whatsmeow.ErrMessageTimedOut}
	files.ID, files.Parts, files.PartRef, files.Attempts = 2, 0, "", 1
	files.Notice.Files[1].Ref = refs[0]
	if _, err := r.deliver(t, files); err == nil {
		t.Fatal("no error")
	}
	base = r.record[len(r.record)-1].Ref
	gone(refs[2])
	before := len(r.fake.sentMessages())
	files.Parts, files.PartRef, files.Attempts = 2, base, 2
	rc, err = r.deliver(t, files)
	if err != nil {
		t.Fatal(err)
	}
	if after := r.fake.sentMessages(); len(after) != before {
		t.Errorf("the retry sent %+v, want nothing", after[before:])
	}
	if rc.Ref != string(partID(base, 1)) {
		t.Errorf("receipt %q, want part 1's ID %q", rc.Ref, partID(base, 1))
	}
}

// TestDeskMasksOldGroups: an older group's JID names its creator's phone number; the
// desk logs it masked, both for a group of no unit and for a refused action in a unit's.
func TestDeskMasksOldGroups(t *testing.T) {
	units := flowstest.Units()
	stranger := types.NewJID("6281377777777-1599999999", types.GroupServer)
	for i := range units {
		if units[i].Code == flowstest.National {
			units[i].Chats = append(units[i].Chats, flows.ChatRef{Channel: Name, Chat: oldGroup.String()})
		}
	}
	r := newRigOf(t, Config{}, units)
	buf := &storetest.LogBuffer{}
	desk := r.desk(nil, buf)
	for i, chat := range []types.JID{oldGroup, stranger} {
		evt := inGroup(fmt.Sprintf("3EB0G00%d", i), text("antrian"))
		evt.Info.Chat = chat
		if !r.wa.HandleMessage(evt) {
			t.Fatal("HandleMessage = false")
		}
	}
	if _, err := desk.Drain(context.Background(), []bot.Decoder{r.wa}); err != nil {
		t.Fatal(err)
	}
	log := buf.String()
	for _, want := range []string{"group action refused: not a member", "6281******432-1588888888@g.us",
		"in no unit", "6281******777-1599999999@g.us"} {
		if !strings.Contains(log, want) {
			t.Errorf("the desk's log lacks %q:\n%s", want, log)
		}
	}
	for _, number := range []string{"6281298765432", "6281377777777", "1298765", "1377777"} {
		if strings.Contains(log, number) {
			t.Errorf("the desk's log names %s:\n%s", number, log)
		}
	}
}

// TestMaskChat: the chat IDs the desk logs, as WhatsApp's channel masks them.
func TestMaskChat(t *testing.T) {
	var c Bot
	for chat, want := range map[string]string{
		group.String():            group.String(),
		oldGroup.String():         "6281******432-1588888888@g.us",
		citizen.String():          "6281******890@s.whatsapp.net",
		citizenLID.String():       "1234********345@lid",
		"not a JID 6281234567890": "not a JID …",
	} {
		if got := c.MaskChat(chat); got != want {
			t.Errorf("MaskChat(%q) = %q, want %q", chat, got, want)
		}
	}
}
