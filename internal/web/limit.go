package web

import (
	"sync"
	"time"
)

// Caps on the work a visitor can cause.
const (
	// joinsPerHour bounds the accounts one client address creates per
	// hour (each is a permanent log entry and an Argon2 hash).
	joinsPerHour = 10
	// maxStreams bounds the live-count streams open at once.
	maxStreams = 256
	// streamLife is how long one live-count stream stays open; the
	// browser reconnects after it.
	streamLife = 4 * time.Minute
	// maxLimiterKeys bounds the addresses a limiter remembers.
	maxLimiterKeys = 10000
)

// limiter counts events per key in fixed windows. It is safe for
// concurrent use and remembers at most maxLimiterKeys keys: when full it
// forgets the expired windows, and if none has expired, all of them (a
// flood from that many addresses resets the counts rather than grow
// memory).
type limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	keys   map[string]*window
	now    func() time.Time
}

type window struct {
	start time.Time
	n     int
}

func newLimiter(max int, d time.Duration) *limiter {
	return &limiter{max: max, window: d, keys: map[string]*window{}, now: time.Now}
}

// allow counts one event for key and reports whether it is within the
// limit.
func (l *limiter) allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	w := l.keys[key]
	if w == nil || now.Sub(w.start) >= l.window {
		if w == nil && len(l.keys) >= maxLimiterKeys {
			for k, v := range l.keys {
				if now.Sub(v.start) >= l.window {
					delete(l.keys, k)
				}
			}
			if len(l.keys) >= maxLimiterKeys {
				clear(l.keys)
			}
		}
		w = &window{start: now}
		l.keys[key] = w
	}
	w.n++
	return w.n <= l.max
}
