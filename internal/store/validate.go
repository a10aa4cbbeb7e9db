package store

import "fmt"

// ValidateAccount reports, wrapping ErrInvalid, what breaks the contract in
// a. Drivers call the Validate functions before writing; callers may too.
func ValidateAccount(a Account) error {
	switch {
	case a.ID == "":
		return fmt.Errorf("account: empty ID: %w", ErrInvalid)
	case a.Kind != KindCreator && a.Kind != KindOrganisation && a.Kind != KindDeveloper:
		return fmt.Errorf("account %s: kind %q: %w", a.ID, a.Kind, ErrInvalid)
	}
	return nil
}

// ValidateToken reports what breaks the contract in t.
func ValidateToken(t Token) error {
	switch {
	case t.ID == "" || t.AccountID == "":
		return fmt.Errorf("token %q: empty ID or account: %w", t.ID, ErrInvalid)
	case len(t.Hash) == 0:
		return fmt.Errorf("token %s: empty hash: %w", t.ID, ErrInvalid)
	case t.Scope != ScopeRead && t.Scope != ScopeWrite:
		return fmt.Errorf("token %s: scope %q: %w", t.ID, t.Scope, ErrInvalid)
	}
	return nil
}

// ValidateKey reports what breaks the contract in k.
func ValidateKey(k Key) error {
	switch {
	case k.ID == "" || k.AccountID == "":
		return fmt.Errorf("key %q: empty ID or account: %w", k.ID, ErrInvalid)
	case len(k.PublicKey) != 32:
		return fmt.Errorf("key %s: public key of %d bytes, want 32: %w", k.ID, len(k.PublicKey), ErrInvalid)
	}
	return nil
}

// ValidateWork reports what breaks the contract in w.
func ValidateWork(w Work) error {
	switch {
	case w.ID == "" || w.AccountID == "":
		return fmt.Errorf("work %q: empty ID or account: %w", w.ID, ErrInvalid)
	case w.PDQ != nil && len(w.PDQ) != 32:
		return fmt.Errorf("work %s: PDQ of %d bytes, want 32: %w", w.ID, len(w.PDQ), ErrInvalid)
	}
	for _, u := range w.Units {
		if u.Code == "" || u.Kind == "" || (u.Bits != 64 && u.Bits != 256) {
			return fmt.Errorf("work %s: unit %+v: %w", w.ID, u, ErrInvalid)
		}
	}
	for _, l := range w.Locators {
		if l.URL == "" {
			return fmt.Errorf("work %s: empty locator URL: %w", w.ID, ErrInvalid)
		}
	}
	return nil
}

// ValidateDeclaration reports what breaks the contract in d.
func ValidateDeclaration(d Declaration) error {
	if d.ID == "" || d.AccountID == "" {
		return fmt.Errorf("declaration %q: empty ID or account: %w", d.ID, ErrInvalid)
	}
	switch d.Subject.Kind {
	case SubjectWork, SubjectAccount, SubjectDomain:
		if d.Subject.Domain != "" && d.Subject.Kind != SubjectDomain {
			return fmt.Errorf("declaration %s: domain set on a %s subject: %w", d.ID, d.Subject.Kind, ErrInvalid)
		}
	case SubjectURLPrefix:
		if d.Subject.Domain == "" {
			return fmt.Errorf("declaration %s: URL prefix subject without domain: %w", d.ID, ErrInvalid)
		}
	default:
		return fmt.Errorf("declaration %s: subject kind %q: %w", d.ID, d.Subject.Kind, ErrInvalid)
	}
	if d.Subject.Value == "" {
		return fmt.Errorf("declaration %s: empty subject: %w", d.ID, ErrInvalid)
	}
	if d.SupersededBy != "" {
		return fmt.Errorf("declaration %s: SupersededBy is set by the store: %w", d.ID, ErrInvalid)
	}
	if d.Supersedes == d.ID {
		return fmt.Errorf("declaration %s supersedes itself: %w", d.ID, ErrInvalid)
	}
	if len(d.Terms) == 0 {
		return fmt.Errorf("declaration %s: no terms: %w", d.ID, ErrInvalid)
	}
	for _, t := range d.Terms {
		switch t.Decision {
		case "deny", "allow", "license":
		default:
			return fmt.Errorf("declaration %s: use %q decision %q: %w", d.ID, t.Use, t.Decision, ErrInvalid)
		}
		if t.Use == "" {
			return fmt.Errorf("declaration %s: empty use: %w", d.ID, ErrInvalid)
		}
	}
	if (d.Signature == nil) != (d.KeyID == "") {
		return fmt.Errorf("declaration %s: signature and key ID go together: %w", d.ID, ErrInvalid)
	}
	return nil
}

// ValidateDomainClaim reports what breaks the contract in c.
func ValidateDomainClaim(c DomainClaim) error {
	switch {
	case c.Domain == "" || c.AccountID == "" || c.Token == "":
		return fmt.Errorf("domain claim %q: empty domain, account or token: %w", c.Domain, ErrInvalid)
	case c.State != DomainPending:
		return fmt.Errorf("domain claim %s: new claims are pending, not %q: %w", c.Domain, c.State, ErrInvalid)
	}
	return nil
}

// ValidateDelegation reports what breaks the contract in d.
func ValidateDelegation(d Delegation) error {
	switch {
	case d.MemberID == "" || d.OrganisationID == "":
		return fmt.Errorf("delegation %q to %q: empty account: %w", d.MemberID, d.OrganisationID, ErrInvalid)
	case d.MemberID == d.OrganisationID:
		return fmt.Errorf("delegation %s to itself: %w", d.MemberID, ErrInvalid)
	}
	return nil
}

// ValidateCampaign reports what breaks the contract in c.
func ValidateCampaign(c Campaign) error {
	if c.ID == "" || c.AccountID == "" {
		return fmt.Errorf("campaign %q: empty ID or account: %w", c.ID, ErrInvalid)
	}
	return nil
}

// ValidateSignature reports what breaks the contract in s.
func ValidateSignature(s Signature) error {
	if s.ID == "" || s.CampaignID == "" || s.AccountID == "" {
		return fmt.Errorf("signature %q: empty ID, campaign or account: %w", s.ID, ErrInvalid)
	}
	return nil
}
