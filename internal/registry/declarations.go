package registry

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/askfirst/askfirst/internal/jcs"
	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/precedence"
	"github.com/askfirst/askfirst/internal/store"
	"github.com/askfirst/askfirst/wire"
)

// Uses and decisions of declarations (DESIGN §2).
var (
	Uses      = []string{"train-genai", "train-ai", "ai-input", "search"}
	Decisions = []string{"deny", "allow", "license"}
)

func validateTerms(terms []store.Term) error {
	if len(terms) == 0 {
		return invalidf("a declaration needs at least one term")
	}
	if len(terms) > MaxTerms {
		return invalidf("%d terms, the limit is %d", len(terms), MaxTerms)
	}
	seen := map[string]bool{}
	for _, t := range terms {
		if !slices.Contains(Uses, t.Use) {
			return invalidf("use %q: want one of %s", t.Use, strings.Join(Uses, ", "))
		}
		if seen[t.Use] {
			return invalidf("use %s given twice", t.Use)
		}
		seen[t.Use] = true
		if !slices.Contains(Decisions, t.Decision) {
			return invalidf("decision %q for %s: want deny, allow or license", t.Decision, t.Use)
		}
		if t.Decision == "license" && t.Offer == nil {
			return invalidf("a license for %s needs an offer (price and currency, or terms URL or contact)", t.Use)
		}
		if t.Decision == "allow" && t.Offer != nil {
			return invalidf("an allow for %s cannot carry an offer", t.Use)
		}
		if o := t.Offer; o != nil {
			if o.Price == "" && o.TermsURL == "" && o.Contact == "" {
				return invalidf("the offer for %s is empty: give a price, a terms URL or a contact", t.Use)
			}
			if o.Price != "" {
				p, ok := new(big.Rat).SetString(o.Price)
				if !ok || p.Sign() < 0 || len(o.Price) > MaxPriceLen || strings.ContainsAny(o.Price, "eE/") {
					return invalidf("price %q for %s: want a decimal amount such as 0.05", o.Price, t.Use)
				}
				if len(o.Currency) != 3 || strings.ToUpper(o.Currency) != o.Currency {
					return invalidf("currency %q for %s: want an ISO 4217 code such as EUR", o.Currency, t.Use)
				}
			}
			if o.TermsURL != "" {
				if _, err := parseHTTPURL(o.TermsURL); err != nil {
					return invalidf("terms URL %q: %v", o.TermsURL, err)
				}
			}
			if err := checkLen("contact", o.Contact, MaxURLLen); err != nil {
				return err
			}
		}
	}
	return nil
}

// DeclarationStatement is what a declaration says; its RFC 8785 canonical
// JSON is what a self-signing creator signs (ISCC-SIG style) and what the
// log holds, with the signature beside it: the wire's type.
type DeclarationStatement = wire.DeclarationStatement

// declarationEntry is the log entry of a declaration.
type declarationEntry struct {
	DeclarationStatement
	// Signed is the canonical statement the account signed, when it
	// signed one; Signature and Key verify it.
	Signed    json.RawMessage `json:"signed,omitempty"`
	Signature []byte          `json:"signature,omitempty"`
	Key       string          `json:"key,omitempty"`
}

// DeclareInput is a declaration request.
type DeclareInput struct {
	Subject    store.Subject
	Terms      []store.Term
	OnBehalfOf string // a member who delegated to the caller
	Supersedes string
	// Signed, when set, is the canonical JSON of a DeclarationStatement
	// (without id and created) signed by Key with Signature (Ed25519).
	Signed    json.RawMessage
	Signature []byte
	Key       string
	// SupersedeOwn, when Supersedes is empty, supersedes the newest
	// current declaration the owner (or a delegate for it) made about the
	// same subject, if there is one: a new choice of terms replaces the
	// old one instead of standing beside it.
	SupersedeOwn bool
}

