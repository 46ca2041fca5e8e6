package tgfake_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"aduan/bot/telegram/tgfake"
)

const token = "123456:TEST-token"

// MustFake starts a fake server that closes when the test ends.
func MustFake(tb testing.TB) *tgfake.Server {
	tb.Helper()
	fake := tgfake.New(token)
	tb.Cleanup(fake.Close)
	return fake
}

// MustBot returns the real client pointed at fake, with a 1-second long poll.
func MustBot(tb testing.TB, fake *tgfake.Server, opts ...bot.Option) *bot.Bot {
	tb.Helper()
	opts = append([]bot.Option{
		bot.WithServerURL(fake.URL()),
		bot.WithSkipGetMe(),
		bot.WithHTTPClient(2*time.Second, &http.Client{Timeout: 5 * time.Second}),
	}, opts...)
	b, err := bot.New(token, opts...)
	if err != nil {
		tb.Fatalf("bot.New: %v", err)
	}
	return b
}

func testContext(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	tb.Cleanup(cancel)
	return ctx
}

func keyboard(data ...string) *models.InlineKeyboardMarkup {
	var row []models.InlineKeyboardButton
	for _, d := range data {
		row = append(row, models.InlineKeyboardButton{Text: strings.ToUpper(d), CallbackData: d})
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{row}}
}

func TestGetMe(t *testing.T) {
	fake := MustFake(t)
	b, err := bot.New(token, bot.WithServerURL(fake.URL()))
	if err != nil {
		t.Fatalf("bot.New with getMe: %v", err)
	}
	me, err := b.GetMe(testContext(t))
	if err != nil {
		t.Fatalf("GetMe: %v", err)
	}
	if me.ID != 123456 || !me.IsBot || me.FirstName != "Aduan" || me.Username != "AduanBot" {
		t.Errorf("GetMe = %+v", me)
	}
	if got := len(fake.Calls("getMe")); got != 2 {
		t.Errorf("getMe calls = %d, want 2 (New and GetMe)", got)
	}

	fake.SetMe(models.User{ID: 123456, IsBot: true, FirstName: "Pengaduan", Username: "PengaduanBot"})
	me, err = b.GetMe(testContext(t))
	if err != nil || me.Username != "PengaduanBot" {
		t.Errorf("GetMe after SetMe = %+v, %v", me, err)
	}
}

