package tgfake_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

func TestAnswerCallbackQueryOnce(t *testing.T) {
	fake := MustFake(t)
	b := MustBot(t, fake)
	ctx := testContext(t)
	if _, err := b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: "q1", Text: "Ditolak", ShowAlert: true}); err != nil {
		t.Fatal(err)
	}
	if a, ok := fake.Answer("q1"); !ok || a.Text != "Ditolak" || !a.Alert {
		t.Errorf("Answer(q1) = %+v, %v", a, ok)
	}
	if _, err := b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: "q1"}); !errors.Is(err, bot.ErrorBadRequest) ||
		!strings.Contains(err.Error(), "query is too old") {
		t.Errorf("a second answer: %v, want query is too old", err)
	}
	fake.ExpireCallback("q2")
	if _, err := b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: "q2"}); !errors.Is(err, bot.ErrorBadRequest) {
		t.Errorf("an expired query: %v, want bad request", err)
	}
	if _, ok := fake.Answer("q2"); ok {
		t.Error("an expired query counts as answered")
	}
	if _, err := b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: "q3", Text: strings.Repeat("é", 201)}); !errors.Is(err, bot.ErrorBadRequest) {
		t.Errorf("201 characters: %v, want bad request", err)
	}
	if _, err := b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: "q3", Text: strings.Repeat("é", 200)}); err != nil {
		t.Errorf("200 characters: %v", err)
	}
}

func TestSetMyCommandsPerScopeAndLanguage(t *testing.T) {
	fake := MustFake(t)
	b := MustBot(t, fake)
	ctx := testContext(t)
	id := []models.BotCommand{{Command: "lapor", Description: "Buat laporan"}}
	en := []models.BotCommand{{Command: "lapor", Description: "File a report"}}
	group := []models.BotCommand{{Command: "antrian", Description: "Antrean"}, {Command: "id", Description: "ID chat"}}
	for _, p := range []*bot.SetMyCommandsParams{
		{Commands: id, Scope: &models.BotCommandScopeAllPrivateChats{}},
		{Commands: en, Scope: &models.BotCommandScopeAllPrivateChats{}, LanguageCode: "en"},
		{Commands: group, Scope: &models.BotCommandScopeAllGroupChats{}},
		{Commands: group[:1], Scope: &models.BotCommandScopeChat{ChatID: -100}},
	} {
		if _, err := b.SetMyCommands(ctx, p); err != nil {
			t.Fatalf("SetMyCommands(%+v): %v", p, err)
		}
	}
	for _, tc := range []struct {
		scope, lang string
		want        string
	}{
		{"all_private_chats", "", "Buat laporan"},
		{"all_private_chats", "en", "File a report"},
		{"all_group_chats", "", "Antrean"},
		{"chat:-100", "", "Antrean"},
		{"default", "", ""},
		{"all_group_chats", "en", ""},
	} {
		got := fake.Commands(tc.scope, tc.lang)
		desc := ""
		if len(got) > 0 {
			desc = got[0].Description
		}
		if desc != tc.want {
			t.Errorf("Commands(%q, %q) = %+v, want a first description %q", tc.scope, tc.lang, got, tc.want)
		}
	}
	got, err := b.GetMyCommands(ctx, &bot.GetMyCommandsParams{Scope: &models.BotCommandScopeAllGroupChats{}})
	if err != nil || len(got) != 2 || got[1].Command != "id" {
		t.Errorf("GetMyCommands(all_group_chats) = %+v, %v", got, err)
	}
	for name, p := range map[string]*bot.SetMyCommandsParams{
		"capital letters": {Commands: []models.BotCommand{{Command: "Lapor", Description: "x"}}},
		"a slash":         {Commands: []models.BotCommand{{Command: "/lapor", Description: "x"}}},
		"no description":  {Commands: []models.BotCommand{{Command: "lapor", Description: " "}}},
		"a long command":  {Commands: []models.BotCommand{{Command: strings.Repeat("a", 33), Description: "x"}}},
		"a language name": {Commands: id, LanguageCode: "indonesian"},
	} {
		if _, err := b.SetMyCommands(ctx, p); !errors.Is(err, bot.ErrorBadRequest) {
			t.Errorf("%s: %v, want bad request", name, err)
		}
	}
	if _, err := b.DeleteMyCommands(ctx, &bot.DeleteMyCommandsParams{Scope: &models.BotCommandScopeAllPrivateChats{}, LanguageCode: "en"}); err != nil {
		t.Fatal(err)
	}
	if got := fake.Commands("all_private_chats", "en"); len(got) != 0 {
		t.Errorf("after deleteMyCommands: %+v", got)
	}
}

func TestGetChatMemberStatuses(t *testing.T) {
	fake := MustFake(t)
	b := MustBot(t, fake)
	ctx := testContext(t)
	for _, status := range []string{"creator", "administrator", "member", "restricted", "left", "kicked"} {
		fake.SetMember(-100, 9, status)
		m, err := b.GetChatMember(ctx, &bot.GetChatMemberParams{ChatID: -100, UserID: 9})
		if err != nil || string(m.Type) != status {
			t.Errorf("%s: %+v, %v", status, m, err)
		}
		if status == "restricted" && (m.Restricted == nil || !m.Restricted.IsMember) {
			t.Errorf("restricted: %+v, want still a member", m.Restricted)
		}
	}
	fake.SetRestricted(-100, 9, false)
	if m, err := b.GetChatMember(ctx, &bot.GetChatMemberParams{ChatID: -100, UserID: 9}); err != nil || m.Restricted == nil || m.Restricted.IsMember {
		t.Errorf("restricted outside the chat: %+v, %v", m, err)
	}
}
