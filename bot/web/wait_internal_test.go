package web

import "testing"

// A page waiting on several chats wakes at a change of any of them, once, and stops
// waiting on all of them.
func TestWaitAny(t *testing.T) {
	c := &Channel{waiting: map[string][]*waiter{}}
	woke, stop := c.WaitAny("c-a", "g-b")
	other, stopOther := c.Wait("c-a")
	c.changed("g-b")
	select {
	case <-woke:
	default:
		t.Fatal("a change of g-b does not wake the page waiting on c-a and g-b")
	}
	select {
	case <-other:
		t.Fatal("a change of g-b wakes a page waiting on c-a only")
	default:
	}
	c.changed("c-a") // the page already woken is not woken again (no double close)
	select {
	case <-other:
	default:
		t.Fatal("a change of c-a does not wake the page waiting on it")
	}
	stop()
	stopOther()
	if len(c.waiting) != 0 {
		t.Errorf("pages still waiting after they stopped: %v", c.waiting)
	}
}