func TestWrongTokenAndUnknownMethod(t *testing.T) {
	fake := MustFake(t)
	_, err := bot.New("999:wrong", bot.WithServerURL(fake.URL()))
	if !errors.Is(err, bot.ErrorUnauthorized) {
		t.Errorf("bot.New with a wrong token: %v, want ErrorUnauthorized", err)
	}

	b := MustBot(t, fake)
	if _, err := b.Close(testContext(t)); !errors.Is(err, bot.ErrorNotFound) {
		t.Errorf("unknown method close: %v, want ErrorNotFound", err)
	}

	resp, err := http.Post(fake.URL()+"/bot"+token+"/noSuchMethod", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || string(body) != `{"description":"Not Found","error_code":404,"ok":false}` {
		t.Errorf("unknown method: %d %s", resp.StatusCode, body)
	}
}

func TestSendMessageKeyboardAndThread(t *testing.T) {
	fake := MustFake(t)
	b := MustBot(t, fake)
	ctx := testContext(t)
	const group = int64(-1001234567890)

	topic, err := b.CreateForumTopic(ctx, &bot.CreateForumTopicParams{ChatID: group, Name: "KR-0001 jalan rusak"})
	if err != nil {
		t.Fatalf("CreateForumTopic: %v", err)
	}
	msg, err := b.SendMessage(ctx, &bot.SendMessageParams{
		ChatID:          group,
		MessageThreadID: topic.MessageThreadID,
		Text:            "Tiket #42 diterima",
		ReplyMarkup:     keyboard("claim:42", "close:42"),
	})
	if err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	if msg.Chat.ID != group || msg.Chat.Type != models.ChatTypeSupergroup || !msg.Chat.IsForum {
		t.Errorf("chat = %+v", msg.Chat)
	}
	if msg.MessageThreadID != topic.MessageThreadID || !msg.IsTopicMessage || msg.Date == 0 || msg.Text != "Tiket #42 diterima" {
		t.Errorf("message = %+v", msg)
	}
	if msg.ID <= topic.MessageThreadID {
		t.Errorf("message_id %d not after the topic's %d", msg.ID, topic.MessageThreadID)
	}
	if msg.ReplyMarkup == nil || msg.ReplyMarkup.InlineKeyboard[0][1].CallbackData != "close:42" {
		t.Errorf("reply_markup not echoed: %+v", msg.ReplyMarkup)
	}
	if msg.From == nil || msg.From.ID != 123456 {
		t.Errorf("from = %+v", msg.From)
	}

	sent := fake.Sent(group)
	if len(sent) != 1 {
		t.Fatalf("Sent(group) = %d calls, want 1", len(sent))
	}
	c := sent[0]
	if c.ChatID() != group || c.Text() != "Tiket #42 diterima" || c.ThreadID() != topic.MessageThreadID || c.MessageID != msg.ID {
		t.Errorf("call = %+v", c)
	}
	kb := c.Keyboard()
	if len(kb) != 1 || len(kb[0]) != 2 || kb[0][0].Text != "CLAIM:42" || kb[0][0].CallbackData != "claim:42" {
		t.Errorf("Keyboard() = %+v", kb)
	}

	// Message IDs count per chat; a private chat starts at 1.
	for want := 1; want <= 2; want++ {
		pm, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 77, Text: "halo"})
		if err != nil {
			t.Fatal(err)
		}
		if pm.ID != want || pm.Chat.Type != models.ChatTypePrivate || pm.MessageThreadID != 0 {
			t.Errorf("private message = %+v, want id %d", pm, want)
		}
	}
	if got := fake.Sent(77); len(got) != 2 || got[0].Keyboard() != nil || got[0].ThreadID() != 0 {
		t.Errorf("Sent(77) = %+v", got)
	}
}

func TestSendMessageValidation(t *testing.T) {
	fake := MustFake(t)
	b := MustBot(t, fake)
	ctx := testContext(t)

	msg, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 5, Text: "<b>Tiket</b> &lt;42&gt; &amp; <i>baru</i>", ParseMode: models.ParseModeHTML})
	if err != nil || msg.Text != "Tiket <42> & baru" {
		t.Errorf("HTML message = %+v, %v", msg, err)
	}
	for _, text := range []string{"jalan 2 < 3 km", "<b>tebal", "<b>x</i>", "<script>x</script>"} {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 5, Text: text, ParseMode: models.ParseModeHTML})
		if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "can't parse entities") {
			t.Errorf("HTML %q: %v, want can't parse entities", text, err)
		}
	}
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 5, Text: strings.Repeat("é", 4097)}); !errors.Is(err, bot.ErrorBadRequest) {
		t.Errorf("4097 characters: %v, want bad request", err)
	}
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 5, Text: ""}); !errors.Is(err, bot.ErrorBadRequest) {
		t.Errorf("empty text: %v, want bad request", err)
	}
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 5, Text: "x", ReplyMarkup: keyboard(strings.Repeat("d", 65))}); !errors.Is(err, bot.ErrorBadRequest) {
		t.Errorf("65-byte callback data: %v, want bad request", err)
	}
	if _, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 5, Text: "x", ReplyParameters: &models.ReplyParameters{MessageID: 999}}); !errors.Is(err, bot.ErrorBadRequest) {
		t.Errorf("reply to a missing message: %v, want bad request", err)
	}

	in := fake.Push(tgfake.TextMessage(5, 5, "jalan berlubang"))
	reply, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 5, Text: "Diterima", ReplyParameters: &models.ReplyParameters{MessageID: in.Message.ID}})
	if err != nil || reply.ReplyToMessage == nil || reply.ReplyToMessage.Text != "jalan berlubang" {
		t.Errorf("reply = %+v, %v", reply, err)
	}
	if c := fake.Calls("sendMessage"); c[len(c)-1].ReplyTo() != in.Message.ID {
		t.Errorf("ReplyTo() = %d, want %d", c[len(c)-1].ReplyTo(), in.Message.ID)
	}
}

