package sqlstore

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"fmt"

	"github.com/kexi/kexi"
)

// crypt encrypts personal fields with AES-256-GCM (random 12-byte nonce stored before the
// ciphertext) and computes a keyed hash of them (HMAC-SHA256 under a key derived from the same
// key) for equality checks.
type crypt struct {
	aead   cipher.AEAD
	macKey []byte
}

func newCrypt(key []byte) (*crypt, error) {
	if len(key) != 32 {
		return nil, kexi.Errorf(kexi.EINVALID, "the encryption key must be 32 bytes, not %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("encryption key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("encryption key: %w", err)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("kexi personal field hash"))
	return &crypt{aead: aead, macKey: m.Sum(nil)}, nil
}

// seal encrypts s; the empty string is stored as NULL.
func (c *crypt) seal(s string) any {
	if s == "" {
		return nil
	}
	ns := c.aead.NonceSize()
	out := make([]byte, ns, ns+len(s)+c.aead.Overhead())
	if _, err := rand.Read(out); err != nil {
		panic("kexi: crypto/rand failed: " + err.Error()) // crypto/rand never fails on supported systems
	}
	return c.aead.Seal(out, out[:ns], []byte(s), nil)
}

// open decrypts a value written by seal.
func (c *crypt) open(b []byte) (string, error) {
	if len(b) == 0 {
		return "", nil
	}
	ns := c.aead.NonceSize()
	if len(b) < ns {
		return "", fmt.Errorf("decrypt personal field: value too short")
	}
	p, err := c.aead.Open(nil, b[:ns], b[ns:], nil)
	if err != nil {
		return "", fmt.Errorf("decrypt personal field: %w", err)
	}
	return string(p), nil
}

// mac returns the keyed hash of s, NULL for the empty string.
func (c *crypt) mac(s string) any {
	if s == "" {
		return nil
	}
	m := hmac.New(sha256.New, c.macKey)
	m.Write([]byte(s))
	return m.Sum(nil)
}