// Declare records a declaration by p (or by p for a member) about a
// subject it controls: its own work or a member's, all works of itself or
// of a member, a domain it verified, or a URL prefix on such a domain. A
// declaration with Supersedes replaces that one (same account, same
// subject); the old one stays in the log.
func (r *Registry) Declare(ctx context.Context, p Principal, in DeclareInput) (store.Declaration, ledger.Receipt, error) {
	if err := requireWrite(p); err != nil {
		return store.Declaration{}, ledger.Receipt{}, err
	}
	if err := validateTerms(in.Terms); err != nil {
		return store.Declaration{}, ledger.Receipt{}, err
	}
	now := r.timestamp()
	var d store.Declaration
	rs, err := r.write(ctx, func(tx store.Tx, log func(any) (int64, error)) error {
		var err error
		d, err = r.declareIn(tx, log, p, in, now)
		return err
	})
	if err != nil {
		return store.Declaration{}, ledger.Receipt{}, fmt.Errorf("declare: %w", err)
	}
	return d, rs[0], nil
}

// DeclareMany records several declarations in one transaction: all or
// none (at most MaxBatch). Receipts come in the order of ins.
func (r *Registry) DeclareMany(ctx context.Context, p Principal, ins []DeclareInput) ([]store.Declaration, []ledger.Receipt, error) {
	if err := requireWrite(p); err != nil {
		return nil, nil, err
	}
	if len(ins) == 0 || len(ins) > MaxBatch {
		return nil, nil, invalidf("%d declarations: want 1 to %d per call", len(ins), MaxBatch)
	}
	for _, in := range ins {
		if err := validateTerms(in.Terms); err != nil {
			return nil, nil, err
		}
	}
	now := r.timestamp()
	out := make([]store.Declaration, len(ins))
	rs, err := r.write(ctx, func(tx store.Tx, log func(any) (int64, error)) error {
		for i, in := range ins {
			var err error
			if out[i], err = r.declareIn(tx, log, p, in, now); err != nil {
				return fmt.Errorf("declaration %d: %w", i+1, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("declare: %w", err)
	}
	return out, rs, nil
}

// declareIn checks and records one declaration in tx.
func (r *Registry) declareIn(tx store.Tx, log func(any) (int64, error), p Principal, in DeclareInput, now time.Time) (store.Declaration, error) {
	owner, err := actingFor(tx, p, in.OnBehalfOf)
	if err != nil {
		return store.Declaration{}, err
	}
	subj, err := r.authorizeSubject(tx, p, owner, in.Subject)
	if err != nil {
		return store.Declaration{}, err
	}
	if in.Supersedes == "" && in.SupersedeOwn {
		cur, err := tx.CurrentDeclarations(subj)
		if err != nil {
			return store.Declaration{}, err
		}
		for _, c := range slices.Backward(cur) {
			if (c.AccountID == owner && c.OnBehalfOf == "") || c.OnBehalfOf == owner {
				in.Supersedes = c.ID
				break
			}
		}
	}
	if in.Supersedes != "" {
		old, err := tx.Declaration(in.Supersedes)
		if err != nil {
			return store.Declaration{}, err
		}
		if old.Subject != subj || (old.AccountID != p.Account.ID && old.OnBehalfOf != owner && old.AccountID != owner) {
			return store.Declaration{}, fmt.Errorf("%w: declaration %s is not yours about the same subject", ErrForbidden, in.Supersedes)
		}
		// A delegate never relaxes what the member declared herself
		// (DESIGN §3.3; internal/precedence).
		if owner != p.Account.ID && old.AccountID == owner && old.OnBehalfOf == "" {
			if us := precedence.Relaxed(old.Terms, in.Terms); len(us) > 0 {
				return store.Declaration{}, fmt.Errorf("%w: declaration %s is the member's own and decides %s more strictly: a delegate cannot relax it; the member can",
					ErrForbidden, in.Supersedes, strings.Join(us, ", "))
			}
		}
	}
	if in.Signed != nil || in.Signature != nil || in.Key != "" {
		if err := r.verifySigned(tx, p, owner, subj, in); err != nil {
			return store.Declaration{}, err
		}
	}
	return r.declareSigned(tx, log, p, owner, subj, in, now)
}

// declare records an unsigned declaration in tx.
func (r *Registry) declare(tx store.Tx, log func(any) (int64, error), p Principal, owner string, subj store.Subject, terms []store.Term, now time.Time, supersedes string) (store.Declaration, error) {
	return r.declareSigned(tx, log, p, owner, subj, DeclareInput{Terms: terms, Supersedes: supersedes}, now)
}

func (r *Registry) declareSigned(tx store.Tx, log func(any) (int64, error), p Principal, owner string, subj store.Subject, in DeclareInput, now time.Time) (store.Declaration, error) {
	d := store.Declaration{ID: newID("dcl"), AccountID: p.Account.ID, Subject: subj, Terms: in.Terms,
		Supersedes: in.Supersedes, Signature: in.Signature, KeyID: in.Key, CreatedAt: now}
	if owner != p.Account.ID {
		d.OnBehalfOf = owner
	}
	e := declarationEntry{DeclarationStatement: DeclarationStatement{Type: "declaration", ID: d.ID, Account: p.Account.ID,
		OnBehalfOf: d.OnBehalfOf, Subject: subj, Terms: in.Terms, Supersedes: in.Supersedes, Created: rfc3339(now)},
		Signed: in.Signed, Signature: in.Signature, Key: in.Key}
	data, err := ledger.Canonical(e)
	if err != nil {
		return d, err
	}
	d.Statement = data
	if d.LogIndex, err = log(json.RawMessage(data)); err != nil {
		return d, err
	}
	return d, tx.AddDeclaration(d)
}

// authorizeSubject checks that owner's declaration about s is allowed, and
// returns s normalised.
func (r *Registry) authorizeSubject(tx store.ReadTx, p Principal, owner string, s store.Subject) (store.Subject, error) {
	switch s.Kind {
	case store.SubjectWork:
		w, err := tx.Work(s.Value)
		if err != nil {
			return s, err
		}
		if w.AccountID != owner {
			return s, fmt.Errorf("%w: work %s belongs to another account", ErrForbidden, s.Value)
		}
		return store.Subject{Kind: s.Kind, Value: w.ID}, nil
	case store.SubjectAccount:
		if s.Value == "" {
			s.Value = owner
		}
		if s.Value != owner {
			return s, fmt.Errorf("%w: an account can declare only for its own works or a member's", ErrForbidden)
		}
		return store.Subject{Kind: s.Kind, Value: owner}, nil
	case store.SubjectDomain:
		d := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s.Value)), "www.")
		if err := r.requireVerified(tx, d, owner); err != nil {
			return s, err
		}
		return store.Subject{Kind: s.Kind, Value: d}, nil
	case store.SubjectURLPrefix:
		u, err := parseHTTPURL(s.Value)
		if err != nil {
			return s, invalidf("url prefix %q: %v", s.Value, err)
		}
		host := hostOf(u)
		if err := r.requireVerified(tx, host, owner); err != nil {
			return s, err
		}
		return store.Subject{Kind: s.Kind, Value: u.String(), Domain: host}, nil
	}
	return s, invalidf("subject kind %q: want work, account, domain or url-prefix", s.Kind)
}

func (r *Registry) requireVerified(tx store.ReadTx, domain, owner string) error {
	if domain == "" {
		return invalidf("empty domain")
	}
	c, err := tx.VerifiedDomain(domain)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: %s has no verified claim; claim and verify it first", ErrUnverified, domain)
	}
	if err != nil {
		return err
	}
	if c.AccountID != owner {
		return fmt.Errorf("%w: %s was verified by another account", ErrForbidden, domain)
	}
	return nil
}

