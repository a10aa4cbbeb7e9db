package registry

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Password hashing: Argon2id (RFC 9106) with the parameters OWASP's
// Password Storage Cheat Sheet gives as a minimum (19 MiB of memory, two
// passes, one lane), a random 16-byte salt and a 32-byte tag, stored in
// the PHC string format that other Argon2 libraries read:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt, base64 unpadded>$<tag, base64 unpadded>
//
// A stored hash keeps its own parameters, so raising them later still
// verifies the old hashes.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonSaltLen   = 16
	argonKeyLen    = 32

	// MinPasswordLen and MaxPasswordLen bound a new password, in bytes
	// (NIST SP 800-63B: at least 8 characters, at least 64 allowed, no
	// composition rules).
	MinPasswordLen = 10
	MaxPasswordLen = 1024

	// maxHashers bounds the Argon2 computations running at once: each
	// takes 19 MiB and a core for some 30 ms, so a flood of sign-ins costs
	// at most this many of each.
	maxHashers = 2
)

// hashers is the semaphore of running Argon2 computations.
var hashers = make(chan struct{}, maxHashers)

// argon runs Argon2id under the semaphore, or returns ctx's error.
func argon(ctx context.Context, password, salt []byte, t, m uint32, p uint8, n uint32) ([]byte, error) {
	select {
	case hashers <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-hashers }()
	return argon2.IDKey(password, salt, t, m, p, n), nil
}

// HashPassword returns the PHC string of a new Argon2id hash of password.
func HashPassword(ctx context.Context, password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	rand.Read(salt)
	key, err := argon(ctx, []byte(password), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	if err != nil {
		return "", err
	}
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemoryKiB, argonTime, argonThreads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// errBadHash is returned for a stored hash that is not a PHC Argon2id
// string this package can verify.
var errBadHash = errors.New("stored password hash is not an Argon2id PHC string")

// CheckPassword reports whether password matches the PHC string hash, in
// time independent of where they differ.
func CheckPassword(ctx context.Context, hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false, errBadHash
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, errBadHash
	}
	// Bound what a stored hash may ask for: 1 GiB, 16 passes, 16 lanes.
	if m == 0 || m > 1<<20 || t == 0 || t > 16 || p == 0 || p > 16 {
		return false, errBadHash
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return false, errBadHash
	}
	want, err := enc.DecodeString(parts[5])
	if err != nil || len(want) < 16 || len(want) > 64 {
		return false, errBadHash
	}
	got, err := argon(ctx, []byte(password), salt, t, m, p, uint32(len(want)))
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is checked against when a sign-in names no account, so that
// the answer takes as long as for a wrong password (no account
// enumeration by timing).
var dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
