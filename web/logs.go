package web

import (
	"errors"
	"log/slog"
	"net"
	"syscall"
)

// renderFailed logs a page that could not be written whole. A reader who went away
// (a phone losing its signal, a closed tab) is routine and logged at debug level
// without the error, whose text names the reader's address: an IP address is personal
// data. Anything else is a fault of the page, logged as an error.
func renderFailed(log *slog.Logger, page string, err error) {
	var op *net.OpError
	if errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) || errors.As(err, &op) {
		log.Debug("web page not sent whole: the reader went away", "page", page)
		return
	}
	log.Error("web page rendering failed", "page", page, "err", err)
}