// verifySigned checks a self-signed declaration: the signed statement must
// be the canonical form of what is being declared, signed by a current key
// of the declarer (the declaring account, or the member it declares for).
// A signature or a key without the other two parts is
// refused: a declaration is marked signed only when its signature verifies.
func (r *Registry) verifySigned(tx store.ReadTx, p Principal, owner string, subj store.Subject, in DeclareInput) error {
	if in.Signed == nil || in.Signature == nil || in.Key == "" {
		return invalidf("a self-signed declaration needs signed (the canonical statement), signature and key together")
	}
	// The declarer's key: the declaring account's, or the member's it
	// declares for.
	k, err := tx.Key(in.Key)
	if errors.Is(err, store.ErrNotFound) || (err == nil && k.AccountID != p.Account.ID && k.AccountID != owner) {
		return fmt.Errorf("%w: key %s is not a key of the declaring account", ErrForbidden, in.Key)
	}
	if err != nil {
		return fmt.Errorf("signing key %s: %w", in.Key, err)
	}
	if k.Revoked() {
		return fmt.Errorf("%w: key %s was revoked", ErrForbidden, in.Key)
	}
	canon, err := jcs.Transform(in.Signed)
	if err != nil {
		return invalidf("signed statement: %v", err)
	}
	var st DeclarationStatement
	if err := json.Unmarshal(canon, &st); err != nil {
		return invalidf("signed statement: %v", err)
	}
	want := DeclarationStatement{Type: "declaration", Account: owner, Subject: subj, Terms: in.Terms, Supersedes: in.Supersedes}
	if owner != p.Account.ID {
		want.Account, want.OnBehalfOf = p.Account.ID, owner
	}
	wb, _ := jcs.Marshal(want)
	if string(wb) != string(canon) && string(legacyStatement(want)) != string(canon) {
		return invalidf("the signed statement does not match the declaration: signed %s, declared %s", canon, wb)
	}
	if !ed25519.Verify(ed25519.PublicKey(k.PublicKey), canon, in.Signature) {
		return fmt.Errorf("%w: the signature does not verify with key %s", ErrForbidden, in.Key)
	}
	return nil
}

