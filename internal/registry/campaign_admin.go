package registry

import (
	"context"
	"fmt"
	"strings"

	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/store"
)

// What a campaign's organiser does after publishing it: correct the text
// until someone signs, moderate the public list of signatories (a listing
// is hidden, never a signature deleted), and export the signatures. Each
// change is a log entry.

// campaignEditStatement is the log entry of a campaign's new text.
type campaignEditStatement struct {
	Type      string `json:"type"` // "campaign-edit"
	ID        string `json:"id"`
	Account   string `json:"account"`
	Title     string `json:"title"`
	Statement string `json:"statement"`
	Edited    string `json:"edited"`
}

// ErrSigned is wrapped by the error of EditCampaign for a campaign that
// has signatures: what people signed cannot change under them.
var ErrSigned = fmt.Errorf("%w: the campaign has signatures, so its text can no longer change", store.ErrConflict)

// EditCampaign replaces the title and statement of a campaign p's account
// published, as long as nobody signed it (ErrSigned after).
func (r *Registry) EditCampaign(ctx context.Context, p Principal, id, title, statement string) (store.Campaign, ledger.Receipt, error) {
	if err := requireWrite(p); err != nil {
		return store.Campaign{}, ledger.Receipt{}, err
	}
	title, statement = strings.TrimSpace(title), strings.TrimSpace(statement)
	if err := checkCampaignText(title, statement); err != nil {
		return store.Campaign{}, ledger.Receipt{}, err
	}
	now := r.timestamp()
	var c store.Campaign
	rs, err := r.write(ctx, func(tx store.Tx, log func(any) (int64, error)) error {
		var err error
		if c, err = ownCampaign(tx, p, id); err != nil {
			return err
		}
		n, _, err := tx.SignatureCount(id)
		if err != nil {
			return err
		}
		if n > 0 {
			return ErrSigned
		}
		if _, err := log(campaignEditStatement{Type: "campaign-edit", ID: id, Account: p.Account.ID, Title: title, Statement: statement,
			Edited: rfc3339(now)}); err != nil {
			return err
		}
		c.Title, c.Statement = title, statement
		return tx.UpdateCampaign(id, title, statement)
	})
	if err != nil {
		return store.Campaign{}, ledger.Receipt{}, fmt.Errorf("edit campaign %s: %w", id, err)
	}
	return c, rs[0], nil
}

func checkCampaignText(title, statement string) error {
	if title == "" || statement == "" {
		return invalidf("a campaign needs a title and a statement")
	}
	if err := checkLen("title", title, MaxNameLen); err != nil {
		return err
	}
	return checkLen("statement", statement, MaxTextLen)
}

// ownCampaign returns campaign id if p's account published it.
func ownCampaign(tx store.ReadTx, p Principal, id string) (store.Campaign, error) {
	c, err := tx.Campaign(id)
	if err != nil {
		return c, err
	}
	if c.AccountID != p.Account.ID {
		return c, fmt.Errorf("%w: campaign %s belongs to another organisation", ErrForbidden, id)
	}
	return c, nil
}

// listingStatement is the log entry of a moderation decision.
type listingStatement struct {
	Type      string `json:"type"` // "listing"
	Campaign  string `json:"campaign"`
	Signature string `json:"signature"`
	Hidden    bool   `json:"hidden"`
	By        string `json:"by"`
	Decided   string `json:"decided"`
}

// SetListingHidden hides a signatory from the public list of a campaign
// p's account published, or shows it again. The signature still counts and
// stays in the log.
func (r *Registry) SetListingHidden(ctx context.Context, p Principal, campaignID, signatureID string, hidden bool) (ledger.Receipt, error) {
	if err := requireWrite(p); err != nil {
		return ledger.Receipt{}, err
	}
	now := r.timestamp()
	rs, err := r.write(ctx, func(tx store.Tx, log func(any) (int64, error)) error {
		if _, err := ownCampaign(tx, p, campaignID); err != nil {
			return err
		}
		if _, err := log(listingStatement{Type: "listing", Campaign: campaignID, Signature: signatureID, Hidden: hidden, By: p.Account.ID,
			Decided: rfc3339(now)}); err != nil {
			return err
		}
		return tx.SetSignatureHidden(campaignID, signatureID, hidden)
	})
	if err != nil {
		return ledger.Receipt{}, fmt.Errorf("moderate signature %s of %s: %w", signatureID, campaignID, err)
	}
	return rs[0], nil
}

// CampaignSignatures calls fn with every signature of a campaign p's
// account published, listed or not, in ID order (for its organiser's
// export). Pages are read in separate transactions.
func (r *Registry) CampaignSignatures(ctx context.Context, p Principal, id string, fn func(store.Signature) error) error {
	after := ""
	for {
		var page []store.Signature
		err := r.st.View(ctx, func(tx store.ReadTx) error {
			if _, err := ownCampaign(tx, p, id); err != nil {
				return err
			}
			var err error
			page, err = tx.Signatures(id, false, after, 1000)
			return err
		})
		if err != nil {
			return fmt.Errorf("signatures of campaign %s: %w", id, err)
		}
		for _, s := range page {
			if err := fn(s); err != nil {
				return err
			}
		}
		if len(page) < 1000 {
			return nil
		}
		after = page[len(page)-1].ID
	}
}

// CampaignsByAccount returns up to limit campaigns, newest first: all
// when accountID is "", else those the account published.
func (r *Registry) CampaignsByAccount(ctx context.Context, accountID string, limit int) ([]store.Campaign, error) {
	var out []store.Campaign
	err := r.st.View(ctx, func(tx store.ReadTx) error {
		var err error
		out, err = tx.CampaignsByAccount(accountID, limit)
		return err
	})
	return out, err
}

// SignatureOf returns the signature accountID made on campaign id, and
// whether there is one.
func (r *Registry) SignatureOf(ctx context.Context, accountID, id string) (store.Signature, bool, error) {
	var out store.Signature
	found := false
	err := r.st.View(ctx, func(tx store.ReadTx) error {
		sigs, err := tx.SignaturesByAccount(accountID)
		for _, s := range sigs {
			if s.CampaignID == id {
				out, found = s, true
			}
		}
		return err
	})
	return out, found, err
}

// CampaignPage returns up to limit signatures of a campaign p's account
// published, listed or not, after the ID after (its moderation page).
func (r *Registry) CampaignPage(ctx context.Context, p Principal, id, after string, limit int) ([]store.Signature, error) {
	var out []store.Signature
	err := r.st.View(ctx, func(tx store.ReadTx) error {
		if _, err := ownCampaign(tx, p, id); err != nil {
			return err
		}
		var err error
		out, err = tx.Signatures(id, false, after, limit)
		return err
	})
	return out, err
}