func TestEditMessage(t *testing.T) {
	fake := MustFake(t)
	b := MustBot(t, fake)
	ctx := testContext(t)

	msg, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: -100, Text: "Tiket #7", ReplyMarkup: keyboard("claim:7")})
	if err != nil {
		t.Fatal(err)
	}

	_, err = b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: -100, MessageID: msg.ID, Text: "Tiket #7", ReplyMarkup: keyboard("claim:7")})
	if !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "message is not modified") {
		t.Errorf("identical edit: %v, want message is not modified", err)
	}

	edited, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: -100, MessageID: msg.ID, Text: "Tiket #7 diambil Budi"})
	if err != nil {
		t.Fatalf("EditMessageText: %v", err)
	}
	if edited.ID != msg.ID || edited.Text != "Tiket #7 diambil Budi" || edited.ReplyMarkup != nil || edited.EditDate == 0 {
		t.Errorf("edited = %+v", edited)
	}
	if stored, ok := fake.Message(-100, msg.ID); !ok || stored.Text != "Tiket #7 diambil Budi" || stored.ReplyMarkup != nil {
		t.Errorf("Message() = %+v, %v", stored, ok)
	}

	withKB, err := b.EditMessageReplyMarkup(ctx, &bot.EditMessageReplyMarkupParams{ChatID: -100, MessageID: msg.ID, ReplyMarkup: keyboard("close:7")})
	if err != nil || withKB.ReplyMarkup == nil || withKB.ReplyMarkup.InlineKeyboard[0][0].CallbackData != "close:7" {
		t.Errorf("EditMessageReplyMarkup = %+v, %v", withKB, err)
	}
	if _, err := b.EditMessageReplyMarkup(ctx, &bot.EditMessageReplyMarkupParams{ChatID: -100, MessageID: msg.ID, ReplyMarkup: keyboard("close:7")}); !errors.Is(err, bot.ErrorBadRequest) {
		t.Errorf("identical markup: %v, want bad request", err)
	}
	if _, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: -100, MessageID: 999, Text: "x"}); !errors.Is(err, bot.ErrorBadRequest) {
		t.Errorf("edit a missing message: %v, want bad request", err)
	}
	user := fake.Push(tgfake.TextMessage(-100, 9, "halo"))
	if _, err := b.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: -100, MessageID: user.Message.ID, Text: "x"}); !errors.Is(err, bot.ErrorBadRequest) {
		t.Errorf("edit a user's message: %v, want bad request", err)
	}
}

func TestAnswerCallbackQuery(t *testing.T) {
	fake := MustFake(t)
	b := MustBot(t, fake)
	ok, err := b.AnswerCallbackQuery(testContext(t), &bot.AnswerCallbackQueryParams{CallbackQueryID: "cbq-1", Text: "Diambil"})
	if err != nil || !ok {
		t.Fatalf("AnswerCallbackQuery = %v, %v", ok, err)
	}
	c := fake.Calls("answerCallbackQuery")
	if len(c) != 1 || c[0].Fields["callback_query_id"] != "cbq-1" || c[0].Text() != "Diambil" {
		t.Errorf("calls = %+v", c)
	}
}

