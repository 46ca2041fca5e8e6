package main

import (
	"context"
	"net/http"
)

// practice is the practice desk running beside this one (issue 8).
type practice struct{}

func (p *practice) close() {}

// startPractice starts the practice desk when Config.Practice asks for it, and adds its
// pages (/latihan) to mux.
func (m *Main) startPractice(ctx context.Context, mux *http.ServeMux) error {
	return nil
}
