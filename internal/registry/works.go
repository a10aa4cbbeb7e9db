package registry

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"

	"github.com/askfirst/askfirst/internal/ledger"
	"github.com/askfirst/askfirst/internal/store"
	"github.com/askfirst/askfirst/iscc"
	"github.com/askfirst/askfirst/wire"
)

// WorkInput is a work to register, known by its codes: the wire's type.
type WorkInput = wire.WorkInput

// workStatement is the log entry of a registered work. Entries written
// before the wire types existed hold units as an array of
// {"Kind","Bits","Code"}; entryUnits reads both shapes.
type workStatement struct {
	Type         string     `json:"type"` // "work"
	ID           string     `json:"id"`
	Account      string     `json:"account"`
	RegisteredBy string     `json:"registered_by,omitempty"`
	ISCC         string     `json:"iscc,omitempty"`
	Units        wire.Units `json:"units,omitzero"`
	Datahash     string     `json:"datahash,omitempty"`
	PDQ          string     `json:"pdq,omitempty"`
	Title        string     `json:"title,omitempty"`
	Creator      string     `json:"creator,omitempty"`
	Locators     []string   `json:"locators,omitempty"`
	Created      string     `json:"created"`
}

// unitKind names the kind of an ISCC unit for storage.
func unitKind(c iscc.Code) string {
	switch c.MainType() {
	case iscc.MainTypeMeta:
		return "meta"
	case iscc.MainTypeContent:
		return "content"
	case iscc.MainTypeData:
		return "data"
	case iscc.MainTypeInstance:
		return "instance"
	case iscc.MainTypeSemantic:
		return "semantic"
	}
	return ""
}

// buildWork validates in and returns the work to store.
func buildWork(in WorkInput, owner, by string) (store.Work, error) {
	w := store.Work{ID: newID("wrk"), AccountID: owner, RegisteredBy: by, Datahash: strings.TrimSpace(in.Datahash),
		Mediatype: in.Mediatype, Filesize: in.Filesize, Title: strings.TrimSpace(in.Title), Creator: strings.TrimSpace(in.Creator)}
	for _, f := range []struct{ name, v string }{{"title", w.Title}, {"creator", w.Creator}, {"mediatype", w.Mediatype}, {"datahash", w.Datahash}} {
		if err := checkLen(f.name, f.v, MaxTextLen); err != nil {
			return w, err
		}
	}
	// Each unit in the field of its kind; a composite ISCC-CODE without
	// units gives its own.
	type unit struct{ field, code string }
	var codes []unit
	for _, u := range []unit{{"meta", in.Units.Meta}, {"semantic", in.Units.Semantic}, {"content", in.Units.Content}, {"data", in.Units.Data}, {"instance", in.Units.Instance}} {
		if u.code != "" {
			codes = append(codes, u)
		}
	}
	if in.ISCC != "" {
		c, err := iscc.Decode(in.ISCC)
		if err != nil {
			return w, invalidf("iscc %q: %v", in.ISCC, err)
		}
		w.ISCC = c.String()
		if len(codes) == 0 && c.MainType() == iscc.MainTypeISCC {
			parts, err := iscc.Decompose(in.ISCC)
			if err != nil {
				return w, invalidf("iscc %q: %v", in.ISCC, err)
			}
			for _, p := range parts {
				codes = append(codes, unit{code: p})
			}
		} else if len(codes) == 0 {
			codes = []unit{{code: in.ISCC}}
		}
	}
	if len(codes) > MaxUnits {
		return w, invalidf("%d units, the limit is %d", len(codes), MaxUnits)
	}
	for _, u := range codes {
		c, err := iscc.Decode(u.code)
		if err != nil {
			return w, invalidf("unit %q: %v", u.code, err)
		}
		k := unitKind(c)
		if k == "" {
			return w, invalidf("unit %q is a %s, not an ISCC unit", u.code, c.MainType())
		}
		if u.field != "" && u.field != k {
			return w, invalidf("units.%s %q is a %s unit", u.field, u.code, k)
		}
		w.Units = append(w.Units, store.Unit{Kind: k, Bits: c.Bits(), Code: c.String()})
	}
	if in.PDQ != nil {
		b, err := hex.DecodeString(in.PDQ.Hash)
		if err != nil || len(b) != 32 {
			return w, invalidf("pdq %q: want 64 hex digits", in.PDQ.Hash)
		}
		if in.PDQ.Quality < 0 || in.PDQ.Quality > 100 {
			return w, invalidf("pdq quality %d: want 0 to 100", in.PDQ.Quality)
		}
		w.PDQ, w.PDQQuality = b, in.PDQ.Quality
	}
	if len(w.Units) == 0 && w.Datahash == "" && w.PDQ == nil {
		return w, invalidf("a work needs codes: iscc, units, datahash or pdq")
	}
	if len(in.Locators) > MaxLocators {
		return w, invalidf("%d locators, the limit is %d", len(in.Locators), MaxLocators)
	}
	for _, l := range in.Locators {
		u, err := parseHTTPURL(l)
		if err != nil {
			return w, invalidf("locator %q: %v", l, err)
		}
		w.Locators = append(w.Locators, store.Locator{URL: u.String(), Domain: hostOf(u)})
	}
	return w, nil
}