func TestSendDocumentAndPhoto(t *testing.T) {
	fake := MustFake(t)
	b := MustBot(t, fake)
	ctx := testContext(t)
	pdf := []byte("%PDF-1.4 laporan bulanan")

	msg, err := b.SendDocument(ctx, &bot.SendDocumentParams{
		ChatID:   -100,
		Document: &models.InputFileUpload{Filename: "laporan.pdf", Data: bytes.NewReader(pdf)},
		Caption:  "Laporan Juni",
	})
	if err != nil {
		t.Fatalf("SendDocument: %v", err)
	}
	if msg.Document == nil || msg.Document.FileName != "laporan.pdf" || msg.Document.FileSize != int64(len(pdf)) || msg.Caption != "Laporan Juni" {
		t.Errorf("message = %+v, document %+v", msg, msg.Document)
	}
	c := fake.Sent(-100)
	if len(c) != 1 || !bytes.Equal(c[0].Files["document"], pdf) || c[0].FileNames["document"] != "laporan.pdf" || c[0].Text() != "Laporan Juni" {
		t.Fatalf("recorded = %+v", c)
	}

	// The upload is a file like any other: it can be fetched and re-sent by file_id.
	f, err := b.GetFile(ctx, &bot.GetFileParams{FileID: msg.Document.FileID})
	if err != nil {
		t.Fatalf("GetFile of the upload: %v", err)
	}
	if got := download(t, b.FileDownloadLink(f)); !bytes.Equal(got, pdf) {
		t.Errorf("download = %q", got)
	}
	again, err := b.SendDocument(ctx, &bot.SendDocumentParams{ChatID: 8, Document: &models.InputFileString{Data: msg.Document.FileID}})
	if err != nil || again.Document.FileID != msg.Document.FileID {
		t.Errorf("re-send by file_id = %+v, %v", again, err)
	}

	fake.AddFile("AgAC-photo", "photos/file_0.jpg", []byte("jpeg"))
	photo, err := b.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: 8, Photo: &models.InputFileString{Data: "AgAC-photo"}, Caption: "Bukti"})
	if err != nil || len(photo.Photo) == 0 || photo.Photo[len(photo.Photo)-1].FileID != "AgAC-photo" {
		t.Errorf("SendPhoto by file_id = %+v, %v", photo, err)
	}
	if c := fake.Sent(8); len(c) != 2 || c[1].Fields["photo"] != "AgAC-photo" || c[1].Method != "sendPhoto" {
		t.Errorf("Sent(8) = %+v", c)
	}
	if _, err := b.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: 8, Photo: &models.InputFileString{Data: "no-such-file"}}); !errors.Is(err, bot.ErrorBadRequest) {
		t.Errorf("unknown file_id: %v, want bad request", err)
	}
}

func download(tb testing.TB, link string) []byte {
	tb.Helper()
	resp, err := http.Get(link)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET file: %d %s", resp.StatusCode, body)
	}
	return body
}

func TestGetFileAndDownload(t *testing.T) {
	fake := MustFake(t)
	b := MustBot(t, fake)
	ctx := testContext(t)
	data := []byte("\xff\xd8\xff foto jalan")
	fake.AddFile("AgAC-1", "photos/file_1.jpg", data)

	f, err := b.GetFile(ctx, &bot.GetFileParams{FileID: "AgAC-1"})
	if err != nil {
		t.Fatalf("GetFile: %v", err)
	}
	if f.FileID != "AgAC-1" || f.FileUniqueID == "" || f.FileSize != int64(len(data)) || f.FilePath != "photos/file_1.jpg" {
		t.Errorf("file = %+v", f)
	}
	if got := download(t, b.FileDownloadLink(f)); !bytes.Equal(got, data) {
		t.Errorf("download = %q", got)
	}
	if _, err := b.GetFile(ctx, &bot.GetFileParams{FileID: "nope"}); !errors.Is(err, bot.ErrorBadRequest) {
		t.Errorf("unknown file: %v, want bad request", err)
	}
	resp, err := http.Get(fake.URL() + "/file/bot" + token + "/photos/nope.jpg")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("missing file status = %d", resp.StatusCode)
	}
}

