package registry

import (
	"context"
	"fmt"
	"strings"

	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/store"
)

// campaignStatement is the log entry of a campaign.
type campaignStatement struct {
	Type      string `json:"type"` // "campaign"
	ID        string `json:"id"`
	Account   string `json:"account"`
	Title     string `json:"title"`
	Statement string `json:"statement"`
	Created   string `json:"created"`
}

// CreateCampaign publishes a statement for people and organisations to
// sign. Only organisations publish campaigns.
func (r *Registry) CreateCampaign(ctx context.Context, p Principal, title, statement string) (store.Campaign, ledger.Receipt, error) {
	if err := requireWrite(p); err != nil {
		return store.Campaign{}, ledger.Receipt{}, err
	}
	if p.Account.Kind != store.KindOrganisation {
		return store.Campaign{}, ledger.Receipt{}, fmt.Errorf("%w: only organisations publish campaigns", ErrForbidden)
	}
	title, statement = strings.TrimSpace(title), strings.TrimSpace(statement)
	if err := checkCampaignText(title, statement); err != nil {
		return store.Campaign{}, ledger.Receipt{}, err
	}
	now := r.timestamp()
	c := store.Campaign{ID: newID("cmp"), AccountID: p.Account.ID, Title: title, Statement: statement, CreatedAt: now}
	rs, err := r.write(ctx, func(tx store.Tx, log func(any) (int64, error)) error {
		idx, err := log(campaignStatement{Type: "campaign", ID: c.ID, Account: c.AccountID, Title: title, Statement: statement, Created: rfc3339(now)})
		if err != nil {
			return err
		}
		c.LogIndex = idx
		return tx.CreateCampaign(c)
	})
	if err != nil {
		return store.Campaign{}, ledger.Receipt{}, fmt.Errorf("create campaign: %w", err)
	}
	return c, rs[0], nil
}

// SignInput is a campaign signature.
type SignInput struct {
	Name   string
	Role   string
	Domain string // a domain the signer verified, shown with the signature
	Listed bool   // list the signer publicly
	// Terms, when set, make the signature carry a blanket declaration for
	// all the signer's works.
	Terms []store.Term
}

// signatureStatement is the log entry of a signature.
type signatureStatement struct {
	Type        string `json:"type"` // "signature"
	ID          string `json:"id"`
	Campaign    string `json:"campaign"`
	Account     string `json:"account"`
	Name        string `json:"name"`
	Role        string `json:"role,omitempty"`
	Domain      string `json:"domain,omitempty"`
	Listed      bool   `json:"listed"`
	Declaration string `json:"declaration,omitempty"`
	Created     string `json:"created"`
}

// SignCampaign signs campaign id for p's account; with terms the signature
// also declares them for all of the signer's works. An account signs a
// campaign once.
func (r *Registry) SignCampaign(ctx context.Context, p Principal, id string, in SignInput) (store.Signature, []ledger.Receipt, error) {
	if err := requireWrite(p); err != nil {
		return store.Signature{}, nil, err
	}
	in.Name, in.Role = strings.TrimSpace(in.Name), strings.TrimSpace(in.Role)
	if in.Name == "" {
		in.Name = p.Account.Name
	}
	if err := checkLen("name", in.Name, MaxNameLen); err != nil {
		return store.Signature{}, nil, err
	}
	if err := checkLen("role", in.Role, MaxNameLen); err != nil {
		return store.Signature{}, nil, err
	}
	if len(in.Terms) > 0 {
		if err := validateTerms(in.Terms); err != nil {
			return store.Signature{}, nil, err
		}
	}
	now := r.timestamp()
	s := store.Signature{ID: newID("sig"), CampaignID: id, AccountID: p.Account.ID, Name: in.Name, Role: in.Role, Listed: in.Listed, CreatedAt: now}
	rs, err := r.write(ctx, func(tx store.Tx, log func(any) (int64, error)) error {
		if _, err := tx.Campaign(id); err != nil {
			return err
		}
		if in.Domain != "" {
			d, err := normalizeDomain(in.Domain)
			if err != nil {
				return err
			}
			if err := r.requireVerified(tx, d, p.Account.ID); err != nil {
				return err
			}
			s.Domain = d
		}
		if len(in.Terms) > 0 {
			d, err := r.declare(tx, log, p, p.Account.ID, store.Subject{Kind: store.SubjectAccount, Value: p.Account.ID}, in.Terms, now, "")
			if err != nil {
				return err
			}
			s.DeclarationID = d.ID
		}
		idx, err := log(signatureStatement{Type: "signature", ID: s.ID, Campaign: id, Account: p.Account.ID, Name: s.Name, Role: s.Role,
			Domain: s.Domain, Listed: s.Listed, Declaration: s.DeclarationID, Created: rfc3339(now)})
		if err != nil {
			return err
		}
		s.LogIndex = idx
		return tx.AddSignature(s)
	})
	if err != nil {
		return store.Signature{}, nil, fmt.Errorf("sign campaign %s: %w", id, err)
	}
	return s, rs, nil
}

// CampaignView is a campaign with its public count and listed signatories.
type CampaignView struct {
	Campaign store.Campaign
	// Organiser is the name of the organisation that published it.
	Organiser  string
	Signatures int64
	Listed     []store.Signature
	// Next is the ID to list the following signatories after; empty when
	// Listed is the last page.
	Next string
}

// Campaign returns campaign id with its counts and up to limit listed
// signatures after the signature ID after.
func (r *Registry) Campaign(ctx context.Context, id, after string, limit int) (CampaignView, error) {
	var v CampaignView
	limit, err := checkPage(limit)
	if err != nil {
		return v, err
	}
	err = r.st.View(ctx, func(tx store.ReadTx) error {
		c, err := tx.Campaign(id)
		if err != nil {
			return err
		}
		v.Campaign = c
		org, err := tx.Account(c.AccountID)
		if err != nil {
			return err
		}
		v.Organiser = org.Name
		if v.Signatures, _, err = tx.SignatureCount(id); err != nil {
			return err
		}
		listed, err := tx.Signatures(id, true, after, limit+1)
		v.Listed, v.Next = cut(listed, limit, func(s store.Signature) string { return s.ID })
		return err
	})
	if err != nil {
		return v, fmt.Errorf("campaign %s: %w", id, err)
	}
	return v, nil
}
