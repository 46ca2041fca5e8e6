package tgfake_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// TestSendMediaGroup: an album of uploaded photos (or documents) arrives as messages that
// share a media_group_id, each with its caption and the bytes uploaded; albums Telegram
// refuses are refused.
func TestSendMediaGroup(t *testing.T) {
	fake := MustFake(t)
	b := MustBot(t, fake)
	ctx := testContext(t)
	const chat = -100777
	msgs, err := b.SendMediaGroup(ctx, &bot.SendMediaGroupParams{ChatID: chat, MessageThreadID: 5, Media: []models.InputMedia{
		&models.InputMediaPhoto{Media: "attach://a.jpg", Caption: "one", MediaAttachment: strings.NewReader("photo-a")},
		&models.InputMediaPhoto{Media: "attach://b.jpg", Caption: "two", MediaAttachment: strings.NewReader("photo-b")},
	}})
	if err != nil || len(msgs) != 2 {
		t.Fatalf("SendMediaGroup = %v, %v", msgs, err)
	}
	if msgs[0].MediaGroupID == "" || msgs[0].MediaGroupID != msgs[1].MediaGroupID || msgs[1].Caption != "two" ||
		len(msgs[0].Photo) != 1 || msgs[0].MessageThreadID != 5 || msgs[1].ID != msgs[0].ID+1 {
		t.Errorf("album messages %+v", msgs)
	}
	if data, ok := fake.FileData(msgs[1].Photo[0].FileID); !ok || !bytes.Equal(data, []byte("photo-b")) {
		t.Errorf("second photo stored as %q", data)
	}
	calls := fake.Calls("sendMediaGroup")
	if len(calls) != 1 || string(calls[0].Files["a.jpg"]) != "photo-a" || calls[0].MessageID != msgs[0].ID {
		t.Errorf("recorded call %+v", calls)
	}
	if _, ok := fake.Message(chat, msgs[1].ID); !ok {
		t.Error("the album's messages are not kept")
	}
	docs, err := b.SendMediaGroup(ctx, &bot.SendMediaGroupParams{ChatID: chat, Media: []models.InputMedia{
		&models.InputMediaDocument{Media: "attach://x.pdf", MediaAttachment: strings.NewReader("pdf-x")},
		&models.InputMediaDocument{Media: "attach://y.pdf", MediaAttachment: strings.NewReader("pdf-y")},
	}})
	if err != nil || docs[1].Document == nil || docs[1].Document.FileName != "y.pdf" {
		t.Fatalf("document album = %+v, %v", docs, err)
	}
	for name, media := range map[string][]models.InputMedia{
		"one item": {&models.InputMediaPhoto{Media: "attach://a.jpg", MediaAttachment: strings.NewReader("a")}},
		"mixed": {&models.InputMediaPhoto{Media: "attach://a.jpg", MediaAttachment: strings.NewReader("a")},
			&models.InputMediaDocument{Media: "attach://b.pdf", MediaAttachment: strings.NewReader("b")}},
		"unknown file": {&models.InputMediaPhoto{Media: "attach://a.jpg", MediaAttachment: strings.NewReader("a")},
			&models.InputMediaPhoto{Media: "no-such-file-id"}},
		"long caption": {&models.InputMediaPhoto{Media: "attach://a.jpg", Caption: strings.Repeat("x", 1025), MediaAttachment: strings.NewReader("a")},
			&models.InputMediaPhoto{Media: "attach://b.jpg", MediaAttachment: strings.NewReader("b")}},
	} {
		if _, err := b.SendMediaGroup(ctx, &bot.SendMediaGroupParams{ChatID: chat, Media: media}); !errors.Is(err, bot.ErrorBadRequest) {
			t.Errorf("%s: %v, want 400", name, err)
		}
	}
}

// TestSendLocation: a location with its keyboard; coordinates off the globe are refused.
func TestSendLocation(t *testing.T) {
	fake := MustFake(t)
	b := MustBot(t, fake)
	ctx := testContext(t)
	m, err := b.SendLocation(ctx, &bot.SendLocationParams{ChatID: -100777, Latitude: -0.0532, Longitude: 109.3421, ReplyMarkup: keyboard("v:card:1")})
	if err != nil || m.Location == nil || m.Location.Latitude != -0.0532 || m.ReplyMarkup == nil {
		t.Fatalf("SendLocation = %+v, %v", m, err)
	}
	if _, err := b.SendLocation(ctx, &bot.SendLocationParams{ChatID: -100777, Latitude: 91, Longitude: 0}); !errors.Is(err, bot.ErrorBadRequest) {
		t.Errorf("latitude 91: %v", err)
	}
	if got := fake.Sent(-100777); len(got) != 1 || got[0].Method != "sendLocation" {
		t.Errorf("Sent = %+v", got)
	}
}
