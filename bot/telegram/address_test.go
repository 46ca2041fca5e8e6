package telegram_test

import (
	"testing"

	"aduan/bot/telegram"
)

func TestCheckChat(t *testing.T) {
	for _, tt := range []struct {
		chat string
		ok   bool
	}{
		{"-1001234567890", true}, // a supergroup
		{"-4012345678", true},    // a basic group
		{"-1", true},
		{"1001234567890", false}, // a person
		{"0", false},
		{"", false},
		{"-1001234567890 ", false},
		{" -1001234567890", false},
		{"+1001234567890", false},
		{"-01001234567890", false},
		{"-100123456789012345678901", false}, // beyond int64
		{"-1e12", false},
		{"120363025246125486@g.us", false},
		{"@kuburaya", false},
	} {
		if err := telegram.CheckChat(tt.chat); (err == nil) != tt.ok {
			t.Errorf("CheckChat(%q) = %v, want ok %t", tt.chat, err, tt.ok)
		} else if err != nil && err.Error() == "" {
			t.Errorf("CheckChat(%q) has an empty error", tt.chat)
		}
	}
}
