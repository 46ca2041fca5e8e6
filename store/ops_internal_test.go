package store

import (
	"testing"
	"time"
)

func TestPoolConfigDefaults(t *testing.T) {
	tests := []struct {
		url      string
		timeout  time.Duration
		maxConns int32
	}{
		{"postgres://aduan@db.example/aduan", ConnectTimeout, 16},
		{"postgres://aduan@db.example/aduan?connect_timeout=3", 3 * time.Second, 16},
		{"postgres://aduan@db.example/aduan?pool_max_conns=5&connect_timeout=2", 2 * time.Second, 5},
		{"host=db.example user=aduan dbname=aduan pool_max_conns=7", ConnectTimeout, 7},
	}
	for _, tt := range tests {
		cfg, err := poolConfig(tt.url)
		if err != nil {
			t.Errorf("poolConfig(%q): %v", tt.url, err)
			continue
		}
		if cfg.ConnConfig.ConnectTimeout != tt.timeout || cfg.MaxConns != tt.maxConns {
			t.Errorf("poolConfig(%q): connect timeout %s, max conns %d; want %s, %d", tt.url,
				cfg.ConnConfig.ConnectTimeout, cfg.MaxConns, tt.timeout, tt.maxConns)
		}
	}
}