func parseHTTPURL(s string) (*url.URL, error) {
	if len(s) > MaxURLLen {
		return nil, fmt.Errorf("longer than %d bytes", MaxURLLen)
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("not an http or https URL")
	}
	u.Fragment = ""
	u.Host = strings.ToLower(u.Host)
	return u, nil
}

// hostOf returns u's host name, lower case, without "www.", with the port
// when it is not the scheme's default: the same form normalizeDomain gives
// a claimed domain, so a domain verified as host:port (a local registry,
// tests) matches its URLs.
func hostOf(u *url.URL) string {
	h := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	if p := u.Port(); p != "" && !(u.Scheme == "http" && p == "80") && !(u.Scheme == "https" && p == "443") {
		return h + ":" + p
	}
	return h
}

// Registered is a registered work with its receipt, and the receipt of the
// declaration made with it, if any.
type Registered struct {
	Work               store.Work
	Receipt            ledger.Receipt
	Declaration        *store.Declaration
	DeclarationReceipt *ledger.Receipt
}

// RegisterWorks registers works for p's account, or for member when p is
// an organisation the member delegated to, all in one transaction (at
// most MaxBatch). With terms, each work also gets a declaration with those
// terms. Either every work is registered or none.
func (r *Registry) RegisterWorks(ctx context.Context, p Principal, member string, works []WorkInput, terms []store.Term) ([]Registered, error) {
	if err := requireWrite(p); err != nil {
		return nil, err
	}
	if len(works) == 0 {
		return nil, invalidf("no works")
	}
	if len(works) > MaxBatch {
		return nil, invalidf("%d works, the limit is %d per call", len(works), MaxBatch)
	}
	if len(terms) > 0 {
		if err := validateTerms(terms); err != nil {
			return nil, err
		}
	}
	now := r.timestamp()
	out := make([]Registered, len(works))
	rs, err := r.write(ctx, func(tx store.Tx, log func(any) (int64, error)) error {
		owner, err := actingFor(tx, p, member)
		if err != nil {
			return err
		}
		by := ""
		if owner != p.Account.ID {
			by = p.Account.ID
		}
		for i, in := range works {
			w, err := buildWork(in, owner, p.Account.ID)
			if err != nil {
				return fmt.Errorf("work %d: %w", i+1, err)
			}
			w.CreatedAt = now
			st := workStatement{Type: "work", ID: w.ID, Account: owner, RegisteredBy: by, ISCC: w.ISCC, Units: UnitsOut(w.Units),
				Datahash: w.Datahash, Title: w.Title, Creator: w.Creator, Created: rfc3339(now)}
			if w.PDQ != nil {
				st.PDQ = hex.EncodeToString(w.PDQ)
			}
			for _, l := range w.Locators {
				st.Locators = append(st.Locators, l.URL)
			}
			if w.LogIndex, err = log(st); err != nil {
				return err
			}
			if err := tx.CreateWork(w); err != nil {
				return err
			}
			out[i].Work = w
			if len(terms) > 0 {
				d, err := r.declare(tx, log, p, owner, store.Subject{Kind: store.SubjectWork, Value: w.ID}, terms, now, "")
				if err != nil {
					return err
				}
				out[i].Declaration = &d
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("register works: %w", err)
	}
	// Receipts come in log order: each work, then its declaration.
	k := 0
	for i := range out {
		out[i].Receipt = rs[k]
		k++
		if out[i].Declaration != nil {
			out[i].DeclarationReceipt = &rs[k]
			k++
		}
	}
	ws := make([]store.Work, len(out))
	for i := range out {
		ws[i] = out[i].Work
	}
	r.index.Add(ws...)
	return out, nil
}
