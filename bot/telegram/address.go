package telegram

import (
	"fmt"
	"strconv"
)

// CheckChat checks that chat is a Telegram group chat ID as the desk writes it: a
// negative number in decimal, without a plus sign, leading zeros or spaces
// (supergroups' IDs start with -100). It returns nil for one, and an error saying what
// is wrong otherwise; a person's chat ID (positive) is not a group's.
func CheckChat(chat string) error {
	id, err := strconv.ParseInt(chat, 10, 64)
	switch {
	case err != nil || strconv.FormatInt(id, 10) != chat:
		return fmt.Errorf("%q is not a chat ID (a negative number such as -1001234567890: type /id in the group)", chat)
	case id >= 0:
		return fmt.Errorf("%s is not a group chat ID (group IDs are negative: type /id in the group)", chat)
	}
	return nil
}