// legacyStatement is the canonical JSON of st as clients signed it before
// the wire types existed, with the subject's keys "Domain", "Kind" and
// "Value" (the domain even when empty); such signatures still verify.
func legacyStatement(st DeclarationStatement) []byte {
	type subject struct{ Kind, Value, Domain string }
	old := struct {
		Type       string       `json:"type"`
		Account    string       `json:"account"`
		OnBehalfOf string       `json:"on_behalf_of,omitempty"`
		Subject    subject      `json:"subject"`
		Terms      []store.Term `json:"terms"`
		Supersedes string       `json:"supersedes,omitempty"`
	}{st.Type, st.Account, st.OnBehalfOf, subject(st.Subject), st.Terms, st.Supersedes}
	b, _ := jcs.Marshal(old)
	return b
}

// ImportTDMAI converts a TDM·AI-style declaration keyed by ISCC (the
// Liccium shape: {"iscc": ..., "tdm": {"train-genai": "deny"|..., ...}})
// into a work input and terms.
func ImportTDMAI(in wire.ImportRequest) (WorkInput, []store.Term, error) {
	if in.ISCC == "" || in.TDM == (wire.TDM{}) {
		return WorkInput{}, nil, invalidf("TDM·AI declaration needs iscc and tdm")
	}
	var terms []store.Term
	for _, ud := range []struct{ use, decision string }{
		{wire.UseTrainGenAI, in.TDM.TrainGenAI}, {wire.UseTrainAI, in.TDM.TrainAI}, {wire.UseAIInput, in.TDM.AIInput}, {wire.UseSearch, in.TDM.Search},
	} {
		if ud.decision == "" {
			continue
		}
		t := store.Term{Use: ud.use, Decision: ud.decision}
		if ud.decision == wire.DecisionLicense {
			t.Offer = in.Offer
		}
		terms = append(terms, t)
	}
	return WorkInput{ISCC: in.ISCC, Title: in.Name}, terms, validateTerms(terms)
}