func TestCreateForumTopic(t *testing.T) {
	fake := MustFake(t)
	b := MustBot(t, fake)
	ctx := testContext(t)
	first, err := b.CreateForumTopic(ctx, &bot.CreateForumTopicParams{ChatID: -100, Name: "KR-0001"})
	if err != nil {
		t.Fatal(err)
	}
	second, err := b.CreateForumTopic(ctx, &bot.CreateForumTopicParams{ChatID: -100, Name: "KR-0002"})
	if err != nil {
		t.Fatal(err)
	}
	if first.Name != "KR-0001" || second.Name != "KR-0002" || second.MessageThreadID <= first.MessageThreadID || first.MessageThreadID == 0 {
		t.Errorf("topics = %+v, %+v", first, second)
	}
	if _, err := b.CreateForumTopic(ctx, &bot.CreateForumTopicParams{ChatID: 5, Name: "x"}); !errors.Is(err, bot.ErrorBadRequest) {
		t.Errorf("topic in a private chat: %v, want bad request", err)
	}
}

func TestFailureInjection(t *testing.T) {
	fake := MustFake(t)
	b := MustBot(t, fake)
	ctx := testContext(t)
	send := func() error {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 42, Text: "halo"})
		return err
	}

	fake.FailNext("sendMessage", 429, "Too Many Requests: retry after 3", 3)
	fake.FailNext("sendmessage", 500, "Internal Server Error", 0)
	fake.FailNextHTML("sendMessage", http.StatusBadGateway)

	var tmr *bot.TooManyRequestsError
	if err := send(); !errors.As(err, &tmr) || tmr.RetryAfter != 3 {
		t.Errorf("first send: %v, want TooManyRequestsError with RetryAfter 3", err)
	}
	if err := send(); err == nil || !strings.Contains(err.Error(), "500 Internal Server Error") {
		t.Errorf("second send: %v, want 500", err)
	}
	if err := send(); err == nil || !strings.Contains(err.Error(), "error decode response body") || !strings.Contains(err.Error(), "502 Bad Gateway") {
		t.Errorf("third send: %v, want an HTML decode error", err)
	}
	if err := send(); err != nil {
		t.Errorf("fourth send: %v, want success", err)
	}

	fake.BlockUser(42)
	if err := send(); !errors.Is(err, bot.ErrorForbidden) || !strings.Contains(err.Error(), "bot was blocked by the user") {
		t.Errorf("send to a blocked user: %v, want ErrorForbidden", err)
	}
	if _, err := b.SendChatAction(ctx, &bot.SendChatActionParams{ChatID: 42, Action: models.ChatActionTyping}); !errors.Is(err, bot.ErrorForbidden) {
		t.Errorf("chat action to a blocked user: %v, want ErrorForbidden", err)
	}
	fake.UnblockUser(42)
	if err := send(); err != nil {
		t.Errorf("send after unblock: %v", err)
	}

	var codes []int
	for _, c := range fake.Calls("sendMessage") {
		codes = append(codes, c.ErrorCode)
	}
	if want := []int{429, 500, 502, 0, 403, 0}; !equalInts(codes, want) {
		t.Errorf("error codes = %v, want %v", codes, want)
	}
	if got := len(fake.Sent(42)); got != 2 {
		t.Errorf("Sent(42) = %d, want the 2 delivered messages", got)
	}

	fake.Reset()
	if got := len(fake.Calls()); got != 0 {
		t.Errorf("calls after Reset = %d", got)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestLongPolling(t *testing.T) {
	fake := MustFake(t)
	got := make(chan *models.Update, 10)
	b := MustBot(t, fake,
		bot.WithNotAsyncHandlers(),
		bot.WithAllowedUpdates(bot.AllowedUpdates{models.AllowedUpdateMessage, models.AllowedUpdateCallbackQuery}),
		bot.WithDefaultHandler(func(_ context.Context, _ *bot.Bot, u *models.Update) { got <- u }))
	ctx, cancel := context.WithCancel(testContext(t))
	done := make(chan struct{})
	go func() {
		b.Start(ctx)
		close(done)
	}()
	defer func() {
		cancel()
		<-done
	}()

	card, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 7, Text: "Pilih kategori", ReplyMarkup: keyboard("cat:jalan")})
	if err != nil {
		t.Fatal(err)
	}
	pushed := []models.Update{
		fake.Push(tgfake.TextMessage(7, 7, "/start")),
		fake.Push(tgfake.Callback(7, 7, card.ID, "cat:jalan")),
		fake.Push(tgfake.ContactMessage(7, 7, "+6281234567890")),
		fake.Push(tgfake.PhotoMessage(7, 7, "AgAC-9", 2048, "lubang")),
		fake.Push(tgfake.ReplyMessage(7, 7, card.ID, "jalan")),
	}
	for i, want := range pushed {
		select {
		case u := <-got:
			if u.ID != want.ID || u.ID != int64(i+1) {
				t.Fatalf("update %d has id %d, want %d", i, u.ID, want.ID)
			}
		case <-ctx.Done():
			t.Fatalf("update %d not delivered: %v", i, ctx.Err())
		}
	}

	start := pushed[0].Message
	if start.Entities[0].Type != models.MessageEntityTypeBotCommand || start.Entities[0].Length != 6 || start.Chat.Type != models.ChatTypePrivate {
		t.Errorf("/start message = %+v", start)
	}
	if start.ID <= card.ID {
		t.Errorf("pushed message id %d not after the bot's %d", start.ID, card.ID)
	}
	cq := pushed[1].CallbackQuery
	if cq.Data != "cat:jalan" || cq.Message.Message == nil || cq.Message.Message.Text != "Pilih kategori" || cq.Message.Message.ReplyMarkup == nil {
		t.Errorf("callback = %+v, message %+v", cq, cq.Message.Message)
	}
	if c := pushed[2].Message.Contact; c == nil || c.PhoneNumber != "+6281234567890" || c.UserID != 7 {
		t.Errorf("contact = %+v", c)
	}
	if p := pushed[3].Message.Photo; len(p) == 0 || p[len(p)-1].FileID != "AgAC-9" || pushed[3].Message.Caption != "lubang" {
		t.Errorf("photo = %+v", pushed[3].Message)
	}
	if r := pushed[4].Message.ReplyToMessage; r == nil || r.ID != card.ID || r.Text != "Pilih kategori" || r.From == nil || !r.From.IsBot {
		t.Errorf("reply_to_message = %+v", r)
	}

	// The client confirms by asking with offset = last update_id + 1; the server then forgets them.
	if _, err := waitGetUpdates(ctx, fake, "6"); err != nil {
		t.Fatal(err)
	}
	if n := fake.Pending(); n != 0 {
		t.Errorf("pending after confirmation = %d", n)
	}
	polls := fake.Calls("getUpdates")
	if f := polls[0].Fields; f["offset"] != "1" || f["timeout"] != "1" || f["allowed_updates"] != `["message","callback_query"]` {
		t.Errorf("first getUpdates fields = %v", f)
	}
	cancel()
	<-done
	if ups := plainGetUpdates(t, fake, url.Values{"timeout": {"0"}}); len(ups) != 0 {
		t.Errorf("confirmed updates redelivered: %+v", ups)
	}
}

