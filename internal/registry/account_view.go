package registry

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"

	"github.com/askfirst/askfirst/internal/store"
)

// What an account's own pages read: its trust (tokens, keys, delegations),
// its works and declarations and which declarations apply to each work,
// what its delegates did for it, and the log entries of its rows.

// AccountView is an account with what it gave and was given.
type AccountView struct {
	Account store.Account
	Email   string // private: shown to the account only
	Tokens  []store.Token
	Keys    []store.Key
	// Delegations are those the account gave, revoked or not.
	Delegations []store.Delegation
	// Members are the active delegations given to the account (an
	// organisation).
	Members   []store.Delegation
	Domains   []store.DomainClaim
	Campaigns []store.Campaign
	// ByDelegates is what organisations did for the account: declarations
	// made and works registered on its behalf (the most recent
	// maxDelegateActs of each).
	DelegateDeclarations []store.Declaration
	DelegateWorks        []store.Work
	// Names maps the account IDs shown to their names.
	Names map[string]string
}

// maxDelegateActs caps what AccountView lists of a delegate's acts.
const maxDelegateActs = 200

// Account returns the view of an account for its own page.
func (r *Registry) Account(ctx context.Context, id string) (AccountView, error) {
	v := AccountView{Names: map[string]string{}}
	err := r.st.View(ctx, func(tx store.ReadTx) error {
		var err error
		if v.Account, err = tx.Account(id); err != nil {
			return err
		}
		if c, err := tx.Credential(id); err == nil {
			v.Email = c.Email
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if v.Tokens, err = tx.Tokens(id); err != nil {
			return err
		}
		if v.Keys, err = tx.Keys(id); err != nil {
			return err
		}
		if v.Delegations, err = tx.MemberDelegations(id); err != nil {
			return err
		}
		if v.Members, err = tx.Delegations(id); err != nil {
			return err
		}
		if v.Domains, err = tx.DomainClaims(id); err != nil {
			return err
		}
		if v.Campaigns, err = tx.CampaignsByAccount(id, 100); err != nil {
			return err
		}
		if v.DelegateDeclarations, err = lastPage(func(after string) ([]store.Declaration, error) {
			return tx.DeclarationsOnBehalfOf(id, after, 10000)
		}, func(d store.Declaration) string { return d.ID }); err != nil {
			return err
		}
		if v.DelegateWorks, err = lastPage(func(after string) ([]store.Work, error) {
			return tx.WorksRegisteredFor(id, after, 10000)
		}, func(w store.Work) string { return w.ID }); err != nil {
			return err
		}
		ids := []string{id}
		for _, d := range v.Delegations {
			ids = append(ids, d.OrganisationID)
		}
		for _, d := range v.Members {
			ids = append(ids, d.MemberID)
		}
		for _, d := range v.DelegateDeclarations {
			ids = append(ids, d.AccountID)
		}
		for _, w := range v.DelegateWorks {
			ids = append(ids, w.RegisteredBy)
		}
		return names(tx, v.Names, ids)
	})
	if err != nil {
		return v, fmt.Errorf("account %s: %w", id, err)
	}
	return v, nil
}

// lastPage pages through a listing ordered by ID and keeps the last
// maxDelegateActs rows, newest (highest ID) first.
func lastPage[T any](list func(after string) ([]T, error), id func(T) string) ([]T, error) {
	var keep []T
	after := ""
	for {
		page, err := list(after)
		if err != nil {
			return nil, err
		}
		keep = append(keep, page...)
		if len(keep) > maxDelegateActs {
			keep = keep[len(keep)-maxDelegateActs:]
		}
		if len(page) < 10000 {
			break
		}
		after = id(page[len(page)-1])
	}
	slices.Reverse(keep)
	return keep, nil
}

// names fills m with the names of the accounts ids.
func names(tx store.ReadTx, m map[string]string, ids []string) error {
	for _, id := range ids {
		if _, ok := m[id]; ok || id == "" {
			continue
		}
		a, err := tx.Account(id)
		if errors.Is(err, store.ErrNotFound) {
			m[id] = id
			continue
		}
		if err != nil {
			return err
		}
		m[id] = a.Name
	}
	return nil
}

// AccountName returns the name of an account.
func (r *Registry) AccountName(ctx context.Context, id string) (string, error) {
	var name string
	err := r.st.View(ctx, func(tx store.ReadTx) error {
		a, err := tx.Account(id)
		name = a.Name
		return err
	})
	return name, err
}

// WorkStatus is a work with the current declarations that apply to it:
// about the work itself, its owner's works, and the domains and URL
// prefixes where it is published.
type WorkStatus struct {
	Work         store.Work
	Declarations []AppliedDeclaration
}

// Works returns up to limit of an account's works after the ID after,
// each with the declarations that apply to it today.
func (r *Registry) Works(ctx context.Context, accountID, after string, limit int) ([]WorkStatus, error) {
	var out []WorkStatus
	err := r.st.View(ctx, func(tx store.ReadTx) error {
		ws, err := tx.WorksByAccount(accountID, after, limit)
		if err != nil {
			return err
		}
		nm := map[string]string{}
		for _, w := range ws {
			ds, err := workDeclarations(tx, w, nm)
			if err != nil {
				return err
			}
			out = append(out, WorkStatus{Work: w, Declarations: ds})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("works of %s: %w", accountID, err)
	}
	return out, nil
}

// workDeclarations returns the current declarations that apply to w
// exactly: on the work, on all its owner's works, on the domains and URL
// prefixes of its locators (the subjects Match finds for an exact match
// of the work and its URLs).
func workDeclarations(tx store.ReadTx, w store.Work, nm map[string]string) ([]AppliedDeclaration, error) {
	var out []AppliedDeclaration
	seen := map[string]bool{}
	add := func(ds []store.Declaration, via, conf string) error {
		for _, d := range ds {
			if seen[d.ID] {
				continue
			}
			seen[d.ID] = true
			if err := names(tx, nm, []string{d.AccountID}); err != nil {
				return err
			}
			out = append(out, AppliedDeclaration{Declaration: DeclarationOut(d), AccountName: nm[d.AccountID], AppliesVia: via, Confidence: conf})
		}
		return nil
	}
	ds, err := tx.CurrentDeclarations(store.Subject{Kind: store.SubjectWork, Value: w.ID})
	if err != nil {
		return nil, err
	}
	if err := add(ds, "work:"+w.ID, "exact"); err != nil {
		return nil, err
	}
	if ds, err = tx.CurrentDeclarations(store.Subject{Kind: store.SubjectAccount, Value: w.AccountID}); err != nil {
		return nil, err
	}
	if err := add(ds, "account:"+w.AccountID, "exact"); err != nil {
		return nil, err
	}
	for _, l := range w.Locators {
		u, err := url.Parse(l.URL)
		if err != nil {
			continue
		}
		host := hostOf(u)
		if ds, err = tx.CurrentDeclarations(store.Subject{Kind: store.SubjectDomain, Value: host}); err != nil {
			return nil, err
		}
		if err := add(ds, "domain", ""); err != nil {
			return nil, err
		}
		if ds, err = tx.URLPrefixDeclarations(host, l.URL); err != nil {
			return nil, err
		}
		if err := add(ds, "url-prefix", ""); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Declarations returns up to limit declarations an account made (current
// and superseded) after the ID after.
func (r *Registry) Declarations(ctx context.Context, accountID, after string, limit int) ([]store.Declaration, error) {
	var out []store.Declaration
	err := r.st.View(ctx, func(tx store.ReadTx) error {
		var err error
		out, err = tx.DeclarationsByAccount(accountID, after, limit)
		return err
	})
	return out, err
}

// LogRef names a log entry an account's rows point to.
type LogRef struct {
	Index int64
	What  string // "account", "work", "declaration", "key", "delegation", "signature", "domain"
	ID    string // the row's ID (a domain for "domain", an organisation for "delegation")
}

// MaxLogRefs caps the entries AccountLogRefs returns.
const MaxLogRefs = 100000

// AccountLogRefs returns the log entries of an account's rows (the
// account, its keys, delegations, works, declarations made by or for it,
// signatures and verified domains), newest first, at most MaxLogRefs.
func (r *Registry) AccountLogRefs(ctx context.Context, accountID string) ([]LogRef, error) {
	var out []LogRef
	err := r.st.View(ctx, func(tx store.ReadTx) error {
		a, err := tx.Account(accountID)
		if err != nil {
			return err
		}
		out = append(out, LogRef{a.LogIndex, "account", a.ID})
		ks, err := tx.Keys(accountID)
		if err != nil {
			return err
		}
		for _, k := range ks {
			out = append(out, LogRef{k.LogIndex, "key", k.ID})
		}
		dls, err := tx.MemberDelegations(accountID)
		if err != nil {
			return err
		}
		for _, d := range dls {
			out = append(out, LogRef{d.LogIndex, "delegation", d.OrganisationID})
		}
		sigs, err := tx.SignaturesByAccount(accountID)
		if err != nil {
			return err
		}
		for _, s := range sigs {
			out = append(out, LogRef{s.LogIndex, "signature", s.ID})
		}
		cs, err := tx.DomainClaims(accountID)
		if err != nil {
			return err
		}
		for _, c := range cs {
			if c.State == store.DomainVerified {
				out = append(out, LogRef{c.LogIndex, "domain", c.Domain})
			}
		}
		for after := ""; len(out) < MaxLogRefs; {
			ws, err := tx.WorksByAccount(accountID, after, 10000)
			if err != nil {
				return err
			}
			for _, w := range ws {
				out = append(out, LogRef{w.LogIndex, "work", w.ID})
			}
			if len(ws) < 10000 {
				break
			}
			after = ws[len(ws)-1].ID
		}
		for _, list := range []func(after string) ([]store.Declaration, error){
			func(after string) ([]store.Declaration, error) {
				return tx.DeclarationsByAccount(accountID, after, 10000)
			},
			func(after string) ([]store.Declaration, error) {
				return tx.DeclarationsOnBehalfOf(accountID, after, 10000)
			},
		} {
			for after := ""; len(out) < MaxLogRefs; {
				ds, err := list(after)
				if err != nil {
					return err
				}
				for _, d := range ds {
					out = append(out, LogRef{d.LogIndex, "declaration", d.ID})
				}
				if len(ds) < 10000 {
					break
				}
				after = ds[len(ds)-1].ID
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("log entries of %s: %w", accountID, err)
	}
	slices.SortFunc(out, func(a, b LogRef) int { return cmp.Compare(b.Index, a.Index) })
	out = slices.CompactFunc(out, func(a, b LogRef) bool { return a.Index == b.Index })
	if len(out) > MaxLogRefs {
		out = out[:MaxLogRefs]
	}
	return out, nil
}

// Domains returns an account's domain claims, pending and verified.
func (r *Registry) Domains(ctx context.Context, accountID string) ([]store.DomainClaim, error) {
	var out []store.DomainClaim
	err := r.st.View(ctx, func(tx store.ReadTx) error {
		var err error
		out, err = tx.DomainClaims(accountID)
		return err
	})
	return out, err
}
