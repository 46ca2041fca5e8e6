package telegram

import (
	"reflect"
	"testing"

	"github.com/go-telegram/bot/models"

	"aduan/bot"
	"aduan/flows"
	"aduan/locales"
)

// TestMarkup formats the choices and the expected answer of neutral messages as
// Telegram keyboards.
func TestMarkup(t *testing.T) {
	cat, err := locales.New()
	if err != nil {
		t.Fatal(err)
	}
	b := &Bot{catalog: cat}
	skip := []bot.Option{{Label: "Lewati", Key: flows.LabelSkip, Data: "i:phone:skip"}}
	rows := [][]bot.Option{{{Label: "Setuju", Key: flows.LabelAgree, Data: "i:consent:ok"}, {Label: "Batal", Key: flows.LabelCancel, Data: "i:consent:no"}}}
	for _, tc := range []struct {
		name string
		msg  bot.Message
		want models.ReplyMarkup
	}{
		{"choices", bot.Message{Choices: rows}, &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{
			{{Text: "Setuju", CallbackData: "i:consent:ok"}, {Text: "Batal", CallbackData: "i:consent:no"}}}}},
		{"nothing", bot.Message{}, nil},
		{"card without actions", bot.Message{Card: true}, &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{}}},
		{"phone", bot.Message{Ask: flows.AskPhone, FreeText: true, Choices: [][]bot.Option{skip}}, &models.ReplyKeyboardMarkup{
			Keyboard: [][]models.KeyboardButton{{{Text: "Bagikan Nomor Saya", RequestContact: true}}, {{Text: "Lewati"}}}, OneTimeKeyboard: true, ResizeKeyboard: true}},
		{"reply", bot.Message{Ask: flows.AskReply, FreeText: true}, &models.ForceReply{ForceReply: true}},
		{"close", bot.Message{Ask: flows.AskClose}, &models.ReplyKeyboardRemove{RemoveKeyboard: true}},
		{"close with choices", bot.Message{Ask: flows.AskClose, Choices: rows}, &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{
			{{Text: "Setuju", CallbackData: "i:consent:ok"}, {Text: "Batal", CallbackData: "i:consent:no"}}}}},
	} {
		if got := b.markup("id", tc.msg); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: markup %#v, want %#v", tc.name, got, tc.want)
		}
	}
}