// waitGetUpdates waits for a getUpdates call with the given offset.
func waitGetUpdates(ctx context.Context, fake *tgfake.Server, offset string) (tgfake.Call, error) {
	for n := 1; ; n++ {
		calls, err := fake.WaitCalls(ctx, n, "getUpdates")
		if err != nil {
			return tgfake.Call{}, err
		}
		if c := calls[n-1]; c.Fields["offset"] == offset {
			return c, nil
		}
	}
}

// plainGetUpdates calls getUpdates with a URL-encoded form, as the desk's own poller does.
func plainGetUpdates(tb testing.TB, fake *tgfake.Server, form url.Values) []models.Update {
	tb.Helper()
	resp, err := http.PostForm(fake.URL()+"/bot"+token+"/getUpdates", form)
	if err != nil {
		tb.Fatal(err)
	}
	return decodeUpdates(tb, resp)
}

func decodeUpdates(tb testing.TB, resp *http.Response) []models.Update {
	tb.Helper()
	defer resp.Body.Close()
	var body struct {
		OK     bool            `json:"ok"`
		Result []models.Update `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || !body.OK {
		tb.Fatalf("getUpdates answer: ok=%v, %v", body.OK, err)
	}
	return body.Result
}

func TestGetUpdatesPlainHTTP(t *testing.T) {
	fake := MustFake(t)
	text := fake.Push(tgfake.TextMessage(-100, 3, "halo"))
	fake.Push(tgfake.Callback(-100, 3, 1, "x"))
	loc := fake.Push(tgfake.LocationMessage(3, 3, -0.0263, 109.3425))

	// allowed_updates drops the callback; limit takes one; without a higher offset nothing is confirmed.
	form := url.Values{"offset": {"0"}, "timeout": {"0"}, "limit": {"1"}, "allowed_updates": {`["message"]`}}
	for range 2 {
		ups := plainGetUpdates(t, fake, form)
		if len(ups) != 1 || ups[0].ID != text.ID || ups[0].Message.Text != "halo" || ups[0].Message.Chat.Type != models.ChatTypeSupergroup {
			t.Fatalf("getUpdates = %+v", ups)
		}
	}
	form.Set("offset", "2")
	ups := plainGetUpdates(t, fake, form)
	if len(ups) != 1 || ups[0].ID != loc.ID || ups[0].Message.Location == nil {
		t.Fatalf("getUpdates after offset 2 = %+v", ups)
	}

	// A JSON body confirms the last one.
	resp, err := http.Post(fake.URL()+"/bot"+token+"/getUpdates", "application/json", strings.NewReader(`{"offset":4,"timeout":0}`))
	if err != nil {
		t.Fatal(err)
	}
	if ups := decodeUpdates(t, resp); len(ups) != 0 || fake.Pending() != 0 {
		t.Fatalf("after offset 4: %+v, pending %d", ups, fake.Pending())
	}

	// A multipart long poll wakes up when an update is pushed.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("offset", "4")
	_ = mw.WriteField("timeout", "5")
	_ = mw.Close()
	type result struct {
		ups     []models.Update
		elapsed time.Duration
	}
	res := make(chan result, 1)
	start := time.Now()
	go func() {
		resp, err := http.Post(fake.URL()+"/bot"+token+"/getUpdates", mw.FormDataContentType(), &body)
		if err != nil {
			t.Error(err)
			res <- result{}
			return
		}
		res <- result{decodeUpdates(t, resp), time.Since(start)}
	}()
	pushed := fake.Push(tgfake.TextMessage(3, 3, "baru"))
	r := <-res
	if len(r.ups) != 1 || r.ups[0].ID != pushed.ID || r.elapsed >= 5*time.Second {
		t.Errorf("long poll = %+v after %v", r.ups, r.elapsed)
	}
	c := fake.Calls("getUpdates")
	if last := c[len(c)-1]; last.Fields["timeout"] != "5" || last.Fields["offset"] != "4" {
		t.Errorf("recorded fields = %v", last.Fields)
	}

	// With nothing queued, a long poll returns an empty list when its timeout passes.
	start = time.Now()
	if ups := plainGetUpdates(t, fake, url.Values{"offset": {"6"}, "timeout": {"1"}}); len(ups) != 0 || time.Since(start) < time.Second {
		t.Errorf("empty long poll = %+v after %v", ups, time.Since(start))
	}
}

func TestGetChatMember(t *testing.T) {
	fake := MustFake(t)
	b := MustBot(t, fake)
	ctx := testContext(t)
	fake.SetMember(-100, 7, "member")
	fake.SetMember(-100, 123456, "administrator")

	m, err := b.GetChatMember(ctx, &bot.GetChatMemberParams{ChatID: -100, UserID: 7})
	if err != nil || m.Type != models.ChatMemberTypeMember || m.Member.User.ID != 7 {
		t.Errorf("member = %+v, %v", m, err)
	}
	m, err = b.GetChatMember(ctx, &bot.GetChatMemberParams{ChatID: -100, UserID: 8})
	if err != nil || m.Type != models.ChatMemberTypeLeft {
		t.Errorf("stranger = %+v, %v", m, err)
	}
	m, err = b.GetChatMember(ctx, &bot.GetChatMemberParams{ChatID: -100, UserID: 123456})
	if err != nil || m.Type != models.ChatMemberTypeAdministrator || !m.Administrator.CanManageTopics || !m.Administrator.User.IsBot {
		t.Errorf("bot = %+v, %v", m, err)
	}
}

func TestWebhook(t *testing.T) {
	fake := MustFake(t)
	got := make(chan *models.Update, 1)
	b := MustBot(t, fake,
		bot.WithWebhookSecretToken("s3cret"),
		bot.WithDefaultHandler(func(_ context.Context, _ *bot.Bot, u *models.Update) { got <- u }))
	ctx, cancel := context.WithCancel(testContext(t))
	defer cancel()
	go b.StartWebhook(ctx)
	hook := httptest.NewServer(b.WebhookHandler())
	defer hook.Close()

	if ok, err := b.SetWebhook(ctx, &bot.SetWebhookParams{URL: hook.URL, SecretToken: "s3cret", AllowedUpdates: []string{"message"}}); err != nil || !ok {
		t.Fatalf("SetWebhook = %v, %v", ok, err)
	}
	info, err := b.GetWebhookInfo(ctx) // a parameterless method: an empty multipart body
	if err != nil || info.URL != hook.URL || len(info.AllowedUpdates) != 1 {
		t.Errorf("GetWebhookInfo = %+v, %v", info, err)
	}
	if ups := fake.Calls("setWebhook"); ups[0].Fields["secret_token"] != "s3cret" {
		t.Errorf("setWebhook fields = %v", ups[0].Fields)
	}
	resp, err := http.PostForm(fake.URL()+"/bot"+token+"/getUpdates", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("getUpdates with a webhook: %d, want 409", resp.StatusCode)
	}

	resp, err = fake.PostWebhook(hook.URL, "s3cret", tgfake.TextMessage(5, 5, "lapor"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	select {
	case u := <-got:
		if u.Message == nil || u.Message.Text != "lapor" || u.ID == 0 || u.Message.ID == 0 {
			t.Errorf("webhook update = %+v", u)
		}
	case <-ctx.Done():
		t.Fatal("webhook update not delivered")
	}

	if ok, err := b.DeleteWebhook(ctx, &bot.DeleteWebhookParams{}); err != nil || !ok {
		t.Fatalf("DeleteWebhook = %v, %v", ok, err)
	}
	if info, err := b.GetWebhookInfo(ctx); err != nil || info.URL != "" {
		t.Errorf("GetWebhookInfo after delete = %+v, %v", info, err)
	}
}

func TestWaitCallsHonoursContext(t *testing.T) {
	fake := MustFake(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	calls, err := fake.WaitCalls(ctx, 1, "sendMessage")
	if !errors.Is(err, context.DeadlineExceeded) || len(calls) != 0 {
		t.Errorf("WaitCalls = %v, %v", calls, err)
	}
}
