package registry

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/askfirst/askfirst/internal/precedence"
	"github.com/askfirst/askfirst/internal/store"
	"github.com/askfirst/askfirst/wire"
)

// checkPage validates a list request's page size: 0 means
// wire.DefaultPageSize, more than wire.MaxPageSize is refused.
func checkPage(limit int) (int, error) {
	switch {
	case limit == 0:
		return wire.DefaultPageSize, nil
	case limit < 0 || limit > wire.MaxPageSize:
		return 0, invalidf("limit %d: want 1 to %d", limit, wire.MaxPageSize)
	}
	return limit, nil
}

// cut cuts a list read with limit+1 items to a page of limit and returns
// the cursor of the next page: the ID of the page's last item, or "" when
// nothing follows.
func cut[T any](items []T, limit int, id func(T) string) ([]T, string) {
	if len(items) <= limit {
		return items, ""
	}
	return items[:limit], id(items[limit-1])
}

// OwnWorks returns a page of up to limit of p's works with IDs greater
// than after, each with the declaration that applies to it today
// (Applying). Next is set when more works follow.
func (r *Registry) OwnWorks(ctx context.Context, p Principal, after string, limit int) (wire.WorkList, error) {
	limit, err := checkPage(limit)
	if err != nil {
		return wire.WorkList{}, err
	}
	out := wire.WorkList{Works: []wire.OwnWork{}}
	err = r.st.View(ctx, func(tx store.ReadTx) error {
		ws, err := tx.WorksByAccount(p.Account.ID, after, limit+1)
		if err != nil {
			return err
		}
		ws, out.Next = cut(ws, limit, func(w store.Work) string { return w.ID })
		names := map[string]string{p.Account.ID: p.Account.Name}
		for _, w := range ws {
			d, ds, err := applying(tx, w, names)
			if err != nil {
				return err
			}
			out.Works = append(out.Works, wire.OwnWork{Work: WorkOut(w), Declaration: d, Declarations: ds})
		}
		return nil
	})
	if err != nil {
		return wire.WorkList{}, fmt.Errorf("works of %s: %w", p.Account.ID, err)
	}
	return out, nil
}

// applying returns the owner's current declarations (made by the owner, or
// by an organisation for it) that apply to w — on the work, on a URL prefix
// or the domain of one of its locators, on all the owner's works — most
// specific first, each with the uses it decides (internal/precedence,
// DESIGN §3.3); and the first of them that decides a use, nil when none
// does. names caches account names.
func applying(tx store.ReadTx, w store.Work, names map[string]string) (*wire.AppliedDeclaration, []wire.AppliedDeclaration, error) {
	owner := w.AccountID
	var out []wire.AppliedDeclaration
	seen := map[string]bool{}
	add := func(ds []store.Declaration, via, conf, work string) {
		for _, d := range ds {
			if seen[d.ID] || d.SupersededBy != "" || (d.OnBehalfOf != owner && (d.AccountID != owner || d.OnBehalfOf != "")) {
				continue
			}
			seen[d.ID] = true
			a := applied(tx, d, names, via, conf)
			a.Work = work
			out = append(out, a)
		}
	}
	ds, err := tx.CurrentDeclarations(store.Subject{Kind: store.SubjectWork, Value: w.ID})
	if err != nil {
		return nil, nil, err
	}
	add(ds, "work:"+w.ID, wire.ConfidenceExact, w.ID)
	for _, l := range w.Locators {
		ps, err := tx.URLPrefixDeclarations(l.Domain, l.URL)
		if err != nil {
			return nil, nil, err
		}
		add(ps, "url-prefix", "", "")
		ds, err := tx.CurrentDeclarations(store.Subject{Kind: store.SubjectDomain, Value: strings.ToLower(l.Domain)})
		if err != nil {
			return nil, nil, err
		}
		add(ds, "domain", "", "")
	}
	if ds, err = tx.CurrentDeclarations(store.Subject{Kind: store.SubjectAccount, Value: owner}); err != nil {
		return nil, nil, err
	}
	add(ds, "account:"+owner, wire.ConfidenceExact, w.ID)
	precedence.Apply(out, nil)
	slices.SortStableFunc(out, precedence.Outranks)
	for i := range out {
		for _, o := range out[i].Uses {
			if o.Status == wire.StatusDecides {
				return &out[i], out, nil
			}
		}
	}
	return nil, out, nil
}

// OwnDeclarations returns a page of up to limit of the declarations p's
// account made (for itself or for members), current and superseded, with
// IDs greater than after. Next is set when more follow.
func (r *Registry) OwnDeclarations(ctx context.Context, p Principal, after string, limit int) (wire.DeclarationList, error) {
	limit, err := checkPage(limit)
	if err != nil {
		return wire.DeclarationList{}, err
	}
	out := wire.DeclarationList{Declarations: []wire.Declaration{}}
	err = r.st.View(ctx, func(tx store.ReadTx) error {
		ds, err := tx.DeclarationsByAccount(p.Account.ID, after, limit+1)
		if err != nil {
			return err
		}
		ds, out.Next = cut(ds, limit, func(d store.Declaration) string { return d.ID })
		for _, d := range ds {
			out.Declarations = append(out.Declarations, DeclarationOut(d))
		}
		return nil
	})
	if err != nil {
		return wire.DeclarationList{}, fmt.Errorf("declarations of %s: %w", p.Account.ID, err)
	}
	return out, nil
}

// Campaigns returns a page of up to limit campaigns with IDs greater than
// after, each with its organiser's name and its count of signatures. Next
// is set when more follow.
func (r *Registry) Campaigns(ctx context.Context, after string, limit int) (wire.CampaignList, error) {
	limit, err := checkPage(limit)
	if err != nil {
		return wire.CampaignList{}, err
	}
	out := wire.CampaignList{Campaigns: []wire.CampaignSummary{}}
	err = r.st.View(ctx, func(tx store.ReadTx) error {
		cs, err := tx.Campaigns(after, limit+1)
		if err != nil {
			return err
		}
		cs, out.Next = cut(cs, limit, func(c store.Campaign) string { return c.ID })
		names := map[string]string{}
		for _, c := range cs {
			name, ok := names[c.AccountID]
			if !ok {
				a, err := tx.Account(c.AccountID)
				if err != nil {
					return err
				}
				name, names[c.AccountID] = a.Name, a.Name
			}
			n, _, err := tx.SignatureCount(c.ID)
			if err != nil {
				return err
			}
			out.Campaigns = append(out.Campaigns, wire.CampaignSummary{Campaign: CampaignOut(c, name), Signatures: n})
		}
		return nil
	})
	if err != nil {
		return wire.CampaignList{}, fmt.Errorf("campaigns: %w", err)
	}
	return out, nil
}
