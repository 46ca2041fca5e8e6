package store

import (
	"strconv"
	"strings"
	"testing"
)

// The lease condition names the identity lock's key as a literal: it must be LeaseLock.
func TestLeaseFreeNamesLeaseLock(t *testing.T) {
	if !strings.Contains(leaseFree, "l.classid = "+strconv.Itoa(int(LeaseLock))+" ") {
		t.Errorf("leaseFree does not use LeaseLock %d", LeaseLock)
	}
}
