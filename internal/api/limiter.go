package api

import (
	"sync"
	"time"
)

// limiter is a token bucket per key (a token ID or a client address),
// holding at most maxKeys buckets; full buckets are dropped first.
type limiter struct {
	mu    sync.Mutex
	rate  float64
	burst float64
	keys  map[string]*bucket
	now   func() time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

const maxKeys = 100000

func newLimiter(rate float64, burst int) *limiter {
	return &limiter{rate: rate, burst: float64(burst), keys: map[string]*bucket{}, now: time.Now}
}

// allow takes one token for key; when none is left it reports how long
// until one is.
func (l *limiter) allow(key string) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.keys[key]
	if b == nil {
		if len(l.keys) >= maxKeys {
			for k, v := range l.keys {
				if v.tokens+now.Sub(v.last).Seconds()*l.rate >= l.burst {
					delete(l.keys, k)
				}
			}
		}
		b = &bucket{tokens: l.burst, last: now}
		l.keys[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens < 1 {
		return time.Duration((1 - b.tokens) / l.rate * float64(time.Second)), false
	}
	b.tokens--
	return 0, true
}
