package registry

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"
	"time"

	"github.com/askfirst/askfirst/internal/fetch"
	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/store"
)

// DomainVerifier proves that the claimant controls a domain by finding the
// claim's token where only the domain's owner can put it.
type DomainVerifier interface {
	// Verify returns the method that found token for domain ("http" or
	// "dns"), or an error saying where it looked.
	Verify(ctx context.Context, domain, token string) (string, error)
}

// NetVerifier looks for the token in https://DOMAIN/.well-known/askfirst.txt
// and in the DNS TXT records of _askfirst.DOMAIN.
type NetVerifier struct {
	// Client fetches the well-known file; nil means a fetch.Client that
	// refuses private addresses.
	Client *fetch.Client
	// Scheme is "https" unless set (tests serve plain http on loopback).
	Scheme string
	// Resolver looks up TXT records; nil means net.DefaultResolver.
	Resolver *net.Resolver
}

// Verify implements DomainVerifier.
func (v *NetVerifier) Verify(ctx context.Context, domain, token string) (string, error) {
	c := v.Client
	if c == nil {
		var err error
		if c, err = fetch.New(fetch.Config{}); err != nil {
			return "", err
		}
	}
	scheme := v.Scheme
	if scheme == "" {
		scheme = "https"
	}
	u := scheme + "://" + domain + "/.well-known/askfirst.txt"
	resp, httpErr := c.Do(ctx, fetch.Request{URL: u, Limit: 4096, Truncate: true})
	if httpErr == nil && resp.Status == 200 {
		for _, line := range strings.Split(string(resp.Body), "\n") {
			if strings.TrimSpace(line) == token {
				return "http", nil
			}
		}
		httpErr = fmt.Errorf("%s does not contain the token", u)
	} else if httpErr == nil {
		httpErr = fmt.Errorf("%s answered %d", u, resp.Status)
	}
	res := v.Resolver
	if res == nil {
		res = net.DefaultResolver
	}
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	txts, dnsErr := res.LookupTXT(dctx, "_askfirst."+domain)
	for _, t := range txts {
		if strings.TrimSpace(t) == token || strings.TrimSpace(t) == "askfirst-verification="+token {
			return "dns", nil
		}
	}
	if dnsErr == nil {
		dnsErr = fmt.Errorf("no TXT record of _askfirst.%s holds the token", domain)
	}
	return "", fmt.Errorf("%w: %v; %v", ErrUnverified, httpErr, dnsErr)
}

var domainRE = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$|^localhost$|^[0-9.]+$|^[0-9.]+:[0-9]+$|^[a-z0-9.-]+:[0-9]+$`)

func normalizeDomain(d string) (string, error) {
	d = strings.TrimSuffix(strings.TrimPrefix(strings.ToLower(strings.TrimSpace(d)), "www."), ".")
	if len(d) > 253 || !domainRE.MatchString(d) {
		return "", invalidf("domain %q is not a host name", d)
	}
	return d, nil
}

// ClaimDomain starts a claim by p on domain and returns the token to
// publish at https://DOMAIN/.well-known/askfirst.txt or in a TXT record of
// _askfirst.DOMAIN. Claiming again returns the same pending claim.
func (r *Registry) ClaimDomain(ctx context.Context, p Principal, domain string) (store.DomainClaim, error) {
	if err := requireWrite(p); err != nil {
		return store.DomainClaim{}, err
	}
	d, err := normalizeDomain(domain)
	if err != nil {
		return store.DomainClaim{}, err
	}
	var c store.DomainClaim
	err = r.st.Update(ctx, func(tx store.Tx) error {
		old, err := tx.DomainClaim(d, p.Account.ID)
		if err == nil {
			c = old
			return nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		c = store.DomainClaim{Domain: d, AccountID: p.Account.ID, Token: "askfirst-" + strings.TrimPrefix(newID("dv"), "dv_"),
			State: store.DomainPending, CreatedAt: r.timestamp()}
		return tx.CreateDomainClaim(c)
	})
	if err != nil {
		return store.DomainClaim{}, fmt.Errorf("claim %s: %w", d, err)
	}
	return c, nil
}

// domainStatement is the log entry of a verified domain.
type domainStatement struct {
	Type     string `json:"type"` // "domain"
	Domain   string `json:"domain"`
	Account  string `json:"account"`
	Method   string `json:"method"`
	Verified string `json:"verified"`
}

// VerifyDomain checks p's pending claim on domain with the verifier and
// records the verification in the log. A domain can be verified by one
// account at a time.
func (r *Registry) VerifyDomain(ctx context.Context, p Principal, domain string) (store.DomainClaim, ledger.Receipt, error) {
	if err := requireWrite(p); err != nil {
		return store.DomainClaim{}, ledger.Receipt{}, err
	}
	d, err := normalizeDomain(domain)
	if err != nil {
		return store.DomainClaim{}, ledger.Receipt{}, err
	}
	var c store.DomainClaim
	err = r.st.View(ctx, func(tx store.ReadTx) error {
		c, err = tx.DomainClaim(d, p.Account.ID)
		return err
	})
	if err != nil {
		return c, ledger.Receipt{}, fmt.Errorf("verify %s: claim it first: %w", d, err)
	}
	method, err := r.verifier.Verify(ctx, d, c.Token)
	if err != nil {
		return c, ledger.Receipt{}, fmt.Errorf("verify %s: %w", d, err)
	}
	now := r.timestamp()
	rs, err := r.write(ctx, func(tx store.Tx, log func(any) (int64, error)) error {
		if v, err := tx.VerifiedDomain(d); err == nil && v.AccountID != p.Account.ID {
			return fmt.Errorf("%w: %s is verified by another account", store.ErrConflict, d)
		}
		idx, err := log(domainStatement{Type: "domain", Domain: d, Account: p.Account.ID, Method: method, Verified: rfc3339(now)})
		if err != nil {
			return err
		}
		return tx.VerifyDomain(d, p.Account.ID, method, now, idx)
	})
	if err != nil {
		return c, ledger.Receipt{}, fmt.Errorf("verify %s: %w", d, err)
	}
	c.State, c.Method, c.VerifiedAt, c.LogIndex = store.DomainVerified, method, now, rs[0].Index
	return c, rs[0], nil
}
